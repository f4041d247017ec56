// MTA-STS discovery (RFC 8461 §3.1): the `_mta-sts.<domain>` TXT record ("v=STSv1; id=...")
// that says a domain publishes a policy, and which of a name's TXT records is that record.
// Pure: no I/O; the caller asks DNS and passes the strings in.
// Error contract: malformed input is a value (nullopt / a Discovery kind), never an exception.
// Threading: stateless functions, any thread.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern::mtasts {

// The policy id of one TXT record, or nullopt when the record does not follow the grammar
// sts-text-record = sts-version 1*(sts-sep sts-field) [sts-sep] (v=STSv1 first, id of
// 1*32 ALPHA/DIGIT, extensions name=value with the RFC's character sets).
std::optional<std::string> parse_record(std::string_view txt);

struct Discovery {
  enum Kind {
    None,      // no record starts with "v=STSv1": the domain publishes no policy
    Invalid,   // the one STS record is malformed: no usable policy
    Multiple,  // more than one STS record: treated as no policy (§3.1)
    Found,
  } kind = None;
  std::string id;  // Found only
};

// Picks the STS record among all TXT records at _mta-sts.<domain> (§3.1: records that do
// not begin with "v=STSv1;" are discarded first).
Discovery discover(const std::vector<std::string>& txt_records);

}  // namespace postern::mtasts
