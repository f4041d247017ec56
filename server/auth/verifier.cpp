#include "auth/verifier.h"

#include "auth/password.h"
#include "mail/address.h"
#include "util/random.h"

namespace postern::auth {

namespace {
constexpr int kMaxConcurrentHashes = 2;
}

Verifier::Verifier(store::Directory& directory)
    : directory_(directory), dummy_hash_(hash_password(util::random_bytes(16))) {}

std::optional<std::string> Verifier::check(const std::string& user, const std::string& password) {
  auto addr = mail::Address::parse(user, true);
  std::string key = addr ? addr->key() : std::string();
  std::optional<std::string> hash = key.empty() ? std::nullopt : directory_.password_hash(key);
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return busy_ < kMaxConcurrentHashes; });
    ++busy_;
  }
  bool ok = verify_password(hash ? *hash : dummy_hash_, password) && hash.has_value();
  {
    std::lock_guard<std::mutex> lock(mu_);
    --busy_;
  }
  cv_.notify_one();
  if (!ok) return std::nullopt;
  return key;
}

std::optional<std::string> Verifier::account_named(const std::string& user) {
  auto addr = mail::Address::parse(user, true);
  if (!addr || !directory_.password_hash(addr->key())) return std::nullopt;
  return addr->key();
}

}  // namespace postern::auth
