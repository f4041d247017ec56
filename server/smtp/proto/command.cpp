#include "smtp/proto/command.h"

#include <cctype>

#include "util/strings.h"

namespace postern::smtp {

namespace {
struct VerbName {
  const char* name;
  Verb verb;
};
const VerbName kVerbs[] = {
    {"HELO", Verb::Helo}, {"EHLO", Verb::Ehlo}, {"MAIL", Verb::Mail}, {"RCPT", Verb::Rcpt},
    {"DATA", Verb::Data}, {"BDAT", Verb::Bdat}, {"RSET", Verb::Rset}, {"NOOP", Verb::Noop},
    {"QUIT", Verb::Quit}, {"VRFY", Verb::Vrfy}, {"EXPN", Verb::Expn}, {"HELP", Verb::Help},
    {"ETRN", Verb::Etrn},     {"STARTTLS", Verb::StartTls}, {"AUTH", Verb::Auth},
};

bool valid_esmtp_keyword(std::string_view k) {
  if (k.empty() || !std::isalnum(static_cast<unsigned char>(k[0]))) return false;
  for (unsigned char c : k)
    if (!std::isalnum(c) && c != '-') return false;
  return true;
}

bool valid_esmtp_value(std::string_view v) {
  if (v.empty()) return false;
  for (unsigned char c : v)
    if (c == '=' || c <= 32 || c == 127) return false;  // RFC 5321: %d33-60 / %d62-126 (+UTF-8)
  return true;
}
}  // namespace

Command parse_command(std::string_view line) {
  Command cmd;
  auto space = line.find(' ');
  cmd.name = util::to_upper(line.substr(0, space));
  if (space != std::string_view::npos) cmd.args = std::string(line.substr(space + 1));
  for (const auto& v : kVerbs)
    if (cmd.name == v.name) cmd.verb = v.verb;
  return cmd;
}

bool mentions_smtputf8(std::string_view args) {
  auto close = args.rfind('>');
  if (close == std::string_view::npos) return false;
  for (const auto& p : util::split_list(args.substr(close + 1), ' '))
    if (util::iequals(p, "SMTPUTF8")) return true;
  return false;
}

std::optional<PathCommand> parse_path_command(std::string_view args, std::string_view prefix, bool allow_null,
                                              bool utf8, ParseError& error) {
  if (!util::istarts_with(args, prefix)) {
    error = {501, "5.5.4", "Syntax: " + std::string(allow_null ? "MAIL FROM:<address>" : "RCPT TO:<address>")};
    return std::nullopt;
  }
  auto rest = args.substr(prefix.size());
  // Tolerate "MAIL FROM: <a@b>": common in the wild, harmless to accept.
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  std::string_view after;
  auto addr = mail::parse_path(rest, allow_null, utf8, after);
  if (!addr) {
    error = {501, allow_null ? "5.1.7" : "5.1.3", "Bad " + std::string(allow_null ? "sender" : "recipient") + " address syntax"};
    return std::nullopt;
  }
  PathCommand out{*addr, {}};
  if (!after.empty() && after.front() != ' ') {
    error = {501, "5.5.4", "Syntax error after the address"};
    return std::nullopt;
  }
  for (const auto& p : util::split_list(after, ' ')) {
    auto eq = p.find('=');
    auto key = util::to_upper(p.substr(0, eq));
    std::string value = eq == std::string::npos ? "" : p.substr(eq + 1);
    if (!valid_esmtp_keyword(key) || (eq != std::string::npos && !valid_esmtp_value(value))) {
      error = {501, "5.5.4", "Bad parameter syntax: " + p};
      return std::nullopt;
    }
    if (out.params.count(key)) {
      error = {501, "5.5.4", "Duplicate parameter " + key};
      return std::nullopt;
    }
    out.params[key] = value;
  }
  return out;
}

}  // namespace postern::smtp
