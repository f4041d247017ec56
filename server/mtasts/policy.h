// The MTA-STS policy file (RFC 8461 §3.2) fetched from
// https://mta-sts.<domain>/.well-known/mta-sts.txt, and what it says about an MX host
// (§4.1 name matching) and about the HTTP response that carried it (§3.3 media type).
// Pure: no I/O.
// Error contract: parse_policy returns nullopt and a reason for anything the RFC's grammar
// rejects; the matching functions cannot fail.
// Threading: stateless functions, any thread.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern::mtasts {

enum class Mode { Enforce, Testing, None };
const char* mode_name(Mode m);  // "enforce", "testing", "none"

// Why a policy the domain announces (by its _mta-sts record) could not be had.
enum class FetchFailure {
  None,
  Fetch,        // the policy host had no address, could not be reached, or answered non-200
  Invalid,      // the answer is not a valid policy (media type, syntax)
  Certificate,  // the policy host's certificate did not verify
};

struct Policy {
  Mode mode = Mode::None;
  std::vector<std::string> mx;  // patterns as published: "mx.example.com" or "*.example.com"
  int64_t max_age = 0;          // seconds, 0..31557600
};

constexpr int64_t kMaxAge = 31557600;  // §3.2: one year

// `body` is the response body as received (CRLF or LF line ends, final newline optional).
// Unknown keys are ignored when well formed; the first version/mode/max_age line counts.
std::optional<Policy> parse_policy(std::string_view body, std::string* why = nullptr);

// The policy text in the RFC's form (LF line ends), for the cache.
std::string format_policy(const Policy& p);

// §4.1: `host` (an MX name, any case, optional trailing dot) matches a pattern exactly or
// through a leading "*." wildcard that stands for exactly one label.
bool mx_matches(const std::vector<std::string>& patterns, std::string_view host);

// §3.3: the response's Content-Type must be text/plain (any case; parameters allowed).
bool is_policy_media_type(std::string_view content_type);

}  // namespace postern::mtasts
