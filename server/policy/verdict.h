// The outcome of one policy check, and of a whole stage:
//   Continue  the check has no objection; the next check of the stage runs
//   Permit    the check vouches for the request; the rest of the stage is skipped
//   Reject    refuse with a 5xx (or a 4xx for rate limits) reply
//   Discard   accept the command, then drop the message without telling the client
//   Defer     refuse with a 4xx reply: try again later (every DNS or lookup failure)
// Every refusal carries a specific reply (code, enhanced status, text) and a `reason`,
// the key under which policy::Stats counts it. `close` asks the session to end the
// connection after the reply (421 answers, ACC-3 blocks).
#pragma once
#include <string>

namespace postern::policy {

struct Verdict {
  enum Kind { Continue, Permit, Reject, Discard, Defer } kind = Continue;
  int code = 250;
  std::string enhanced = "2.0.0";
  std::string text;
  std::string reason;  // statistics key such as "client.blacklist"; empty for Continue/Permit
  bool close = false;

  static Verdict next() { return {}; }
  static Verdict permit() { return {Permit, 250, "2.0.0", "", "", false}; }
  static Verdict reject(int code, std::string enhanced, std::string text, std::string reason = "") {
    return {Reject, code, std::move(enhanced), std::move(text), std::move(reason), false};
  }
  static Verdict defer(std::string text, std::string reason = "", int code = 451, std::string enhanced = "4.3.0") {
    return {Defer, code, std::move(enhanced), std::move(text), std::move(reason), false};
  }
  static Verdict tempfail(std::string text) { return defer(std::move(text), "lookup.tempfail"); }
  static Verdict discard(std::string reason) { return {Discard, 250, "2.0.0", "", std::move(reason), false}; }
  Verdict&& closing() && {
    close = true;
    return std::move(*this);
  }

  // The command goes through (Discard too: the client is told 250).
  bool accepted() const { return kind == Continue || kind == Permit || kind == Discard; }
  bool refused() const { return kind == Reject || kind == Defer; }
};

}  // namespace postern::policy
