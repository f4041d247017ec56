// Admin facade: the queue (list with filters, show, retry, hold, release, delete).
#include "admin/admin.h"

namespace postern::admin {

std::vector<queue::Envelope> Admin::queue_list(const QueueFilter& filter) {
  if (!filter.route.empty() && filter.route != "local" && filter.route != "remote")
    throw Invalid("route", "route must be local or remote");
  std::vector<queue::Envelope> out;
  for (auto& e : queue_.list()) {
    if (!filter.route.empty() && queue::route_name(e.route) != filter.route) continue;
    if (filter.held && e.held != *filter.held) continue;
    if (!filter.text.empty() && e.sender.find(filter.text) == std::string::npos &&
        e.recipient.find(filter.text) == std::string::npos && e.message_id.find(filter.text) == std::string::npos)
      continue;
    out.push_back(std::move(e));
  }
  return out;
}

std::pair<std::vector<queue::Envelope>, std::string> Admin::queue_show(const std::string& id) {
  auto envelopes = queue_.envelopes_of(id);
  auto body = queue_.body(id);
  if (envelopes.empty() || !body) throw NotFound("no queued message with id " + id);
  auto end = body->find("\r\n\r\n");
  return {envelopes, body->substr(0, end == std::string::npos ? body->size() : end + 2)};
}

void Admin::queue_change(const std::string& id, queue::QueueStore::Change what) {
  if (!queue_.change(id, what)) throw NotFound("no queued message with id " + id);
  if (hooks_.queue_changed) hooks_.queue_changed();
}

}  // namespace postern::admin
