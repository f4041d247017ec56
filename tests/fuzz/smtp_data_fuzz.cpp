// Fuzzes the DATA reader (end-of-data detection and the bare-LF smuggling defence): the
// input is cut into lines as the session cuts them, long lines fed in pieces. The first
// byte picks the line limit so short limits and piece boundaries (a CR at the end of a
// piece) get exercised.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "smtp/proto/data_reader.h"

using namespace postern::smtp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t max_line = 2 + data[0] % 64;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  DataReader reader(4096, max_line);
  while (!rest.empty()) {
    size_t lf = rest.find('\n');
    std::string_view line = rest.substr(0, lf == std::string_view::npos ? rest.size() : lf + 1);
    rest.remove_prefix(line.size());
    bool ended = false;
    while (line.size() > max_line) {  // the session's read buffer hands long lines over in pieces
      reader.feed(line.substr(0, max_line), true);
      line.remove_prefix(max_line);
    }
    ended = reader.feed(line);
    if (ended) {
      // What was stored never exceeds the limit by more than one line, and never holds
      // the end marker itself.
      if (reader.message().size() > 4096 + max_line + 2) __builtin_trap();
      break;
    }
  }
  return 0;
}
