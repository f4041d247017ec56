// Reassembles a message from DATA lines (RFC 5321 §4.5.2) and defends against SMTP
// smuggling the way Postfix's smtpd_forbid_bare_newline does: only <CRLF>.<CRLF> ends the
// message — a "." line that ends in a bare LF, or that follows a line ending in a bare LF,
// is content. Lines ending in a bare LF are stored with CRLF ("normalize"), and counted so
// the session can refuse the message instead ("reject"). Bare CR is kept as content and
// never ends anything. Pure: the session feeds raw lines as they arrive.
#pragma once
#include <string>
#include <string_view>

namespace postern::smtp {

class DataReader {
 public:
  DataReader(size_t max_size, size_t max_line) : max_size_(max_size), max_line_(max_line) {}

  // `line` is one raw line including its terminating LF (and CR, if any). A line longer
  // than max_line may be fed in pieces with `partial` set on all but the last piece.
  // Returns true when this line was the end-of-data marker.
  bool feed(std::string_view line, bool partial = false);

  const std::string& message() const { return message_; }
  std::string take_message() { return std::move(message_); }
  size_t size() const { return size_; }  // octets received, even past the limit
  bool too_big() const { return size_ > max_size_; }
  bool line_too_long() const { return line_too_long_; }
  bool saw_bare_lf() const { return bare_lf_ > 0; }
  // Keep reading to the end marker but store nothing more (the caller will refuse the message).
  void stop_storing() { discard_ = true; }

 private:
  size_t max_size_, max_line_;
  std::string message_;
  size_t size_ = 0;
  size_t bare_lf_ = 0;
  size_t current_line_ = 0;  // length so far of a line fed in pieces
  bool line_too_long_ = false;
  bool prev_crlf_ = true;      // did the previous complete line end in CRLF (or is this the first)?
  bool in_partial_ = false;
  bool pending_cr_ = false;    // a piece ended in CR; it belongs to whatever follows
  bool discard_ = false;
  void append(std::string_view bytes);
};

}  // namespace postern::smtp
