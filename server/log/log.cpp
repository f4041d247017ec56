#include "log/log.h"

#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace postern::log {

namespace {

struct File {
  const char* name;
  std::FILE* fp = nullptr;
};

std::mutex mu;
std::string dir;
size_t max_bytes = 10u << 20;
bool mirror = false;
File files[] = {{"postern.log"}, {"smtp.log"}, {"delivery.log"}, {"auth.log"}};

std::string timestamp() {
  using namespace std::chrono;
  auto now = system_clock::now();
  std::time_t t = system_clock::to_time_t(now);
  auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, int(ms));
  return buf;
}

void rotate_if_needed(File& f) {
  if (!f.fp || std::ftell(f.fp) < long(max_bytes)) return;
  std::fclose(f.fp);
  f.fp = nullptr;
  std::string path = dir + "/" + f.name;
  std::rename(path.c_str(), (path + ".1").c_str());
}

}  // namespace

void open(const std::string& log_dir) {
  std::lock_guard<std::mutex> lock(mu);
  dir = log_dir;
  ::mkdir(dir.c_str(), 0750);
}

void set_max_bytes(size_t bytes) {
  std::lock_guard<std::mutex> lock(mu);
  max_bytes = bytes;
}

void mirror_daemon_to_stderr(bool on) {
  std::lock_guard<std::mutex> lock(mu);
  mirror = on;
}

void write(Service service, std::string_view id, std::string_view text) {
  std::string line = timestamp() + " " + std::string(id.empty() ? "-" : id) + " ";
  // Log lines are one line each: escape control characters a client may have sent.
  for (unsigned char c : text) {
    if (c < 32 || c == 127) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\x%02x", c);
      line += esc;
    } else {
      line += char(c);
    }
  }
  line += '\n';
  std::lock_guard<std::mutex> lock(mu);
  File& f = files[int(service)];
  if (dir.empty() || (service == Service::Daemon && mirror)) std::fputs(line.c_str(), stderr);
  if (dir.empty()) return;
  rotate_if_needed(f);
  if (!f.fp) {
    f.fp = std::fopen((dir + "/" + f.name).c_str(), "a");
    if (!f.fp) return;
  }
  std::fputs(line.c_str(), f.fp);
  std::fflush(f.fp);
}

}  // namespace postern::log
