// What the admin sees of a certificate (subject, names, validity, fingerprint) and the check
// that an uploaded key belongs to its certificate. Private keys are read here only to compare
// them, never returned.
// Errors: describe_certificate_file throws std::runtime_error when the file cannot be read or
// parsed; prepare_pem_pair returns the problem as text. Threading: pure functions.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace postern::tls {

struct CertificateInfo {
  std::string subject, issuer;
  std::vector<std::string> names;  // subjectAltName DNS and IP entries
  std::string not_before, not_after;  // ISO 8601 UTC
  long long expires_at = 0;           // seconds since the epoch
  std::string sha256;                 // fingerprint, colon-separated hex
  bool self_signed = false;
  int chain_length = 0;               // certificates in the file
};

CertificateInfo describe_certificate_file(const std::string& path);

// Which part is wrong, for an API error naming the field.
struct PemProblem {
  std::string field;  // "certificate" or "private_key"
  std::string message;
};
// An uploaded pair checked and put in order: the key must be an unencrypted PEM key; the
// certificate it matches is the leaf, whatever its place in the upload; every other
// certificate must be the issuer of the one before (names and signature checked) and all of
// them must be valid now. `chain_pem` is the chain leaf first, as TLS sends it.
struct PemPair {
  std::optional<PemProblem> problem;
  std::string chain_pem;
};
PemPair prepare_pem_pair(const std::string& chain_pem, const std::string& key_pem);

}  // namespace postern::tls
