#include "imap/proto/command_reader.h"

#include <algorithm>

namespace postern::imap {

namespace {

// Finds a literal announcement "{123}" or "{123+}" at the end of a line.
bool literal_at_end(const std::string& line, uint64_t& size, bool& sync, size_t& open) {
  if (line.empty() || line.back() != '}') return false;
  size_t close = line.size() - 1;
  size_t end = close;
  sync = true;
  if (end > 0 && line[end - 1] == '+') {
    sync = false;
    --end;
  }
  open = line.rfind('{', end);
  if (open == std::string::npos || open + 1 == end) return false;
  size = 0;
  for (size_t i = open + 1; i < end; ++i) {
    if (line[i] < '0' || line[i] > '9') return false;
    if (size > (UINT64_MAX - 9) / 10) return false;
    size = size * 10 + uint64_t(line[i] - '0');
  }
  return end - open - 1 <= 19;
}

}  // namespace

CommandReader::Event CommandReader::next(std::string& in) {
  size_t used = 0;
  auto finish = [&](Event e) {
    in.erase(0, used);
    return e;
  };
  for (;;) {
    if (literal_left_ > 0) {
      size_t n = size_t(std::min<uint64_t>(literal_left_, in.size() - used));
      cmd_.append(in, used, n);
      used += n;
      literal_left_ -= n;
      if (literal_left_ > 0) return finish(Event::None);
    }
    size_t nl = in.find('\n', used);
    if (nl == std::string::npos) {
      if (in.size() - used > max_line_) return finish(Event::LineTooLong);
      return finish(Event::None);
    }
    std::string line = in.substr(used, nl - used);
    used = nl + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.size() > max_line_) {
      cmd_.clear();
      return finish(Event::LineTooLong);
    }
    uint64_t size;
    bool sync;
    size_t open;
    if (literal_at_end(line, size, sync, open)) {
      if (size > max_literal_) {
        std::string whole = cmd_.empty() ? line : cmd_;
        refused_tag_ = whole.substr(0, whole.find(' '));
        refused_size_ = size;
        refused_sync_ = sync;
        cmd_.clear();
        return finish(Event::TooBig);
      }
      cmd_ += line.substr(0, open) + "{" + std::to_string(size) + "}\r\n";
      literal_left_ = size;
      if (sync) return finish(Event::Continue);
      continue;
    }
    cmd_ += line;
    return finish(Event::Command);
  }
}

std::string CommandReader::take() {
  std::string out;
  out.swap(cmd_);
  return out;
}

}  // namespace postern::imap
