// Writing IMAP response values: strings as quoted strings when safe, literals otherwise.
// Pure.
#pragma once
#include <string>
#include <string_view>

namespace postern::imap {

// A quoted string, or a literal {n}\r\n... when the text has CR, LF, NUL, 8-bit bytes or is long.
std::string quote(std::string_view s);
std::string literal(std::string_view bytes);

}  // namespace postern::imap
