// MAIL FROM (RFC 5321 §4.1.1.2) with SIZE (RFC 1870), BODY (RFC 6152), SMTPUTF8 (RFC 6531),
// REQUIRETLS (RFC 8689, only under TLS).
#include "smtp/server/session.h"
#include "util/strings.h"

namespace postern::smtp {

Session::Next Session::cmd_mail(const Command& cmd) {
  if (sender_) return error(503, "5.5.1", "Nested MAIL command");
  bool utf8 = mentions_smtputf8(cmd.args);
  ParseError perr;
  auto parsed = parse_path_command(cmd.args, "FROM:", true, utf8, perr);
  if (!parsed) return error(perr.code, perr.enhanced, perr.text);

  long long max_bytes = cfg_.number("smtp.max_message_size_mb") * 1024 * 1024;
  long long declared = 0;
  bool requiretls = false;
  for (const auto& [key, value] : parsed->params) {
    if (key == "SIZE") {
      if (!util::parse_int(value, declared) || declared < 0) return error(501, "5.5.4", "Bad SIZE parameter");
      if (declared > max_bytes)
        return error(552, "5.3.4", "Message size exceeds fixed limit of " + std::to_string(max_bytes) + " bytes");
    } else if (key == "BODY") {
      auto v = util::to_upper(value);
      if (v != "7BIT" && v != "8BITMIME") return error(501, "5.5.4", "BODY must be 7BIT or 8BITMIME");
    } else if (key == "SMTPUTF8") {
      if (!value.empty()) return error(501, "5.5.4", "SMTPUTF8 takes no value");
    } else if (key == "REQUIRETLS" && cfg_.flag("smtp.requiretls")) {
      if (!value.empty()) return error(501, "5.5.4", "REQUIRETLS takes no value");
      // Advertised only under TLS; a message that demands TLS must not arrive without it.
      if (!io_.tls()) return error(530, "5.7.10", "REQUIRETLS needs a TLS session: issue STARTTLS first");
      requiretls = true;
    } else if (key == "AUTH") {
      // RFC 4954 §5: accepted and not trusted; we know who authenticated ourselves.
    } else {
      return error(555, "5.5.4", "Unsupported parameter " + key);
    }
  }
  // Like Postfix's queue_minfree: refuse early rather than fail at the end of DATA.
  auto free = svc_.queue.free_space();
  if (free && *free < uint64_t(cfg_.number("queue.min_free_mb")) * 1024 * 1024 + uint64_t(declared))
    return error(452, "4.3.1", "Insufficient system storage, try again later");
  // SPF is judged among the MAIL checks and refused per recipient (daemon/spf_check.h);
  // its headers wait in ctx_.notes.
  auto verdict = svc_.policy.check_mail(ctx_, parsed->address, cfg_);
  for (const auto& line : ctx_.log_lines) log(line);
  ctx_.log_lines.clear();
  if (verdict.refused()) return refuse(verdict);
  sender_ = parsed->address;
  smtputf8_ = utf8;
  requiretls_ = requiretls;
  reply(250, "2.1.0", "Sender <" + sender_->str() + "> OK");
  return Next::Continue;
}

}  // namespace postern::smtp
