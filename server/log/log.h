// Per-service log files in DIR/log (smtp.log, delivery.log, auth.log, postern.log).
// Files are opened on first write, so a service that never logged leaves no empty file,
// and rotated to NAME.1 when they pass the configured size. Thread-safe.
// Every line: "2026-11-26T14:03:00.123Z <id> <text>", where <id> is the session or queue id.
#pragma once
#include <string>
#include <string_view>

namespace postern::log {

enum class Service { Daemon, Smtp, Delivery, Auth };

// Call once at start-up; before it, lines go to stderr only.
void open(const std::string& log_dir);
void set_max_bytes(size_t max_bytes);
// Also copy Daemon lines to stderr (the foreground `serve` command wants that).
void mirror_daemon_to_stderr(bool on);

void write(Service service, std::string_view id, std::string_view text);

}  // namespace postern::log
