#include "util/host_name.h"

#include <unistd.h>

namespace postern::util {

std::string system_host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || !buf[0]) return "localhost";
  return buf;
}

}  // namespace postern::util
