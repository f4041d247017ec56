#include "dns/rdata.h"

#include <cstdio>
#include <cstring>

namespace postern::dns::rdata {

namespace {

unsigned char byte_at(std::string_view s, size_t i) { return static_cast<unsigned char>(s[i]); }

void append_label_byte(std::string& out, unsigned char c) {
  if (c == '.' || c == '\\') {
    out += '\\';
    out += char(c);
  } else if (c < 0x21 || c > 0x7e) {
    char buf[5];
    std::snprintf(buf, sizeof buf, "\\%03u", unsigned(c));
    out += buf;
  } else {
    out += char(c);
  }
}

// A decoder that must consume the whole rdata: trailing bytes mean we misread it.
std::optional<std::string> whole_name(std::string_view rdata, size_t pos) {
  auto n = name(rdata, pos);
  if (!n || pos != rdata.size()) return std::nullopt;
  return n;
}

}  // namespace

std::optional<std::string> name(std::string_view wire, size_t& pos) {
  std::string out;
  size_t p = pos, wire_len = 0;
  for (;;) {
    if (p >= wire.size()) return std::nullopt;
    unsigned len = byte_at(wire, p++);
    // 0xC0 is a compression pointer and 0x40/0x80 are obsolete extended label types;
    // libunbound's rdata is uncompressed, so any of these means corrupt data.
    if (len & 0xC0) return std::nullopt;
    wire_len += len + 1;
    if (wire_len > 255) return std::nullopt;
    if (len == 0) break;
    if (len > wire.size() - p) return std::nullopt;
    if (!out.empty()) out += '.';
    for (size_t i = 0; i < len; ++i) append_label_byte(out, byte_at(wire, p + i));
    p += len;
  }
  pos = p;
  return out;
}

std::optional<Mx> mx(std::string_view rdata) {
  if (rdata.size() < 3) return std::nullopt;  // preference + at least the root label
  Mx m;
  m.preference = uint16_t(byte_at(rdata, 0) << 8 | byte_at(rdata, 1));
  auto exchange = whole_name(rdata, 2);
  if (!exchange) return std::nullopt;
  m.exchange = std::move(*exchange);
  return m;
}

std::optional<util::IpAddress> a(std::string_view rdata) {
  if (rdata.size() != 4) return std::nullopt;
  util::IpAddress ip;
  std::memcpy(ip.bytes.data(), rdata.data(), 4);
  return ip;
}

std::optional<util::IpAddress> aaaa(std::string_view rdata) {
  if (rdata.size() != 16) return std::nullopt;
  util::IpAddress ip;
  ip.v6 = true;
  std::memcpy(ip.bytes.data(), rdata.data(), 16);
  return ip;
}

std::optional<std::string> txt(std::string_view rdata) {
  if (rdata.empty()) return std::nullopt;  // a TXT record holds at least one string
  std::string out;
  for (size_t p = 0; p < rdata.size();) {
    size_t len = byte_at(rdata, p++);
    if (len > rdata.size() - p) return std::nullopt;
    out.append(rdata.data() + p, len);
    p += len;
  }
  return out;
}

std::optional<std::string> ptr(std::string_view rdata) { return whole_name(rdata, 0); }

}  // namespace postern::dns::rdata
