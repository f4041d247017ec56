// The commands with no arguments worth a file each: RSET, NOOP, QUIT, VRFY, EXPN, ETRN, HELP.
// RSET, NOOP, VRFY and ETRN are "junk" to policy (SEC-5), counted in dispatch().
#include "smtp/server/session.h"

namespace postern::smtp {

Session::Next Session::cmd_simple(const Command& cmd) {
  switch (cmd.verb) {
    case Verb::Rset:
      reset_transaction();
      reply(250, "2.0.0", "Ok");
      return Next::Continue;
    case Verb::Noop:
      reply(250, "2.0.0", "Ok");
      return Next::Continue;
    case Verb::Quit:
      reply(221, "2.0.0", "Bye");
      closing_ = true;
      return Next::Close;
    case Verb::Vrfy:
      // Never confirm accounts to strangers (address harvesting).
      reply(252, "2.5.2", "Cannot VRFY user, but will accept message and attempt delivery");
      return Next::Continue;
    case Verb::Expn:
      return error(502, "5.5.1", "EXPN is disabled");
    case Verb::Etrn:
      reply(502, "5.5.1", "ETRN is not supported");
      return Next::Continue;
    default:
      reply(214, "2.0.0", "See RFC 5321; commands: HELO EHLO STARTTLS AUTH MAIL RCPT DATA RSET NOOP QUIT");
      return Next::Continue;
  }
}

}  // namespace postern::smtp
