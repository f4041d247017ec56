#include "log/auth_log.h"

#include <cstdio>
#include <map>
#include <sstream>

#include "log/log.h"

namespace postern::log {

std::string encode_field(const std::string& value) {
  if (value.empty()) return "-";
  std::string out;
  for (unsigned char c : value) {
    if (c <= 32 || c == 127 || c == '%' || c == '=' || c >= 128) {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    } else {
      out += char(c);
    }
  }
  return out;
}

std::string decode_field(const std::string& value) {
  if (value == "-") return "";
  std::string out;
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '%' && i + 2 < value.size()) {
      unsigned v = 0;
      if (std::sscanf(value.substr(i + 1, 2).c_str(), "%2X", &v) == 1) {
        out += char(v);
        i += 2;
        continue;
      }
    }
    out += value[i];
  }
  return out;
}

void auth_failure(const AuthFailure& f) {
  write(Service::Auth, f.session,
        "auth-failure protocol=" + encode_field(f.protocol) + " session=" + encode_field(f.session) +
            " ip=" + encode_field(f.ip) + " login=" + encode_field(f.login) +
            " account=" + (f.account.empty() ? std::string("none") : encode_field(f.account)) +
            " mechanism=" + encode_field(f.mechanism) + " reason=" + encode_field(f.reason));
}

std::optional<AuthFailure> parse_auth_failure(const std::string& line) {
  std::istringstream in(line);
  std::string time, id, marker;
  if (!(in >> time >> id >> marker) || marker != "auth-failure") return std::nullopt;
  std::map<std::string, std::string> fields;
  std::string word;
  while (in >> word) {
    auto eq = word.find('=');
    if (eq == std::string::npos) return std::nullopt;
    fields[word.substr(0, eq)] = decode_field(word.substr(eq + 1));
  }
  for (const char* required : {"protocol", "session", "ip", "login", "account"})
    if (!fields.count(required)) return std::nullopt;
  AuthFailure f;
  f.time = time;
  f.protocol = fields["protocol"];
  f.session = fields["session"];
  f.ip = fields["ip"];
  f.login = fields["login"];
  f.account = fields["account"] == "none" ? "" : fields["account"];
  f.mechanism = fields["mechanism"];
  f.reason = fields["reason"];
  return f;
}

}  // namespace postern::log
