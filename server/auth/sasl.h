// SASL PLAIN (RFC 4616) and LOGIN message decoding. Pure: no I/O, no lookups.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace postern::auth {

struct Credentials {
  std::string authzid;  // requested identity, empty when the same as authcid
  std::string user;
  std::string password;
};

// Decodes a base64 PLAIN response "authzid\0authcid\0passwd"; nullopt when malformed.
std::optional<Credentials> decode_plain(std::string_view base64);

// Decodes one base64 LOGIN step (user name or password); nullopt when malformed.
std::optional<std::string> decode_login_step(std::string_view base64);

}  // namespace postern::auth
