// The queue runner: finds recipients that are due, hands them — grouped per message and
// route — to the delivery agent for that route on a small worker pool, and records each
// outcome: delivered rows removed; temporary failures retried with exponential back-off
// until the message's lifetime runs out; permanent failures (and expired ones) reported to
// the bounce sink, then removed. Routes without an agent wait. On start it picks up
// whatever a previous run left in the queue.
// Threading: start/stop/notify/set_policy from any thread; agents run on worker threads.
#pragma once
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "queue/dsn.h"
#include "queue/queue_store.h"

namespace postern::queue {

struct Outcome {
  enum Status { Delivered, TempFail, PermFail } status = Delivered;
  std::string detail;      // reply or reason, for logs and bounces
  std::string enhanced;    // RFC 3463 code when known
  std::string remote_mta;  // host that gave the answer
};

// Delivers the envelopes of one message on one route; returns one outcome per envelope.
using Agent = std::function<std::vector<Outcome>(const std::vector<Envelope>&, const std::string& body)>;
// Called on the same worker after a task's deliveries and before they are recorded: an agent
// that postponed part of its durability work (one directory sync for a batch) finishes it
// here. Throwing means nothing of the task is recorded; it is delivered again later.
using AgentFlush = std::function<void()>;
// Called on a worker that has run out of tasks, before it sleeps: an agent releases what it
// kept for the next task (open SMTP connections, so a backlog reuses them across tasks).
using AgentIdle = std::function<void()>;

struct AgentEntry {
  Agent deliver;
  AgentFlush flush;  // may be empty
  AgentIdle idle;    // may be empty
};

// Called once per message with the recipients that failed for good (before they leave the
// queue), or that have waited longer than the warning delay (`delayed`); it queues the DSN.
// Not called for mail with the null sender.
using BounceSink = std::function<void(const Envelope& first, const std::vector<FailedRecipient>&,
                                      const std::string& body, bool delayed)>;

struct RetryPolicy {
  int64_t min_backoff_s = 300;
  int64_t max_backoff_s = 4000;
  int64_t max_lifetime_s = 5 * 86400;
  int64_t delay_warning_s = 0;          // 0: no delay warnings
  int per_destination = 4;              // concurrent deliveries to one destination
  int64_t connection_reuse_s = 2;       // how long a worker keeps what its last task left open
};

class Runner {
 public:
  Runner(QueueStore& store, std::map<Route, AgentEntry> agents, BounceSink bounce, int workers);
  ~Runner();
  void start();
  void stop();    // finishes deliveries in progress, then returns
  void notify();  // new mail is queued: look for it now instead of at the next tick
  void rescan();  // queued mail changed (retry, release): read the whole queue now
  void set_policy(const RetryPolicy& p);

 private:
  // Work for one worker: one or more messages (local delivery packs several, so they
  // share one queue commit), each with its envelopes on one route and destination.
  struct Task {
    Route route;
    std::string destination;  // route + transport + recipient domain
    std::vector<std::vector<Envelope>> messages;
  };
  void schedule_loop();
  void worker_loop();
  void run_task(const Task& task);
  // Delivers one message's envelopes; returns the ids to remove from the queue.
  std::vector<int64_t> deliver_message(Route route, const std::vector<Envelope>& envs, const RetryPolicy& p);
  RetryPolicy policy();

  QueueStore& store_;
  std::map<Route, AgentEntry> agents_;
  BounceSink bounce_;
  int worker_count_;
  std::mutex mu_;
  std::condition_variable wake_, work_;
  // Mail announced by notify() is found by asking the queue for envelopes newer than the
  // last seen (cheap: a few rows); the whole queue, where most rows are already being
  // delivered under load, is read at most once a second, at rescan(), and again as soon
  // as a batch is done while the last whole read found more than one scan takes.
  bool stopping_ = false, poked_ = false, rescan_ = true, backlog_ = false;
  RetryPolicy policy_;
  std::vector<Task> tasks_;
  std::set<int64_t> in_flight_;
  std::map<std::string, int> busy_destinations_;
  std::thread scheduler_;
  std::vector<std::thread> workers_;
};

}  // namespace postern::queue
