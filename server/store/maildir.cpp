#include "store/maildir.h"

#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <stdexcept>
#include <system_error>

#include "util/fs.h"

namespace postern::store {

namespace {

[[noreturn]] void fail(const std::string& what) { throw std::system_error(errno, std::generic_category(), what); }

bool unsafe_component(const std::string& s) {
  return s.empty() || s.front() == '.' || s.find('/') != std::string::npos || s.find('\0') != std::string::npos;
}

std::string host_part() {
  char buf[256] = {};
  ::gethostname(buf, sizeof buf - 1);
  std::string h;
  for (char c : std::string(buf)) h += (c == '/' ? "\\057" : c == ':' ? "\\072" : std::string(1, c));
  return h.empty() ? "localhost" : h;
}

void write_all(int fd, std::string_view a, std::string_view b, const std::string& path) {
  struct iovec iov[2] = {{const_cast<char*>(a.data()), a.size()}, {const_cast<char*>(b.data()), b.size()}};
  int idx = 0;
  while (idx < 2) {
    if (iov[idx].iov_len == 0) {
      ++idx;
      continue;
    }
    ssize_t n = ::writev(fd, iov + idx, 2 - idx);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("write " + path);
    }
    size_t left = size_t(n);
    while (idx < 2 && left >= iov[idx].iov_len) left -= iov[idx++].iov_len;
    if (idx < 2) {
      iov[idx].iov_base = static_cast<char*>(iov[idx].iov_base) + left;
      iov[idx].iov_len -= left;
    }
  }
}

}  // namespace

std::string maildir_path(const std::string& mail_root, const std::string& address_key) {
  auto at = address_key.rfind('@');
  if (at == std::string::npos) throw std::invalid_argument("not an address: " + address_key);
  auto local = address_key.substr(0, at), domain = address_key.substr(at + 1);
  if (unsafe_component(local) || unsafe_component(domain))
    throw std::invalid_argument("address cannot be used as a mailbox name: " + address_key);
  return mail_root + "/" + domain + "/" + local;
}

void ensure_maildir(const std::string& maildir) {
  for (const char* sub : {"/tmp", "/new", "/cur"}) util::make_dirs(maildir + sub, 0700);
}

std::string copy_name(int64_t received_at, const std::string& queue_id, int64_t envelope_id) {
  static const std::string host = host_part();
  return std::to_string(received_at) + ".Q" + queue_id + "R" + std::to_string(envelope_id) + "." + host;
}

bool has_copy(const std::string& maildir, const std::string& unique) {
  // Readers keep the base name and may append ",S=..." or ":2,FLAGS": match up to those.
  auto is_copy = [&](const std::string& file) {
    return file.compare(0, unique.size(), unique) == 0 &&
           (file.size() == unique.size() || file[unique.size()] == ',' || file[unique.size()] == ':');
  };
  for (const char* sub : {"/new", "/cur"})
    for (const auto& file : util::list_dir(maildir + sub))
      if (is_copy(file)) return true;
  return false;
}

std::string deliver_to_maildir(const std::string& maildir, std::string_view prefix, std::string_view body,
                               bool sync_dir, const std::string& unique) {
  static std::atomic<unsigned long> seq{0};
  static const std::string host = host_part();
  using namespace std::chrono;
  size_t size = prefix.size() + body.size();
  std::string base = unique;
  if (base.empty()) {
    auto now = duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
    base = std::to_string(now / 1000000) + ".M" + std::to_string(now % 1000000) + "P" + std::to_string(::getpid()) +
           "Q" + std::to_string(++seq) + "." + host;
  }
  std::string name = base + ",S=" + std::to_string(size);
  std::string tmp = maildir + "/tmp/" + name, dst = maildir + "/new/" + name;
  // Not O_EXCL: a stable name may meet the tmp/ leftover of a delivery cut by a crash.
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0 && errno == ENOENT) {
    ensure_maildir(maildir);
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  }
  if (fd < 0) fail("create " + tmp);
  try {
    write_all(fd, prefix, body, tmp);
    if (::fsync(fd) != 0) fail("fsync " + tmp);
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), dst.c_str()) != 0) {
    int saved = errno;
    ::unlink(tmp.c_str());
    errno = saved;
    fail("rename into " + dst);
  }
  if (sync_dir) util::fsync_dir(maildir + "/new");
  return name;
}

}  // namespace postern::store
