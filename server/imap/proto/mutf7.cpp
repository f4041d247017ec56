#include "imap/proto/mutf7.h"

#include <vector>

namespace postern::imap {

namespace {

const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == ',') return 63;
  return -1;
}

void put_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3F));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

// Decodes one UTF-8 code point; false when malformed.
bool next_utf8(std::string_view s, size_t& i, uint32_t& cp) {
  unsigned char c = s[i];
  int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (len == 0 || i + len > s.size()) return false;
  cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
  for (int k = 1; k < len; ++k) {
    unsigned char d = s[i + k];
    if ((d & 0xC0) != 0x80) return false;
    cp = (cp << 6) | (d & 0x3F);
  }
  static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < min[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
  i += len;
  return true;
}

}  // namespace

std::optional<std::string> mutf7_decode(std::string_view name) {
  std::string out;
  for (size_t i = 0; i < name.size();) {
    char c = name[i];
    if (static_cast<unsigned char>(c) >= 0x80) return std::nullopt;
    if (c != '&') {
      out += c;
      ++i;
      continue;
    }
    size_t end = name.find('-', i + 1);
    if (end == std::string_view::npos) return std::nullopt;
    if (end == i + 1) {
      out += '&';
      i = end + 1;
      continue;
    }
    std::vector<uint16_t> units;
    uint32_t bits = 0;
    int nbits = 0;
    for (size_t k = i + 1; k < end; ++k) {
      int v = b64_value(name[k]);
      if (v < 0) return std::nullopt;
      bits = (bits << 6) | uint32_t(v);
      nbits += 6;
      if (nbits >= 16) {
        nbits -= 16;
        units.push_back(uint16_t(bits >> nbits));
        bits &= (1u << nbits) - 1;
      }
    }
    if (nbits >= 6 || bits != 0 || units.empty()) return std::nullopt;
    for (size_t k = 0; k < units.size(); ++k) {
      uint32_t u = units[k];
      if (u >= 0xD800 && u <= 0xDBFF) {
        if (k + 1 >= units.size() || units[k + 1] < 0xDC00 || units[k + 1] > 0xDFFF) return std::nullopt;
        u = 0x10000 + ((u - 0xD800) << 10) + (units[++k] - 0xDC00);
      } else if (u >= 0xDC00 && u <= 0xDFFF) {
        return std::nullopt;
      } else if (u >= 0x20 && u <= 0x7E) {
        return std::nullopt;  // printable ASCII must be written as itself
      }
      put_utf8(out, u);
    }
    i = end + 1;
  }
  return out;
}

std::optional<std::string> mutf7_encode(std::string_view utf8) {
  std::string out;
  std::vector<uint16_t> pending;
  auto flush = [&] {
    if (pending.empty()) return;
    out += '&';
    uint32_t bits = 0;
    int nbits = 0;
    for (uint16_t u : pending) {
      bits = (bits << 16) | u;
      nbits += 16;
      while (nbits >= 6) {
        nbits -= 6;
        out += kAlphabet[(bits >> nbits) & 0x3F];
      }
      bits &= (1u << nbits) - 1;
    }
    if (nbits > 0) out += kAlphabet[(bits << (6 - nbits)) & 0x3F];
    out += '-';
    pending.clear();
  };
  for (size_t i = 0; i < utf8.size();) {
    uint32_t cp;
    if (!next_utf8(utf8, i, cp)) return std::nullopt;
    if (cp >= 0x20 && cp <= 0x7E) {
      flush();
      out += cp == '&' ? std::string("&-") : std::string(1, char(cp));
    } else if (cp >= 0x10000) {
      cp -= 0x10000;
      pending.push_back(uint16_t(0xD800 + (cp >> 10)));
      pending.push_back(uint16_t(0xDC00 + (cp & 0x3FF)));
    } else {
      pending.push_back(uint16_t(cp));
    }
  }
  flush();
  return out;
}

}  // namespace postern::imap
