#include "imap/proto/command.h"

#include "util/strings.h"

namespace postern::imap {

bool Value::is_nil() const { return kind == Kind::Atom && util::iequals(text, "NIL"); }

namespace {

class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}

  bool done() const { return pos_ >= s_.size(); }

  // Reads values until the end (depth 0) or a closing parenthesis (depth > 0).
  bool values(std::vector<Value>& out, int depth, std::string& error) {
    for (bool first = true;; first = false) {
      if (done()) {
        if (depth > 0) return fail(error, "unbalanced parenthesis");
        return true;
      }
      if (s_[pos_] == ')') {
        if (depth == 0) return fail(error, "unexpected ')'");
        ++pos_;
        return true;
      }
      if (!first) {
        if (s_[pos_] != ' ') return fail(error, "expected a space between arguments");
        while (!done() && s_[pos_] == ' ') ++pos_;
        if (done()) return depth == 0 ? true : fail(error, "unbalanced parenthesis");
        if (s_[pos_] == ')') continue;
      }
      Value v;
      if (!value(v, depth, error)) return false;
      out.push_back(std::move(v));
    }
  }

 private:
  bool fail(std::string& error, const std::string& what) {
    error = what;
    return false;
  }

  bool value(Value& v, int depth, std::string& error) {
    char c = s_[pos_];
    if (c == '(') {
      if (depth > 32) return fail(error, "lists nested too deeply");
      ++pos_;
      v.kind = Value::Kind::List;
      return values(v.items, depth + 1, error);
    }
    if (c == '"') return quoted(v, error);
    if (c == '{') return literal(v, error);
    return atom(v, error);
  }

  bool quoted(Value& v, std::string& error) {
    v.kind = Value::Kind::String;
    ++pos_;
    while (!done()) {
      char c = s_[pos_++];
      if (c == '"') return true;
      if (c == '\r' || c == '\n' || c == '\0') return fail(error, "control character in quoted string");
      if (c == '\\') {
        if (done() || (s_[pos_] != '\\' && s_[pos_] != '"')) return fail(error, "bad escape in quoted string");
        c = s_[pos_++];
      }
      v.text += c;
    }
    return fail(error, "unterminated quoted string");
  }

  bool literal(Value& v, std::string& error) {
    size_t close = s_.find('}', pos_);
    if (close == std::string_view::npos) return fail(error, "bad literal");
    long long n;
    if (!util::parse_int(s_.substr(pos_ + 1, close - pos_ - 1), n) || n < 0) return fail(error, "bad literal size");
    if (s_.substr(close + 1, 2) != "\r\n" || s_.size() - (close + 3) < size_t(n))
      return fail(error, "literal does not match its size");
    v.kind = Value::Kind::String;
    v.literal = true;
    v.text = std::string(s_.substr(close + 3, size_t(n)));
    pos_ = close + 3 + size_t(n);
    return true;
  }

  // 8-bit bytes are accepted in atoms: clients send UTF-8 search strings unquoted.
  static bool atom_char(char ch) {
    unsigned char c = static_cast<unsigned char>(ch);
    return c > ' ' && c != 0x7f && c != '(' && c != ')' && c != '{' && c != '"';
  }

  bool atom(Value& v, std::string& error) {
    v.kind = Value::Kind::Atom;
    size_t start = pos_;
    while (!done()) {
      char c = s_[pos_];
      if (c == '[') {
        // A section: spaces and parentheses belong to it up to the closing bracket.
        size_t close = s_.find(']', pos_);
        if (close == std::string_view::npos) return fail(error, "unterminated '['");
        for (size_t i = pos_; i < close; ++i)
          if (s_[i] == '\r' || s_[i] == '\n' || s_[i] == '\0') return fail(error, "control character in section");
        pos_ = close + 1;
        continue;
      }
      if (!atom_char(c) && c != '{') break;
      if (c == '{') break;
      ++pos_;
    }
    if (pos_ == start) return fail(error, std::string("unexpected character '") + s_[pos_] + "'");
    v.text = std::string(s_.substr(start, pos_ - start));
    return true;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

bool tag_char(char c) { return c > ' ' && c < 0x7f && c != '(' && c != ')' && c != '{' && c != '"' && c != '%' && c != '*' && c != '+' && c != '\\' && c != ']'; }

}  // namespace

std::optional<std::vector<Value>> parse_values(std::string_view text, std::string& error) {
  std::vector<Value> out;
  Scanner sc(text);
  if (!sc.values(out, 0, error)) return std::nullopt;
  return out;
}

std::optional<Command> parse_command(std::string_view wire, std::string& tag, std::string& error) {
  tag.clear();
  size_t sp = wire.find(' ');
  std::string_view t = wire.substr(0, sp);
  for (char c : t)
    if (!tag_char(c)) {
      error = "invalid tag";
      return std::nullopt;
    }
  if (t.empty()) {
    error = "missing tag";
    return std::nullopt;
  }
  tag = std::string(t);
  if (sp == std::string_view::npos || sp + 1 >= wire.size()) {
    error = "missing command";
    return std::nullopt;
  }
  std::string_view rest = wire.substr(sp + 1);
  size_t sp2 = rest.find(' ');
  Command cmd;
  cmd.tag = tag;
  cmd.name = util::to_upper(rest.substr(0, sp2));
  for (char c : cmd.name)
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) {
      error = "invalid command name";
      return std::nullopt;
    }
  if (sp2 != std::string_view::npos) {
    auto args = parse_values(rest.substr(sp2 + 1), error);
    if (!args) return std::nullopt;
    cmd.args = std::move(*args);
  }
  if (cmd.name == "UID") {
    if (cmd.args.empty() || !cmd.args[0].is_atom()) {
      error = "UID needs a command";
      return std::nullopt;
    }
    cmd.name += " " + util::to_upper(cmd.args[0].text);
    cmd.args.erase(cmd.args.begin());
  }
  return cmd;
}

}  // namespace postern::imap
