// The queue runner: finds recipients that are due, hands them to the delivery agent for
// their route on a small worker pool, and records the outcome (delivered rows removed;
// temporary failures retried with exponential back-off). Routes without an agent wait.
// On start it picks up whatever a previous run left in the queue.
// Threading: start/stop/notify from any thread; agents run on the worker threads.
#pragma once
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "queue/queue_store.h"

namespace postern::queue {

struct Outcome {
  enum Status { Delivered, TempFail, PermFail } status = Delivered;
  std::string detail;
};

using Agent = std::function<Outcome(const Envelope&, const std::string& body)>;

class Runner {
 public:
  Runner(QueueStore& store, std::map<Route, Agent> agents, int workers);
  ~Runner();
  void start();
  void stop();    // finishes deliveries in progress, then returns
  void notify();  // new mail is queued: look now instead of at the next tick

 private:
  struct Task {
    std::string message_id;
    std::vector<Envelope> envelopes;
  };
  void schedule_loop();
  void worker_loop();
  void run_task(const Task& task);

  QueueStore& store_;
  std::map<Route, Agent> agents_;
  int worker_count_;
  std::mutex mu_;
  std::condition_variable wake_, work_;
  bool stopping_ = false, poked_ = false;
  std::vector<Task> tasks_;
  std::set<int64_t> in_flight_;
  std::thread scheduler_;
  std::vector<std::thread> workers_;
};

}  // namespace postern::queue
