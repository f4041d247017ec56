#include "policy/anvil.h"

#include <chrono>

namespace postern::policy {

namespace {
constexpr int64_t kWindow = 60;
constexpr size_t kSweepEvery = 1024;

int64_t steady_seconds() {
  using namespace std::chrono;
  return duration_cast<seconds>(steady_clock::now().time_since_epoch()).count();
}
}  // namespace

Anvil::Anvil(Clock clock) : clock_(clock ? std::move(clock) : Clock(steady_seconds)) {}

long long Anvil::Window::hit(int64_t now) {
  if (count == 0 || now >= start + kWindow) {
    start = now;
    count = 0;
  }
  return ++count;
}

Anvil::Result Anvil::connect(const std::string& client, const AnvilLimits& limits) {
  auto now = clock_();
  std::lock_guard<std::mutex> lock(mu_);
  if (++calls_ % kSweepEvery == 0) sweep(now);
  auto& e = clients_[client];
  // Every attempt counts toward the rate, refused ones included: a client hammering the
  // port while blocked stays blocked for the rest of its window, not longer.
  long long rate = e.connections.hit(now);
  if (limits.connections_per_min > 0 && rate > limits.connections_per_min)
    return {Refusal::ConnectionRate, rate, e.connections.start + kWindow};
  if (limits.concurrent > 0 && e.open >= limits.concurrent) return {Refusal::Concurrency, e.open, 0};
  ++e.open;
  return {Refusal::None, e.open, 0};
}

void Anvil::disconnect(const std::string& client) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = clients_.find(client);
  if (it != clients_.end() && it->second.open > 0) --it->second.open;
}

Anvil::Result Anvil::message(const std::string& client, const AnvilLimits& limits) {
  auto now = clock_();
  std::lock_guard<std::mutex> lock(mu_);
  auto& e = clients_[client];
  long long rate = e.messages.hit(now);
  if (limits.messages_per_min > 0 && rate > limits.messages_per_min)
    return {Refusal::MessageRate, rate, e.messages.start + kWindow};
  return {Refusal::None, rate, 0};
}

long long Anvil::unknown_recipient(const std::string& client, long long day) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& e = clients_[client];
  if (e.unknown_day != day) {
    e.unknown_day = day;
    e.unknown = 0;
  }
  return ++e.unknown;
}

long long Anvil::open_connections(const std::string& client) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = clients_.find(client);
  return it == clients_.end() ? 0 : it->second.open;
}

void Anvil::sweep(int64_t now) {
  // XXX: the unknown-recipient count of a client with no other activity is forgotten when
  // its entry is swept; by then the block it led to (if any) is stored in postern.db.
  for (auto it = clients_.begin(); it != clients_.end();) {
    const auto& e = it->second;
    bool idle = e.open == 0 && now >= e.connections.start + kWindow && now >= e.messages.start + kWindow;
    it = idle ? clients_.erase(it) : std::next(it);
  }
}

}  // namespace postern::policy
