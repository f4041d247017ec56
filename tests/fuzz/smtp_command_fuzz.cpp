// Fuzzes what an SMTP client controls first: the command line, and the MAIL/RCPT paths and
// ESMTP parameters parsed from it, in both the ASCII and the SMTPUTF8 grammar.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "smtp/proto/command.h"

using namespace postern::smtp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  Command cmd = parse_command(line);
  if (cmd.verb == Verb::Mail || cmd.verb == Verb::Rcpt) {
    bool mail = cmd.verb == Verb::Mail;
    for (bool utf8 : {false, mentions_smtputf8(cmd.args)}) {
      ParseError error;
      auto parsed = parse_path_command(cmd.args, mail ? "FROM:" : "TO:", mail, utf8, error);
      // A refusal must say why, with a reply code the session can send.
      if (!parsed && (error.code < 400 || error.code > 599 || error.text.empty())) __builtin_trap();
    }
  }
  return 0;
}
