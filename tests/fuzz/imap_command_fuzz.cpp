// Fuzzes what an IMAP client controls: the byte stream framed into commands (literals,
// LITERAL+, line and literal limits), each framed command parsed, and the nested grammars
// a session applies to the arguments (FETCH items and sections, SEARCH keys, mailbox names
// in modified UTF-7).
#include <cstddef>
#include <cstdint>
#include <string>

#include "imap/proto/command.h"
#include "imap/proto/command_reader.h"
#include "imap/proto/fetch_items.h"
#include "imap/proto/mutf7.h"
#include "imap/proto/search_keys.h"

using namespace postern::imap;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string in(reinterpret_cast<const char*>(data), size);
  CommandReader reader(1024, 4096);
  for (int guard = 0; guard < 10000 && !in.empty(); ++guard) {
    auto event = reader.next(in);
    if (event == CommandReader::Event::None || event == CommandReader::Event::LineTooLong) break;
    if (event != CommandReader::Event::Command) continue;
    std::string tag, error;
    auto cmd = parse_command(reader.take(), tag, error);
    if (!cmd) continue;
    for (size_t i = 0; i < cmd->args.size(); ++i) {
      const auto& arg = cmd->args[i];
      parse_fetch_items(arg, error);
      if (arg.is_astring()) {
        mutf7_decode(arg.text);
        parse_section(arg.text, error);
      }
      parse_search(cmd->args, i, error);
    }
  }
  return 0;
}
