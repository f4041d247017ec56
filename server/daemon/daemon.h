// `postern serve`: wires the stores, the queue runner, the policy engine and the listeners
// together, then waits for a signal. Settings changes made by the CLI (or later the API)
// are picked up within a second: a new snapshot is swapped in, listeners are rebound, the
// TLS context is reloaded. SIGTERM/SIGINT stop gracefully: no new connections, idle
// sessions get 421, sessions in the middle of a message finish it, the queue drains.
#pragma once
#include <string>

namespace postern::daemon {

// Returns the process exit code.
int serve(const std::string& data_dir);

}  // namespace postern::daemon
