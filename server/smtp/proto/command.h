// SMTP command lines (RFC 5321 §4.1) and ESMTP parameters. Pure: no I/O.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "mail/address.h"

namespace postern::smtp {

enum class Verb { Helo, Ehlo, Mail, Rcpt, Data, Bdat, Rset, Noop, Quit, Vrfy, Expn, Help, Etrn, StartTls, Auth, Unknown };

struct Command {
  Verb verb = Verb::Unknown;
  std::string name;  // upper-cased verb as sent, for logs and replies
  std::string args;  // everything after the verb and one space, line end removed
};

// `line` without its line end.
Command parse_command(std::string_view line);

// Parsed "MAIL FROM:<path> params" / "RCPT TO:<path> params".
struct PathCommand {
  mail::Address address;
  std::map<std::string, std::string> params;  // keyword upper-cased -> value ("" when none)
};

struct ParseError {
  int code;
  std::string enhanced;
  std::string text;
};

// Parses the arguments of MAIL (`prefix` "FROM:") or RCPT ("TO:"). `utf8` is decided by the
// caller from the SMTPUTF8 parameter, so MAIL is parsed in two passes by the session.
std::optional<PathCommand> parse_path_command(std::string_view args, std::string_view prefix, bool allow_null,
                                              bool utf8, ParseError& error);

// True when the raw MAIL arguments carry the SMTPUTF8 keyword (needed before the path is parsed).
bool mentions_smtputf8(std::string_view args);

}  // namespace postern::smtp
