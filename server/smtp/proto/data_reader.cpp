#include "smtp/proto/data_reader.h"

namespace postern::smtp {

void DataReader::append(std::string_view bytes) {
  size_ += bytes.size();
  if (size_ <= max_size_ && !discard_) message_.append(bytes.data(), bytes.size());
}

bool DataReader::feed(std::string_view line, bool partial) {
  bool continuing = in_partial_;
  in_partial_ = partial;
  current_line_ = continuing ? current_line_ + line.size() : line.size();
  if (current_line_ > max_line_) line_too_long_ = true;
  // A CR that ended the previous piece may be the first half of this line's CRLF.
  bool held_cr = pending_cr_;
  pending_cr_ = false;

  std::string_view content = line;
  bool crlf = false, lf = false;
  if (!partial) {
    if (content.size() >= 2 && content.substr(content.size() - 2) == "\r\n") {
      crlf = true;
      content.remove_suffix(2);
    } else if (!content.empty() && content.back() == '\n') {
      content.remove_suffix(1);
      if (content.empty() && held_cr) {
        crlf = true;
        held_cr = false;
      } else {
        lf = true;
      }
    }
    if (!continuing && crlf && prev_crlf_ && content == ".") return true;
  } else if (!content.empty() && content.back() == '\r') {
    pending_cr_ = true;
    content.remove_suffix(1);
  }
  if (held_cr) append("\r");
  // Dot-unstuffing applies to the first piece of a line only.
  if (!continuing && !content.empty() && content.front() == '.') content.remove_prefix(1);
  append(content);
  if (crlf || lf) append("\r\n");
  if (lf) ++bare_lf_;
  if (!partial) prev_crlf_ = crlf;
  return false;
}

}  // namespace postern::smtp
