// One message as IMAP FETCH and SEARCH see it: the raw bytes (CRLF line ends), and, parsed
// by GMime on first need, ENVELOPE, BODY/BODYSTRUCTURE and BODY[section] texts
// (RFC 3501 §6.4.5, §7.4.2). No MIME parsing of our own: part boundaries, headers,
// parameters and addresses all come from GMime.
// Errors: a message GMime cannot make sense of still answers (as a single text part);
// load() throws std::system_error when the file cannot be read.
// Threading: a view belongs to one thread; init_mime() once before any thread uses views.
#pragma once
#include <ctime>
#include <memory>
#include <optional>
#include <string>

#include "imap/proto/fetch_items.h"

namespace postern::mailbox {

void init_mime();

class MessageView {
 public:
  // Reads the file; bare LF line ends become CRLF.
  static MessageView load(const std::string& path);
  explicit MessageView(std::string crlf_content);
  ~MessageView();
  MessageView(MessageView&&) noexcept;
  MessageView& operator=(MessageView&&) = delete;

  const std::string& content() const { return content_; }
  std::string envelope();
  std::string body_structure(bool extended);
  // The bytes of a section; empty when the part does not exist (as RFC 3501 asks).
  std::string section(const imap::Section& s);
  // Decoded (UTF-8) value of a header field of the top-level message, all occurrences joined.
  std::string header_text(const std::string& field);
  // The message's Date: header as seconds since the epoch.
  std::optional<std::time_t> sent_date();
  // Decoded text of every text part (for SEARCH BODY / TEXT).
  std::string body_text();

 private:
  struct Mime;
  Mime& mime();
  std::string content_;
  std::unique_ptr<Mime> mime_;
};

std::string to_crlf(std::string s);

}  // namespace postern::mailbox
