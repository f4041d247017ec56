// SEARCH criteria (RFC 3501 §6.4.4) as a tree. Pure: evaluation against messages is the
// session's business. CHARSET is handled by the caller before the keys.
#pragma once
#include <cstdint>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "imap/proto/command.h"
#include "imap/proto/sequence_set.h"

namespace postern::imap {

struct SearchKey {
  enum class Op {
    All, And, Or, Not,
    Sequence, Uid,
    Flag,     // text = "\\Seen" etc.; covers ANSWERED/DELETED/... and KEYWORD
    NoFlag,   // UNANSWERED, UNKEYWORD, ...
    New, Old, Recent,
    Header,   // text = field (upper case), value; FROM/TO/CC/BCC/SUBJECT too
    Body, Text,
    Before, On, Since,              // internal date
    SentBefore, SentOn, SentSince,  // Date: header
    Larger, Smaller,
  };
  Op op = Op::All;
  std::string text, value;
  std::time_t date = 0;
  uint64_t number = 0;
  std::optional<SequenceSet> set;
  std::vector<SearchKey> children;
};

// Parses the whole program (implicitly an AND of its keys) from `args[from..]`.
std::optional<SearchKey> parse_search(const std::vector<Value>& args, size_t from, std::string& error);

}  // namespace postern::imap
