#include "queue/runner.h"

#include <algorithm>
#include <chrono>
#include <ctime>

#include "log/log.h"

namespace postern::queue {

Runner::Runner(QueueStore& store, std::map<Route, AgentEntry> agents, BounceSink bounce, int workers)
    : store_(store), agents_(std::move(agents)), bounce_(std::move(bounce)), worker_count_(workers) {}

Runner::~Runner() { stop(); }

void Runner::start() {
  scheduler_ = std::thread([this] { schedule_loop(); });
  for (int i = 0; i < worker_count_; ++i) workers_.emplace_back([this] { worker_loop(); });
}

void Runner::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  work_.notify_all();
  if (scheduler_.joinable()) scheduler_.join();
  for (auto& w : workers_) w.join();
  workers_.clear();
}

void Runner::notify() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    poked_ = true;
  }
  wake_.notify_one();
}

void Runner::rescan() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    poked_ = rescan_ = true;
  }
  wake_.notify_one();
}

void Runner::set_policy(const RetryPolicy& p) {
  std::lock_guard<std::mutex> lock(mu_);
  policy_ = p;
}

RetryPolicy Runner::policy() {
  std::lock_guard<std::mutex> lock(mu_);
  return policy_;
}

void Runner::schedule_loop() {
  // Messages one task may carry: local ones share a commit and a directory sync, remote
  // ones also share an SMTP connection.
  constexpr size_t kLocalMessagesPerTask = 32;
  constexpr size_t kRemoteMessagesPerTask = 16;
  constexpr size_t kScanLimit = 512;
  using Clock = std::chrono::steady_clock;
  // Per route: its envelopes up to this id were offered by an earlier scan.
  std::map<Route, int64_t> seen_up_to;
  try {
    auto last = store_.last_envelope_id();
    for (const auto& [route, agent] : agents_) seen_up_to[route] = last;
  } catch (const std::exception& e) {
    log::write(log::Service::Delivery, "-", std::string("queue scan failed: ") + e.what());
  }
  auto last_whole = Clock::now();
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    const bool whole = rescan_ || Clock::now() - last_whole >= std::chrono::seconds(1);
    poked_ = rescan_ = false;
    lock.unlock();
    if (whole) last_whole = Clock::now();
    bool full_page = false;  // a scan stopped at kScanLimit: there is more to read
    // (destination, message id) -> envelopes, in scan order (oldest first).
    std::vector<std::pair<std::string, std::vector<Envelope>>> found;
    std::map<std::pair<std::string, std::string>, size_t> index;
    std::map<std::string, Route> route_of;
    try {
      for (const auto& [route, agent] : agents_) {
        auto now = std::time(nullptr);
        auto& seen = seen_up_to[route];
        auto envs = whole ? store_.due(route, now, kScanLimit) : store_.due_after(route, seen, now, kScanLimit);
        full_page = full_page || envs.size() == kScanLimit;
        for (auto& env : envs) {
          if (!whole) seen = std::max(seen, env.id);
          auto at = env.recipient.rfind('@');
          std::string destination = std::string(route_name(route)) + "/" + env.transport + "/" +
                                    (route == Route::Local ? "" : env.recipient.substr(at + 1));
          route_of[destination] = route;
          auto key = std::make_pair(destination, env.message_id);
          auto it = index.find(key);
          if (it == index.end()) {
            index[key] = found.size();
            found.push_back({destination, {}});
            it = index.find(key);
          }
          found[it->second].second.push_back(std::move(env));
        }
      }
    } catch (const std::exception& e) {
      log::write(log::Service::Delivery, "-", std::string("queue scan failed: ") + e.what());
    }
    lock.lock();
    std::map<std::string, size_t> filling;  // destination -> index in tasks_ still being filled
    bool took_any = false;
    for (auto& [destination, envs] : found) {
      envs.erase(std::remove_if(envs.begin(), envs.end(), [&](const Envelope& e) { return in_flight_.count(e.id) > 0; }),
                 envs.end());
      if (envs.empty()) continue;
      took_any = true;
      for (const auto& e : envs) in_flight_.insert(e.id);
      Route route = route_of[destination];
      size_t cap = route == Route::Local ? kLocalMessagesPerTask : kRemoteMessagesPerTask;
      auto open = filling.find(destination);
      if (open != filling.end() && tasks_[open->second].messages.size() < cap) {
        tasks_[open->second].messages.push_back(std::move(envs));
        continue;
      }
      tasks_.push_back(Task{route, destination, {std::move(envs)}});
      filling[destination] = tasks_.size() - 1;
    }
    if (!tasks_.empty()) work_.notify_all();
    // A whole read that filled its page with new work leaves more behind: read again when
    // this batch is done (worker_loop), so a backlog drains at the speed of delivery. New
    // mail beyond one page is read at once.
    if (whole) backlog_ = full_page && took_any;
    if (!whole && full_page) poked_ = true;
    // Re-scan when poked, or once a second for retries whose time has come.
    wake_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_ || poked_; });
  }
}

