// The stores refuse a change to an item that is not there with store::Refused ("... does
// not exist", "no credentials stored for ..."); the facade turns exactly those refusals
// into NotFound, which the API answers with 404. Other refusals (duplicates) pass through.
#pragma once
#include <string>

#include "admin/input.h"
#include "store/directory.h"

namespace postern::admin {

template <typename F>
auto not_found_if_missing(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const store::Refused& e) {
    std::string what = e.what();
    if (what.find("does not exist") != std::string::npos || what.find("no credentials stored") != std::string::npos)
      throw NotFound(what);
    throw;
  }
}

}  // namespace postern::admin
