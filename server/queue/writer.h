// The single writer of DIR/queue/queue.db. Jobs from many threads are batched into one
// transaction, so N concurrent sessions pay one WAL fsync instead of N (group commit).
// A job's future resolves only after the COMMIT that contains it has returned, i.e. after
// its changes are on disk. A job that throws is rolled back alone (SAVEPOINT) and its
// future carries the exception; the rest of the batch still commits.
// Threading: submit() is safe from any thread.
#pragma once
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>

#include "store/sqlite.h"

namespace postern::queue {

class Writer {
 public:
  using Job = std::function<void(store::Db&)>;

  explicit Writer(const std::string& db_path);
  ~Writer();  // drains pending jobs, then stops

  std::future<void> submit(Job job);
  // Statistics for benchmarks and the admin view.
  uint64_t batches() const { return batches_; }
  uint64_t jobs() const { return jobs_; }

 private:
  struct Pending {
    Job job;
    std::promise<void> done;
  };
  void loop();

  store::Db db_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> pending_;
  bool stopping_ = false;
  std::atomic<uint64_t> batches_{0}, jobs_{0};
  std::thread thread_;
};

}  // namespace postern::queue
