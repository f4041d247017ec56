// An immutable, typed view of the effective configuration at one moment. The daemon holds a
// shared_ptr to the current snapshot and swaps it atomically when settings change; a session
// keeps the snapshot it started with. Reading a key that is not in the registry, or with the
// wrong type, is a programming error and throws std::logic_error.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "util/cidr.h"

namespace postern::config {

struct ListenAddress {
  std::string host;  // "0.0.0.0", "::1" (no brackets)
  int port = 0;
  std::string str() const;
};

class Snapshot {
 public:
  // `overrides` are the stored (already validated) values; registry defaults fill the rest.
  explicit Snapshot(const std::map<std::string, std::string>& overrides, long long serial = 0);

  bool flag(const std::string& key) const;
  long long number(const std::string& key) const;
  long long seconds(const std::string& key) const;  // Duration settings
  const std::string& text(const std::string& key) const;
  std::vector<ListenAddress> listeners(const std::string& key) const;
  const std::vector<util::Cidr>& lan() const { return lan_; }
  const std::map<std::string, std::string>& values() const { return values_; }
  long long serial() const { return serial_; }
  // The name the server announces: smtp.hostname, or the system's host name when empty.
  std::string host_name() const;

 private:
  std::map<std::string, std::string> values_;
  std::vector<util::Cidr> lan_;
  long long serial_;
};

using SnapshotPtr = std::shared_ptr<const Snapshot>;

}  // namespace postern::config
