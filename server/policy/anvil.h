// Per-client counters in memory, like Postfix's anvil (SEC-4, SEC-5): simultaneous
// connections, new connections per minute, messages (MAIL commands) per minute, and
// nonexistent local recipients per day. A rate window opens at a client's first event
// and lasts 60 seconds; a client over a rate limit stays refused until its window ends.
// Nothing is persisted: a restart forgets the counters (blocks that must survive one are
// stored by the engine in store::AccessTables).
// The clock is injected so unit tests can step time. Memory: entries of idle clients are
// swept once their windows have ended.
// Threading: any thread (one mutex).
#pragma once
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace postern::policy {

struct AnvilLimits {
  long long concurrent = 0;          // 0 = no limit
  long long connections_per_min = 0;
  long long messages_per_min = 0;
};

class Anvil {
 public:
  enum class Refusal { None, Concurrency, ConnectionRate, MessageRate };
  struct Result {
    Refusal refusal = Refusal::None;
    long long count = 0;   // the counter that decided (connections open, or events in the window)
    int64_t until = 0;     // for rate refusals: when the window ends (clock seconds)
    bool ok() const { return refusal == Refusal::None; }
  };
  using Clock = std::function<int64_t()>;  // seconds, monotonic

  explicit Anvil(Clock clock = {});

  // A new connection. When the result is ok the connection is counted as open and the
  // caller must call disconnect() once for it.
  Result connect(const std::string& client, const AnvilLimits& limits);
  void disconnect(const std::string& client);
  // A MAIL command from the client.
  Result message(const std::string& client, const AnvilLimits& limits);
  // One more nonexistent local recipient from the client on `day` (any number that
  // changes at midnight); returns the client's count for that day.
  long long unknown_recipient(const std::string& client, long long day);
  // Connections open now (for tests and statistics).
  long long open_connections(const std::string& client);
  int64_t now() const { return clock_(); }

 private:
  struct Window {
    int64_t start = 0;
    long long count = 0;
    // Counts one event; returns the count in the current window.
    long long hit(int64_t now);
  };
  struct Entry {
    long long open = 0;
    Window connections, messages;
    long long unknown_day = -1, unknown = 0;
  };
  void sweep(int64_t now);

  Clock clock_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> clients_;
  size_t calls_ = 0;
};

}  // namespace postern::policy
