#include "smtp/proto/data_reader.h"

namespace postern::smtp {

bool DataReader::feed(std::string_view line, bool partial) {
  bool continuing = in_partial_;
  in_partial_ = partial;
  current_line_ = continuing ? current_line_ + line.size() : line.size();
  if (current_line_ > max_line_) line_too_long_ = true;

  std::string_view content = line;
  bool crlf = false, lf = false;
  if (!partial) {
    if (content.size() >= 2 && content.substr(content.size() - 2) == "\r\n") {
      crlf = true;
      content.remove_suffix(2);
    } else if (!content.empty() && content.back() == '\n') {
      lf = true;
      content.remove_suffix(1);
    }
    if (!continuing && crlf && prev_crlf_ && content == ".") return true;
  }
  // Dot-unstuffing applies to the first piece of a line only.
  if (!continuing && !content.empty() && content.front() == '.') content.remove_prefix(1);
  size_ += content.size() + ((crlf || lf) ? 2 : 0);
  if (size_ <= max_size_) {
    message_.append(content.data(), content.size());
    if (crlf || lf) message_ += "\r\n";
  }
  if (lf) ++bare_lf_;
  if (!partial) prev_crlf_ = crlf;
  return false;
}

}  // namespace postern::smtp
