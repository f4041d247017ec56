// Checks a user name and password against the directory. At most two hashes are computed
// at once (each costs 19 MiB), and an unknown user costs the same work as a known one, so
// timing does not reveal which accounts exist.
// Threading: check() is safe from any thread; it blocks while the hashing slots are busy.
#pragma once
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>

#include "store/directory.h"

namespace postern::auth {

class Verifier {
 public:
  explicit Verifier(store::Directory& directory);
  // Returns the account's address key on success.
  std::optional<std::string> check(const std::string& user, const std::string& password);
  // The existing account a login names, for the authentication-failure log (ACC-2).
  std::optional<std::string> account_named(const std::string& user);

 private:
  store::Directory& directory_;
  std::string dummy_hash_;
  std::mutex mu_;
  std::condition_variable cv_;
  int busy_ = 0;
};

}  // namespace postern::auth
