// The DNS questions a mail server asks (MX, A, AAAA, TXT, PTR) and the shape of their
// answers, behind an abstract Resolver so outbound delivery, SPF and the tests can share
// one interface: UnboundResolver asks the network, CachingResolver remembers answers, and
// a test can substitute a fake.
// Collaborators: util::IpAddress for addresses; rdata.h decodes what the network returned.
// Error contract: every outcome a mail server must act on is a Status in the answer, never
// an exception: NoData and NxDomain are answers, TempFail means "try again later" (timeout,
// SERVFAIL, DNSSEC bogus, unreachable servers), PermFail means the question itself is
// unusable (a malformed name) and asking again cannot help. Exceptions are left for
// infrastructure failures such as std::bad_alloc.
// Threading: implementations are safe to call from any number of threads at once.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/cidr.h"

namespace postern::dns {

enum class Status {
  Ok,        // NOERROR with at least one record of the type asked for
  NoData,    // the name exists but has no record of that type
  NxDomain,  // the name does not exist
  TempFail,  // no usable answer now (timeout, SERVFAIL, REFUSED, DNSSEC bogus): retry later
  PermFail,  // the question is malformed (bad name, bad address); retrying cannot help
};
const char* status_name(Status s);  // "ok", "nodata", "nxdomain", "tempfail", "permfail"

template <typename T>
struct Answer {
  Status status = Status::TempFail;
  std::vector<T> records;  // empty unless status == Ok
  bool secure = false;     // DNSSEC-validated (positive answers and proven non-existence)
  uint32_t ttl = 0;        // seconds the answer may be reused (remaining, for cached ones)
  std::string detail;      // why, for TempFail/PermFail: goes into logs and DSNs

  bool ok() const { return status == Status::Ok; }
};

struct Mx {
  uint16_t preference = 0;
  // Host name without the trailing dot, as published (compare case-insensitively).
  // Empty for the null MX "." (RFC 7505): the domain accepts no mail.
  std::string exchange;
};

using MxAnswer = Answer<Mx>;
using AddressAnswer = Answer<util::IpAddress>;
// TXT: one string per record, the record's character-strings concatenated without
// separators (RFC 7208 §3.3). PTR: host names without the trailing dot.
using TextAnswer = Answer<std::string>;

class Resolver {
 public:
  virtual ~Resolver() = default;

  // Sorted by preference (stable: equal preferences keep the server's order; delivery
  // shuffles them with shuffle_equal_preference if it wants RFC 5321 §5.1 load spreading).
  virtual MxAnswer mx(std::string_view domain) = 0;
  virtual AddressAnswer a(std::string_view name) = 0;
  virtual AddressAnswer aaaa(std::string_view name) = 0;
  virtual TextAnswer txt(std::string_view name) = 0;
  // Reverse lookup of `ip` (in-addr.arpa or ip6.arpa); records are host names.
  virtual TextAnswer ptr(const util::IpAddress& ip) = 0;
};

// Whether `name` can be asked: printable ASCII without spaces or backslashes (so nothing
// is read as an escape), labels of 1..63 bytes, at most 253 bytes without the optional
// trailing dot. Underscores are allowed: SPF, DKIM and DMARC names use them.
bool valid_query_name(std::string_view name);
// The name to ask for a PTR: "4.3.2.1.in-addr.arpa" or the 32 nibbles under "ip6.arpa".
// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) use the IPv4 form.
std::string reverse_name(const util::IpAddress& ip);
// Randomises the order within each run of equal preference; `records` must be sorted.
void shuffle_equal_preference(std::vector<Mx>& records);

}  // namespace postern::dns
