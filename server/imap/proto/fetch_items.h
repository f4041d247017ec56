// FETCH data items (RFC 3501 §6.4.5): macros, simple attributes and BODY[section]<partial>.
// Pure. Unknown or malformed items make parse_fetch_items return nullopt with a reason.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "imap/proto/command.h"

namespace postern::imap {

struct Section {
  enum class Text { Full, Header, HeaderFields, HeaderFieldsNot, Text, Mime };
  std::vector<uint32_t> part;  // 1.2.3 -> {1,2,3}; empty for the whole message
  Text text = Text::Full;
  std::vector<std::string> fields;  // upper case, for HEADER.FIELDS[.NOT]
  std::string spec;                 // canonical text between the brackets, for the reply
};

struct FetchItem {
  enum class Kind { Flags, Uid, InternalDate, Size, Envelope, BodyStructure, Body, Section, Rfc822, Rfc822Header, Rfc822Text };
  Kind kind;
  Section section{};  // Kind::Section
  bool peek = false;
  bool partial = false;
  uint64_t offset = 0, length = 0;
};

std::optional<std::vector<FetchItem>> parse_fetch_items(const Value& v, std::string& error);
std::optional<Section> parse_section(std::string_view spec, std::string& error);
// Whether serving these items sets \Seen (a non-peek body part or RFC822 / RFC822.TEXT).
bool fetch_sets_seen(const std::vector<FetchItem>& items);

}  // namespace postern::imap
