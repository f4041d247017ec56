#include "queue/runner.h"

#include <algorithm>
#include <chrono>
#include <ctime>

#include "log/log.h"

namespace postern::queue {

namespace {
int64_t backoff_seconds(int attempts) {
  int64_t s = 60;
  for (int i = 0; i < attempts && s < 3600; ++i) s *= 2;
  return std::min<int64_t>(s, 3600);
}
}  // namespace

Runner::Runner(QueueStore& store, std::map<Route, Agent> agents, int workers)
    : store_(store), agents_(std::move(agents)), worker_count_(workers) {}

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

void Runner::schedule_loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    poked_ = false;
    lock.unlock();
    std::map<std::string, Task> by_message;
    try {
      for (const auto& [route, agent] : agents_) {
        for (auto& env : store_.due(route, std::time(nullptr), 512)) {
          auto& task = by_message[env.message_id];
          task.message_id = env.message_id;
          task.envelopes.push_back(std::move(env));
        }
      }
    } catch (const std::exception& e) {
      log::write(log::Service::Delivery, "-", std::string("queue scan failed: ") + e.what());
    }
    lock.lock();
    for (auto& [id, task] : by_message) {
      auto& envs = task.envelopes;
      envs.erase(std::remove_if(envs.begin(), envs.end(), [&](const Envelope& e) { return in_flight_.count(e.id) > 0; }),
                 envs.end());
      if (envs.empty()) continue;
      for (const auto& e : envs) in_flight_.insert(e.id);
      tasks_.push_back(std::move(task));
    }
    if (!tasks_.empty()) work_.notify_all();
    // Re-scan when poked, or once a second for retries whose time has come.
    wake_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_ || poked_; });
  }
}

void Runner::worker_loop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    work_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
    if (tasks_.empty()) return;  // stopping and nothing left to finish
    Task task = std::move(tasks_.back());
    tasks_.pop_back();
    lock.unlock();
    run_task(task);
    lock.lock();
    for (const auto& e : task.envelopes) in_flight_.erase(e.id);
  }
}

void Runner::run_task(const Task& task) {
  try {
    auto body = store_.body(task.message_id);
    if (!body) return;  // removed meanwhile
    std::vector<int64_t> done;
    for (const auto& env : task.envelopes) {
      Outcome out;
      try {
        out = agents_.at(env.route)(env, *body);
      } catch (const std::exception& e) {
        out = {Outcome::TempFail, e.what()};
      }
      switch (out.status) {
        case Outcome::Delivered:
          done.push_back(env.id);
          log::write(log::Service::Delivery, env.message_id,
                     "to=<" + env.recipient + "> route=" + route_name(env.route) + " status=delivered " + out.detail);
          break;
        case Outcome::PermFail:
          // XXX: bounces (DSN) come with outbound delivery; until then a permanent failure
          // is logged and the recipient dropped from the queue.
          done.push_back(env.id);
          log::write(log::Service::Delivery, env.message_id,
                     "to=<" + env.recipient + "> status=failed " + out.detail);
          break;
        case Outcome::TempFail: {
          auto delay = backoff_seconds(env.attempts);
          store_.mark_deferred(env.id, std::time(nullptr) + delay, out.detail).get();
          log::write(log::Service::Delivery, env.message_id,
                     "to=<" + env.recipient + "> status=deferred retry_in=" + std::to_string(delay) + "s " + out.detail);
          break;
        }
      }
    }
    if (!done.empty()) store_.mark_delivered(done).get();
  } catch (const std::exception& e) {
    log::write(log::Service::Delivery, task.message_id, std::string("delivery bookkeeping failed: ") + e.what());
  }
}

}  // namespace postern::queue
