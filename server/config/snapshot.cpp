#include "config/snapshot.h"

#include <stdexcept>

#include "config/registry.h"
#include "util/host_name.h"
#include "util/strings.h"

namespace postern::config {

std::string ListenAddress::str() const {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Snapshot::Snapshot(const std::map<std::string, std::string>& overrides, long long serial) : serial_(serial) {
  for (const auto& s : all_settings()) {
    auto it = overrides.find(s.key);
    values_[s.key] = it != overrides.end() ? it->second : s.default_value;
  }
  for (const auto& item : util::split_list(values_.at("network.lan")))
    if (auto c = util::Cidr::parse(item)) lan_.push_back(*c);
}

namespace {
const Setting& typed(const std::string& key, Type t) {
  const Setting* s = find_setting(key);
  if (!s || s->type != t) throw std::logic_error("setting " + key + " read with the wrong type");
  return *s;
}
}  // namespace

bool Snapshot::flag(const std::string& key) const {
  typed(key, Type::Bool);
  return values_.at(key) == "true";
}

long long Snapshot::number(const std::string& key) const {
  typed(key, Type::Int);
  long long n = 0;
  util::parse_int(values_.at(key), n);
  return n;
}

long long Snapshot::seconds(const std::string& key) const {
  typed(key, Type::Duration);
  return parse_duration(values_.at(key)).value_or(0);
}

const std::string& Snapshot::text(const std::string& key) const {
  if (!find_setting(key)) throw std::logic_error("unknown setting " + key);
  return values_.at(key);
}

std::vector<ListenAddress> Snapshot::listeners(const std::string& key) const {
  typed(key, Type::ListenList);
  std::vector<ListenAddress> out;
  for (const auto& item : util::split_list(values_.at(key))) {
    auto colon = item.rfind(':');
    ListenAddress a;
    a.host = item.substr(0, colon);
    if (a.host.size() > 2 && a.host.front() == '[') a.host = a.host.substr(1, a.host.size() - 2);
    long long port = 0;
    util::parse_int(item.substr(colon + 1), port);
    a.port = int(port);
    out.push_back(a);
  }
  return out;
}

std::string Snapshot::host_name() const {
  const auto& configured = text("smtp.hostname");
  return configured.empty() ? util::system_host_name() : configured;
}

}  // namespace postern::config
