// Atomic output files (see io.hpp): temp file in the target's directory, fsync, rename, fsync of
// the directory, so that after a crash the target holds either the old or the complete new content.
#include "io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <vector>

#include "cluster.hpp"

namespace cxsim {

namespace {

std::string reason(int err) { return std::strerror(err); }

[[noreturn]] void fail(const std::string& path, int err) {
  throw OutputError("cannot write " + path + ": " + reason(err));
}

// The permissions a plain open(path, O_CREAT, 0666) would give, since mkstemp creates 0600. The
// umask is read from /proc (Linux) rather than with umask(), which would change it process-wide.
mode_t default_file_mode() {
  mode_t mask = 022;
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Umask:", 0) == 0) {
      try {
        mask = static_cast<mode_t>(std::stoul(line.substr(6), nullptr, 8));
      } catch (const std::exception&) {
        mask = 022;
      }
      break;
    }
  }
  return static_cast<mode_t>(0666 & ~mask);
}

// Writes all of `data`, retrying interrupted and partial writes. Returns 0 or an errno value.
int write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const std::size_t chunk = std::min<std::size_t>(size, static_cast<std::size_t>(SSIZE_MAX));
    const ssize_t n = ::write(fd, data, chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) return EIO;  // no progress on a regular file: treat as an I/O error, never spin
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return 0;
}

int fsync_retry(int fd) {
  while (::fsync(fd) != 0) {
    if (errno != EINTR) return errno;
  }
  return 0;
}

// Writes to an existing target that is not a regular file (a terminal, a pipe, /dev/null,
// /dev/full): it cannot be replaced by a rename (as root that would replace the device node), and
// there is no partial file to avoid, so the content is written straight to it.
void write_special(const std::string& path, const std::string& contents) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) fail(path, errno);
  const int err = write_all(fd, contents.data(), contents.size());
  const int closed = ::close(fd);
  if (err != 0) fail(path, err);
  if (closed != 0) fail(path, errno);
}

}  // namespace

static void write_file_atomic_here(const std::string& path, const std::string& contents) {
  if (path.empty()) throw OutputError("cannot write an empty path");
  struct stat target {};
  if (::stat(path.c_str(), &target) == 0) {
    if (S_ISDIR(target.st_mode)) fail(path, EISDIR);
    if (!S_ISREG(target.st_mode)) {
      write_special(path, contents);
      return;
    }
  }
  std::string tmpl = path + ".tmp.XXXXXX";
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  int fd = ::mkstemp(name.data());
  if (fd < 0) fail(path, errno);
  const std::string tmp(name.data());

  // From here on every failure removes the temporary file before throwing.
  auto abandon = [&](int err) {
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    fail(path, err);
  };
  if (::fchmod(fd, default_file_mode()) != 0) abandon(errno);
  if (const int err = write_all(fd, contents.data(), contents.size())) abandon(err);
  if (const int err = fsync_retry(fd)) abandon(err);
  // close() is not retried on EINTR: on Linux the descriptor is released regardless.
  const int closed = ::close(fd);
  fd = -1;
  if (closed != 0) abandon(errno);
  if (::rename(tmp.c_str(), path.c_str()) != 0) abandon(errno);

  // The rename is durable only once the directory entry is on disk.
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) {
    const int err = errno;
    throw OutputError("cannot write " + path + ": cannot open directory " + dir + " to sync it: " + reason(err));
  }
  const int synced = fsync_retry(dfd);
  ::close(dfd);
  if (synced != 0) {
    throw OutputError("cannot write " + path + ": cannot sync directory " + dir + ": " + reason(synced));
  }
}

static void check_output_file_here(const std::string& path) {
  if (path.empty()) throw OutputError("cannot write an empty path");
  struct stat target {};
  if (::stat(path.c_str(), &target) == 0) {
    if (S_ISDIR(target.st_mode)) fail(path, EISDIR);
    if (!S_ISREG(target.st_mode)) return;  // a pipe or device: written directly, nothing to create
  }
  std::string tmpl = path + ".tmp.XXXXXX";
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  const int fd = ::mkstemp(name.data());
  if (fd < 0) fail(path, errno);
  const int closed = ::close(fd);
  const int closed_errno = errno;
  if (::unlink(name.data()) != 0) fail(path, errno);
  if (closed != 0) fail(path, closed_errno);
}

static void check_output_directory_here(const std::string& path) {
  if (path.empty()) throw OutputError("cannot create directory: empty path");
  std::filesystem::path p = std::filesystem::absolute(path);
  std::error_code ec;
  while (!std::filesystem::exists(p, ec)) {
    if (!p.has_parent_path() || p.parent_path() == p) break;
    p = p.parent_path();
  }
  if (!std::filesystem::is_directory(p, ec)) {
    throw OutputError("cannot create directory " + path + ": " + p.string() + " exists and is not a directory");
  }
  if (::access(p.c_str(), W_OK | X_OK) != 0) {
    const int err = errno;
    throw OutputError("cannot create directory " + path + ": " + p.string() + ": " + reason(err));
  }
}

static void ensure_directory_here(const std::string& path) {
  if (path.empty()) throw OutputError("cannot create directory: empty path");
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  std::error_code is_dir_ec;
  const bool is_dir = std::filesystem::is_directory(path, is_dir_ec);
  if (is_dir) return;  // also covers create_directories reporting an error for an existing directory
  if (ec) throw OutputError("cannot create directory " + path + ": " + ec.message());
  if (std::filesystem::exists(path, is_dir_ec)) {
    throw OutputError("cannot create directory " + path + ": " + reason(ENOTDIR) +
                      " (it exists and is not a directory)");
  }
  throw OutputError("cannot create directory " + path + ": " + (is_dir_ec ? is_dir_ec.message() : "unknown error"));
}

namespace {

// The directory a file goes into; "" for a bare name (the working directory, which exists).
std::string directory_of(const std::string& path) { return std::filesystem::path(path).parent_path().string(); }

}  // namespace

static void check_output_path_here(const std::string& path) {
  const std::string dir = directory_of(path);
  std::error_code ec;
  if (dir.empty() || std::filesystem::exists(dir, ec)) {
    check_output_file_here(path);
  } else {
    check_output_directory_here(dir);
  }
}

static void write_output_file_here(const std::string& path, const std::string& contents) {
  if (const std::string dir = directory_of(path); !dir.empty()) ensure_directory_here(dir);
  write_file_atomic_here(path, contents);
}

// In a distributed run (cluster.hpp) only rank 0 touches the file system; what it meets is thrown
// on every process.
void write_file_atomic(const std::string& path, const std::string& contents) {
  on_rank_zero([&] { write_file_atomic_here(path, contents); });
}
void check_output_file(const std::string& path) {
  on_rank_zero([&] { check_output_file_here(path); });
}
void check_output_directory(const std::string& path) {
  on_rank_zero([&] { check_output_directory_here(path); });
}
void ensure_directory(const std::string& path) {
  on_rank_zero([&] { ensure_directory_here(path); });
}
void check_output_path(const std::string& path) {
  on_rank_zero([&] { check_output_path_here(path); });
}
void write_output_file(const std::string& path, const std::string& contents) {
  on_rank_zero([&] { write_output_file_here(path, contents); });
}

}  // namespace cxsim
