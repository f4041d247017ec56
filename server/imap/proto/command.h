// The syntax of one framed IMAP command (RFC 3501 §9): a tag, a command name and a list of
// arguments — atoms, strings (quoted or literal) and parenthesized lists. Section
// specifiers such as BODY[HEADER.FIELDS (FROM)]<0.10> stay one atom, to be read by
// parse_fetch_items. "UID FETCH" becomes the name "UID FETCH".
// Pure: no I/O. A malformed command yields std::nullopt with a message for a tagged BAD.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern::imap {

struct Value {
  enum class Kind { Atom, String, List };
  Kind kind = Kind::Atom;
  std::string text;          // atom or string contents
  std::vector<Value> items;  // list members
  bool literal = false;      // the string came as a literal

  bool is_atom() const { return kind == Kind::Atom; }
  bool is_list() const { return kind == Kind::List; }
  bool is_nil() const;
  // An astring (atom or string); false for lists.
  bool is_astring() const { return kind != Kind::List; }
};

struct Command {
  std::string tag;
  std::string name;  // upper case; "UID FETCH" for UID commands
  std::vector<Value> args;
};

// `error` receives the reason when parsing fails; `tag` is filled whenever one could be read,
// so the BAD can be tagged.
std::optional<Command> parse_command(std::string_view wire, std::string& tag, std::string& error);

// Parses a sequence of arguments on their own (used by tests and by nested grammars).
std::optional<std::vector<Value>> parse_values(std::string_view text, std::string& error);

}  // namespace postern::imap
