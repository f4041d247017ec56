// Strict base64 (RFC 4648 with padding), as SASL requires: junk is an error, not ignored.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace postern::util {

std::string base64_encode(std::string_view data);
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace postern::util
