// Fuzzes the TLSRPT record parser (RFC 8460 §3), fed from DNS answers anyone can publish:
// never crashes, and an accepted record always has at least one non-empty rua URI.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tlsrpt/txt_record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto rec = postern::tlsrpt::parse_txt_record(text);
  if (rec) {
    if (rec->rua.empty()) __builtin_trap();
    for (const auto& field : rec->rua)
      for (const auto& uri : field)
        if (uri.empty()) __builtin_trap();
    rec->mailto_addresses();
    rec->https_uris();
  }
  return 0;
}
