// Fuzzes the MTA-STS parsers, which read what any recipient domain's DNS and web server
// return: the _mta-sts TXT record, the policy file, MX matching and the TLS-Required header.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mtasts/policy.h"
#include "mtasts/record.h"
#include "mtasts/tls_required.h"

using namespace postern::mtasts;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  parse_record(text);
  discover({std::string(text), "v=STSv1; id=1"});
  if (auto p = parse_policy(text)) {
    // What the cache stores must parse back (policy_cache.cpp relies on it).
    if (!parse_policy(format_policy(*p))) __builtin_trap();
    mx_matches(p->mx, text);
  }
  is_policy_media_type(text);
  tls_required_no(text);
  return 0;
}
