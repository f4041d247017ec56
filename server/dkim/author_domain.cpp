#include "dkim/author_domain.h"

#include <gmime/gmime.h>

#include <mutex>

#include "util/strings.h"

namespace postern::dkim {

namespace {

// The unfolded value of the one From field; empty when there is none or several.
std::string from_field(std::string_view message) {
  auto end = message.find("\r\n\r\n");
  std::string_view head = message.substr(0, end == std::string_view::npos ? message.size() : end + 2);
  std::string value;
  int found = 0;
  bool in_from = false;
  size_t pos = 0;
  while (pos < head.size()) {
    auto eol = head.find("\r\n", pos);
    if (eol == std::string_view::npos) eol = head.size();
    std::string_view line = head.substr(pos, eol - pos);
    pos = eol + 2;
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      if (in_from) value += std::string(line);
      continue;
    }
    in_from = line.size() >= 5 && util::iequals(std::string(line.substr(0, 5)), "from:");
    if (in_from) {
      ++found;
      value = std::string(line.substr(5));
    }
  }
  return found == 1 ? value : "";
}

}  // namespace

std::string author_domain(std::string_view message) {
  std::string value = from_field(message);
  if (value.empty()) return "";
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
  InternetAddressList* list = internet_address_list_parse(nullptr, value.c_str());
  if (!list) return "";
  std::string domain;
  if (internet_address_list_length(list) == 1) {
    InternetAddress* a = internet_address_list_get_address(list, 0);
    if (INTERNET_ADDRESS_IS_MAILBOX(a)) {
      const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a));
      std::string s = addr ? addr : "";
      auto at = s.rfind('@');
      if (at != std::string::npos && at + 1 < s.size()) domain = util::to_lower(s.substr(at + 1));
    }
  }
  g_object_unref(list);
  return domain;
}

}  // namespace postern::dkim
