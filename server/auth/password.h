// Password hashing with Argon2id (libsodium), in the standard PHC string format
// ("$argon2id$v=19$m=...,t=...,p=1$salt$hash"), so hashes stay portable to other tools.
// Cost: t=2, m=19 MiB (OWASP's recommendation), modest enough for a 512 MB NAS.
#pragma once
#include <string>
#include <string_view>

namespace postern::auth {

std::string hash_password(std::string_view password);
bool verify_password(const std::string& hash, std::string_view password);

}  // namespace postern::auth