void Runner::worker_loop() {
  bool holding = false;  // this worker may hold what its last task left open
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    // Oldest first (tasks are appended in scan order), skipping destinations that already
    // have as many deliveries running as the policy allows. Local delivery is not limited.
    auto pick = [&] {
      int limit = std::max(1, policy_.per_destination);
      return std::find_if(tasks_.begin(), tasks_.end(), [&](const Task& t) {
        return t.route == Route::Local || busy_destinations_[t.destination] < limit;
      });
    };
    auto ready = [&] { return stopping_ || pick() != tasks_.end(); };
    // What the last task left open (SMTP connections) is kept a moment for the next task,
    // which under load usually goes to the same host, then released (like Postfix's
    // connection cache, smtp_connection_cache_time_limit).
    if (holding && !work_.wait_for(lock, std::chrono::seconds(policy_.connection_reuse_s), ready)) {
      lock.unlock();
      for (const auto& [route, agent] : agents_)
        if (agent.idle) agent.idle();
      lock.lock();
      holding = false;
    }
    work_.wait(lock, ready);
    // At stop, tasks not started yet stay in the queue for the next run.
    if (stopping_) return;
    auto it = pick();
    Task task = std::move(*it);
    tasks_.erase(it);
    ++busy_destinations_[task.destination];
    lock.unlock();
    run_task(task);
    holding = true;
    lock.lock();
    if (--busy_destinations_[task.destination] == 0) busy_destinations_.erase(task.destination);
    for (const auto& msg : task.messages)
      for (const auto& e : msg) in_flight_.erase(e.id);
    work_.notify_all();  // a destination slot is free again
    if (tasks_.empty() && backlog_) {
      // The batch is done and the queue holds more than the last read took: read again now
      // rather than at the next tick, so a backlog drains at the speed of delivery.
      poked_ = rescan_ = true;
      wake_.notify_one();
    }
  }
}

void Runner::run_task(const Task& task) {
  auto p = policy();
  std::vector<int64_t> done;
  for (const auto& envs : task.messages) {
    try {
      auto ids = deliver_message(task.route, envs, p);
      done.insert(done.end(), ids.begin(), ids.end());
    } catch (const std::exception& e) {
      log::write(log::Service::Delivery, envs.front().message_id, std::string("delivery bookkeeping failed: ") + e.what());
    }
  }
  try {
    if (const auto& flush = agents_.at(task.route).flush) flush();
    // One commit for the whole task: with group commit, one fsync for many deliveries.
    if (!done.empty()) store_.mark_delivered(done).get();
  } catch (const std::exception& e) {
    log::write(log::Service::Delivery, "-", std::string("cannot record deliveries (they will be retried): ") + e.what());
  }
}

std::vector<int64_t> Runner::deliver_message(Route route, const std::vector<Envelope>& envs, const RetryPolicy& p) {
  std::vector<int64_t> done;
  auto body = store_.body(envs.front().message_id);
  if (!body) return done;  // removed meanwhile (queue delete)
  std::vector<Outcome> outcomes;
  try {
    outcomes = agents_.at(route).deliver(envs, *body);
  } catch (const std::exception& e) {
    outcomes.assign(envs.size(), Outcome{Outcome::TempFail, e.what(), "4.3.0", ""});
  }
  outcomes.resize(envs.size(), Outcome{Outcome::TempFail, "no result from the delivery agent", "4.3.0", ""});

  int64_t now = std::time(nullptr);
  std::vector<FailedRecipient> failed, delayed;
  for (size_t i = 0; i < envs.size(); ++i) {
    const auto& env = envs[i];
    const auto& out = outcomes[i];
    std::string who = "to=<" + env.recipient + "> route=" + route_name(env.route) +
                      (env.transport.empty() ? "" : "/" + env.transport);
    std::string relay = out.remote_mta.empty() ? "" : "relay=" + out.remote_mta + " ";
    if (out.status == Outcome::Delivered) {
      done.push_back(env.id);
      log::write(log::Service::Delivery, env.message_id, who + " status=sent " + relay + out.detail);
      continue;
    }
    bool expired = out.status == Outcome::TempFail && now - env.received_at >= p.max_lifetime_s;
    if (out.status == Outcome::PermFail || expired) {
      done.push_back(env.id);
      std::string status = expired ? "4.4.7" : (out.enhanced.empty() ? "5.0.0" : out.enhanced);
      std::string why = expired ? "delivery time expired; last error: " + out.detail : out.detail;
      failed.push_back({env.recipient, env.original, status, why, out.remote_mta});
      log::write(log::Service::Delivery, env.message_id, who + " status=" + (expired ? "expired " : "bounced ") + relay + why);
      continue;
    }
    int64_t delay = p.min_backoff_s;
    for (int k = 0; k < env.attempts && delay < p.max_backoff_s; ++k) delay *= 2;
    delay = std::min(delay, p.max_backoff_s);
    bool warn = p.delay_warning_s > 0 && !env.warned && now - env.received_at >= p.delay_warning_s;
    if (warn) delayed.push_back({env.recipient, env.original, out.enhanced.empty() ? "4.0.0" : out.enhanced, out.detail, out.remote_mta});
    store_.mark_deferred(env.id, now + delay, out.detail, warn).get();
    log::write(log::Service::Delivery, env.message_id,
               who + " status=deferred retry_in=" + std::to_string(delay) + "s " + relay + out.detail);
  }
  // The bounce is queued before the failed recipients leave the queue, so a crash in
  // between repeats the bounce rather than losing it.
  if (!failed.empty()) {
    if (envs.front().sender.empty())
      log::write(log::Service::Delivery, envs.front().message_id, "no bounce: the message had the null sender");
    else if (bounce_)
      bounce_(envs.front(), failed, *body, false);
  }
  if (!delayed.empty() && !envs.front().sender.empty() && bounce_) bounce_(envs.front(), delayed, *body, true);
  return done;
}

}  // namespace postern::queue
