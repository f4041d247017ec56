// The outcome of a policy check: accept, or refuse with the SMTP reply to send.
#pragma once
#include <string>

namespace postern::policy {

struct Verdict {
  enum Kind { Accept, Reject, TempFail } kind = Accept;
  int code = 250;
  std::string enhanced = "2.0.0";
  std::string text;

  static Verdict accept() { return {}; }
  static Verdict reject(int code, std::string enhanced, std::string text) {
    return {Reject, code, std::move(enhanced), std::move(text)};
  }
  static Verdict tempfail(std::string text) { return {TempFail, 451, "4.3.0", std::move(text)}; }
  bool accepted() const { return kind == Accept; }
};

}  // namespace postern::policy
