// Reads a server's SMTP reply (RFC 5321 §4.2), one line at a time, as the outbound client
// receives it: "250-first", "250-second", "250 last". Pure: no I/O.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "smtp/proto/reply.h"

namespace postern::smtp {

class ReplyParser {
 public:
  enum class Step { More, Done, Malformed };
  // `line` without its line end. After Done, reply() holds the complete reply.
  Step feed(std::string_view line);
  const Reply& reply() const { return reply_; }
  void reset() { reply_ = Reply(); started_ = false; }

 private:
  Reply reply_;
  bool started_ = false;
};

// The enhanced status code at the start of `text` ("5.1.1 User unknown" -> "5.1.1"), or "".
std::string leading_enhanced_code(std::string_view text);

}  // namespace postern::smtp
