// The durable queue in DIR/queue/queue.db: a `messages` row (body included) and one
// `envelopes` row per recipient. A recipient's row is deleted when it is delivered, and the
// message row when no recipient is left, so a crash never re-delivers to a finished
// recipient and never loses an unfinished one. All writes go through the Writer.
// Threading: safe from any thread; reads use their own connection under a mutex.
#pragma once
#include <cstdint>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "queue/message.h"
#include "queue/writer.h"

namespace postern::queue {

class QueueStore {
 public:
  explicit QueueStore(const std::string& queue_dir);

  // Stores the message and its envelopes; the future resolves once it is on disk. Taken
  // by value: callers move the message in, so a large body is never copied.
  std::future<void> enqueue(Message msg);
  // Recipients whose next try is due, oldest first, skipping `route` others.
  std::vector<Envelope> due(Route route, int64_t now, size_t limit);
  // The same, among envelopes queued after `after_id` only (ids only grow: never reused),
  // in id order: what is new since a scan saw `after_id`.
  std::vector<Envelope> due_after(Route route, int64_t after_id, int64_t now, size_t limit);
  // The highest envelope id queued so far (0 for none).
  int64_t last_envelope_id();
  std::optional<std::string> body(const std::string& message_id);
  std::vector<Envelope> list();
  std::vector<Envelope> envelopes_of(const std::string& message_id);

  // Admin actions on one message; false when no such message is queued.
  enum class Change { Retry, Hold, Release, Delete };
  bool change(const std::string& message_id, Change what);

  std::future<void> mark_delivered(const std::vector<int64_t>& envelope_ids);
  std::future<void> mark_deferred(int64_t envelope_id, int64_t next_try, const std::string& error, bool warned);

  // Bytes free for the queue on its file system (statvfs), or nullopt when it cannot tell.
  std::optional<uint64_t> free_space() const;

  Writer& writer() { return writer_; }

 private:
  static std::string init_schema(const std::string& path);
  std::string dir_;
  std::string path_;
  Writer writer_;
  std::mutex read_mu_;
  store::Db reader_;
};

}  // namespace postern::queue
