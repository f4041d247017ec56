// Frames an IMAP client's byte stream into complete commands (RFC 3501 §2.2, §4.3;
// RFC 7888 LITERAL+). A command is one line plus any literals it announces; the reader
// asks the session to send "+" before a synchronizing literal, and refuses a literal above
// the limit before a byte of it is read. The framed command keeps the wire syntax
// (literals as "{n}\r\n" followed by n bytes, the "+" of {n+} removed) for parse_command.
// Pure: no I/O. Errors are events, never exceptions.
// Threading: one reader per connection.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace postern::imap {

class CommandReader {
 public:
  enum class Event {
    None,         // needs more input
    Command,      // take() returns a complete command
    Continue,     // a synchronizing literal was announced: send "+ ..." then feed more
    TooBig,       // a literal above the limit: the command is dropped (see literal_sync())
    LineTooLong,  // a line above the limit without end: the connection should close
  };

  CommandReader(size_t max_line, uint64_t max_literal) : max_line_(max_line), max_literal_(max_literal) {}

  // Consumes bytes from the front of `in` up to the next event.
  Event next(std::string& in);
  std::string take();
  // The limit changes with the session state (small before login).
  void set_max_literal(uint64_t max) { max_literal_ = max; }
  // After TooBig: the tag of the refused command, the literal's size and whether it was
  // synchronizing (the client then sends nothing more for it; with {n+} it is already
  // sending the bytes, so the connection must close).
  const std::string& refused_tag() const { return refused_tag_; }
  uint64_t refused_size() const { return refused_size_; }
  bool refused_sync() const { return refused_sync_; }

 private:
  size_t max_line_;
  uint64_t max_literal_;
  std::string cmd_;
  uint64_t literal_left_ = 0;
  std::string refused_tag_;
  uint64_t refused_size_ = 0;
  bool refused_sync_ = true;
};

}  // namespace postern::imap
