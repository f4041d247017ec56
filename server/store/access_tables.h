// The black and white lists (SEC-1) and the client blocks (automatic ones from SEC-5 and
// ACC-3, manual ones from the CLI or ACC-2) in DIR/postern.db. This layer persists; what a
// valid rule is, is decided by policy::normalize_access_value before anything is written.
// Every change bumps `access_serial`, so a running daemon sees it at its next check.
// Times are Unix seconds; a block with expires_at 0 never expires.
// Expected refusals (duplicate, unknown id or IP) throw store::Refused.
// Threading: safe from any thread (one connection, one mutex).
#pragma once
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "store/directory.h"
#include "store/sqlite.h"

namespace postern::store {

struct AccessRow {
  int64_t id = 0;
  std::string list;    // black | white
  std::string type;    // ip | cidr | sender | recipient | domain
  std::string value;
  std::string action;  // reject | discard
  int64_t created_at = 0;
};

struct ClientBlock {
  std::string ip;
  std::string reason;
  int64_t created_at = 0;
  int64_t expires_at = 0;  // 0 = until lifted
};

class AccessTables {
 public:
  explicit AccessTables(const std::string& db_path);

  int64_t add_rule(const AccessRow& row);  // returns the new id
  void remove_rule(int64_t id);
  std::vector<AccessRow> rules();
  long long serial();

  // Adds or replaces the block of `block.ip`.
  void block(const ClientBlock& block);
  void lift(const std::string& ip);
  // Blocks in force at `now` (expired ones are deleted on the way).
  std::vector<ClientBlock> blocks(int64_t now);
  std::optional<ClientBlock> active_block(const std::string& ip, int64_t now);

 private:
  void bump();
  std::mutex mu_;
  Db db_;
};

}  // namespace postern::store
