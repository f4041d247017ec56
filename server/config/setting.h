// One entry of the settings registry: everything the daemon, the CLI, the admin API and the
// applet need to know about a setting, declared once.
#pragma once
#include <string>
#include <vector>

namespace postern::config {

enum class Type {
  Bool,        // "true" / "false"
  Int,         // base-10 integer within [min, max]
  Text,        // one line of printable text, at most `max` bytes
  Hostname,    // fully qualified domain name, or empty for the system's own name
  Path,        // absolute file path, or empty for the built-in default
  Enum,        // one of `choices`
  ListenList,  // comma list of ADDR:PORT ("0.0.0.0:2525,[::]:2525"); empty disables
  CidrList,    // comma list of networks ("192.168.1.0/24,::1/128")
  Host,        // host name or IP address; empty when unset
  Secret,      // a password: stored, used, never shown back (list/get print "********")
  AddressList, // comma list of mail addresses
  Duration,    // "90s", "15m", "4h", "5d" (plain numbers are seconds) within [min, max] seconds
};

struct Setting {
  std::string key;
  Type type;
  std::string default_value;
  long long min = 0;  // Int: lower bound; Text: unused
  long long max = 0;  // Int: upper bound; Text: maximum length
  std::vector<std::string> choices;  // Enum only
  std::string doc;    // one line, shown by the CLI, the API schema and the applet
};

const char* type_name(Type t);

}  // namespace postern::config
