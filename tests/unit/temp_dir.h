// A new empty folder under /tmp for one test: "/tmp/postern-PREFIX-XXXXXX". One definition
// for every unit test file, so files compiled together (unity builds) never collide.
#pragma once
#include <stdlib.h>

#include <stdexcept>
#include <string>

namespace postern::test {

inline std::string make_temp_dir(const std::string& prefix) {
  std::string path = "/tmp/postern-" + prefix + "-XXXXXX";
  if (!::mkdtemp(path.data())) throw std::runtime_error("mkdtemp " + path + " failed");
  return path;
}

}  // namespace postern::test
