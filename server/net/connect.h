// Outbound TCP connections with a deadline (non-blocking connect + poll).
#pragma once
#include <string>

namespace postern::net {

// Returns a connected non-blocking socket, or -1 with `error` set ("connection refused").
// `source_ip` (optional) binds the local side, e.g. to a loopback alias in tests.
int connect_tcp(const std::string& ip, int port, int timeout_ms, std::string& error,
                const std::string& source_ip = "");

}  // namespace postern::net
