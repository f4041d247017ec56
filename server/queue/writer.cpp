#include "queue/writer.h"

#include <vector>

namespace postern::queue {

Writer::Writer(const std::string& db_path) : db_(db_path) { thread_ = std::thread([this] { loop(); }); }

Writer::~Writer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

std::future<void> Writer::submit(Job job) {
  Pending p{std::move(job), {}};
  auto fut = p.done.get_future();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) {
      p.done.set_exception(std::make_exception_ptr(store::DbError("queue is shutting down")));
      return fut;
    }
    pending_.push_back(std::move(p));
  }
  cv_.notify_one();
  return fut;
}

void Writer::loop() {
  for (;;) {
    std::vector<Pending> batch;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
      if (pending_.empty() && stopping_) return;
      // Everything that arrived while the previous COMMIT was syncing joins this batch.
      while (!pending_.empty() && batch.size() < 512) {
        batch.push_back(std::move(pending_.front()));
        pending_.pop_front();
      }
    }
    std::vector<std::exception_ptr> errors(batch.size());
    std::exception_ptr batch_error;
    try {
      store::Transaction tx(db_);
      for (size_t i = 0; i < batch.size(); ++i) {
        db_.prepare("SAVEPOINT job").run();
        try {
          batch[i].job(db_);
          db_.prepare("RELEASE job").run();
        } catch (...) {
          errors[i] = std::current_exception();
          db_.prepare("ROLLBACK TO job").run();
          db_.prepare("RELEASE job").run();
        }
      }
      tx.commit();
    } catch (...) {
      batch_error = std::current_exception();
    }
    ++batches_;
    jobs_ += batch.size();
    for (size_t i = 0; i < batch.size(); ++i) {
      auto err = batch_error ? batch_error : errors[i];
      if (err)
        batch[i].done.set_exception(err);
      else
        batch[i].done.set_value();
    }
  }
}

}  // namespace postern::queue
