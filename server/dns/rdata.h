// Decoders for the rdata of the record types dns::Resolver answers, as libunbound hands
// them over in ub_result::data (one record each, names already uncompressed). Pure: no
// I/O, no libunbound; table-driven unit tests feed them hostile bytes.
// Error contract: nullopt for anything malformed: a length that runs past the end,
// trailing bytes, a compression pointer (rdata here never holds one) or a name over
// 255 bytes. Nothing is read without its length being checked first.
// Threading: pure functions.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "dns/resolver.h"

namespace postern::dns::rdata {

// A wire-format name starting at `pos`; advances `pos` past it. Presentation form without
// the trailing dot ("" for the root); bytes outside printable ASCII and the characters
// '.' and '\' inside a label are escaped as in zone files (\DDD, \., \\).
std::optional<std::string> name(std::string_view wire, size_t& pos);

std::optional<Mx> mx(std::string_view rdata);
std::optional<util::IpAddress> a(std::string_view rdata);
std::optional<util::IpAddress> aaaa(std::string_view rdata);
// The record's character-strings concatenated (RFC 7208 §3.3); empty strings allowed.
std::optional<std::string> txt(std::string_view rdata);
std::optional<std::string> ptr(std::string_view rdata);

}  // namespace postern::dns::rdata
