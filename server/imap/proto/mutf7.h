// Modified UTF-7 mailbox names (RFC 3501 §5.1.3). Names travel and are stored in this form
// (as Dovecot stores Maildir++ folder names); decoding checks that a name is well formed and
// gives the UTF-8 text for display and for control-character checks. Pure.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace postern::imap {

// UTF-8 text of a modified UTF-7 name; nullopt when malformed (bad base64, non-canonical
// encoding of printable ASCII, unpaired surrogates, raw 8-bit bytes).
std::optional<std::string> mutf7_decode(std::string_view name);
// Modified UTF-7 form of UTF-8 text; nullopt when the text is not valid UTF-8.
std::optional<std::string> mutf7_encode(std::string_view utf8);

}  // namespace postern::imap
