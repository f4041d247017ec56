// SPF-10: the Sender Rewriting Scheme, so mail an alias forwards to an outside address
// leaves with a sender in our own domain and passes SPF at the next hop, while bounces
// still find the original sender. Format (as libsrs2 and Postfix's postsrsd use):
//   SRS0=HHHH=TT=orig-domain=orig-local@forwarding-domain
// HHHH: the first 4 base64 characters of HMAC-SHA256(secret, lower(TT orig-domain
// orig-local)); TT: days since the epoch mod 1024 in two base32 characters. A bounce to
// such an address is accepted for kMaxAgeDays days and only with a matching hash, so the
// scheme is no open relay.
// Collaborators: OpenSSL HMAC; the secret lives in the data folder (DataDir::srs_key,
// created by load_or_create_secret); gate.cpp splits the envelope; the SMTP session
// reverses bounce recipients.
// Error contract: forward() returns the sender unchanged when it cannot be rewritten
// (null sender, already SRS); reverse() returns nullopt for anything not ours or expired.
// Threading: an Srs is immutable after construction.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace postern::spf {

class Srs {
 public:
  static constexpr int kMaxAgeDays = 21;
  explicit Srs(std::string secret) : secret_(std::move(secret)) {}

  // `sender` rewritten into `forwarding_domain` at unix time `now`.
  std::string forward(const std::string& sender, const std::string& forwarding_domain, int64_t now) const;
  // The original sender of an SRS0 address (local part "SRS0=..."), if valid at `now`.
  std::optional<std::string> reverse(const std::string& address, int64_t now) const;
  static bool is_srs(const std::string& address);

 private:
  std::string hash(const std::string& tt, const std::string& domain, const std::string& local) const;
  std::string secret_;
};

// Reads the secret from `path`, creating it (32 random bytes, mode 0600) when missing.
// Throws std::system_error / std::runtime_error when the file cannot be read or written.
std::string load_or_create_secret(const std::string& path);

}  // namespace postern::spf
