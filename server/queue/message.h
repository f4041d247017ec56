// What the receive side hands to the queue: one message and, per recipient, the routing
// decision taken at RCPT time. Delivery executes the decision; it never re-runs policy.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "mail/routing.h"

namespace postern::queue {

using mail::Route;
using Recipient = mail::RoutedRecipient;
using mail::route_name;

struct Message {
  std::string id;  // queue id, also in logs and the Received header
  std::string sender;
  std::string client_ip;
  std::string helo;
  std::string auth_user;
  std::string body;  // complete message, CRLF line ends, Received header included
  std::vector<Recipient> recipients;
};

// A queued recipient with its message's id, as the runner and `postern queue list` see it.
struct Envelope {
  int64_t id = 0;
  std::string message_id;
  std::string sender;
  std::string recipient;
  std::string original;
  Route route = Route::Local;
  std::string mailbox;
  std::string transport;
  int attempts = 0;
  int64_t received_at = 0;
  bool held = false;
  bool warned = false;  // the sender has been told delivery is delayed
  int64_t next_try = 0;
  int64_t size = 0;
  std::string last_error;
  std::string require_tls;  // see mail::RoutedRecipient::require_tls
};

}  // namespace postern::queue
