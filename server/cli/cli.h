// The `postern` command line: `serve` and the admin verbs. Exit codes: 0 done, 1 refused
// (invalid value, conflict, unknown item — the message says which), 2 usage error.
#pragma once
#include <map>
#include <string>
#include <vector>

namespace postern::cli {

int run(int argc, char** argv);

// Shared by the verb files.
struct Args {
  std::string data_dir;
  std::vector<std::string> words;  // positional words after the verb
  bool password_stdin = false;
  bool no_verify = false;
  std::map<std::string, std::string> options;  // --tls MODE, --username NAME
};

int config_command(const Args& args);
int domain_command(const Args& args);
int user_command(const Args& args);
int alias_command(const Args& args);
int admin_command(const Args& args);
int queue_command(const Args& args);
int migrate_command(const Args& args);
int trusted_command(const Args& args);
int relay_domain_command(const Args& args);
int rule_command(const Args& args);
int credentials_command(const Args& args);
int spf_command(const Args& args);
int access_command(const Args& args);
int block_command(const Args& args);
int authlog_command(const Args& args);
int dkim_command(const Args& args);
int tlsrpt_command(const Args& args);

int usage_error(const std::string& message);
int refused(const std::string& message);
// Reads the password from standard input (first line, without its line end).
bool read_password(std::string& out, std::string& error);
// Reads a secret for another system (first line); the admin facade checks it.
std::string read_secret();

}  // namespace postern::cli
