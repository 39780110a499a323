// All-or-nothing file writes (temporary file + fsync + rename), following links and writing devices directly.
#include "sparsecode/core/atomic_file.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sparsecode::core {
namespace {

namespace fs = std::filesystem;

constexpr int kMaxLinkDepth = 40;  // as Linux's MAXSYMLINKS

enum class Kind { regular, absent, special };

struct Destination {
  fs::path path;        ///< the file to write: the target with every symbolic link followed
  Kind kind = Kind::absent;
  fs::perms permissions = fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                          fs::perms::others_read;
};

[[noreturn]] void refuse(const fs::path& target, const std::string& why) {
  throw std::runtime_error("cannot write '" + target.string() + "': " + why);
}

/// Follows `target` through symbolic links and classifies what is there.
Destination resolve(const fs::path& target) {
  Destination d;
  d.path = target;
  for (int depth = 0;; ++depth) {
    std::error_code ec;
    const fs::file_status status = fs::symlink_status(d.path, ec);
    if (ec && ec != std::errc::no_such_file_or_directory) refuse(target, ec.message());
    if (status.type() != fs::file_type::symlink) break;
    if (depth == kMaxLinkDepth) refuse(target, "too many levels of symbolic links");
    const fs::path link = fs::read_symlink(d.path, ec);
    if (ec) refuse(target, "cannot read the symbolic link: " + ec.message());
    d.path = link.is_absolute() ? link : d.path.parent_path() / link;
  }
  std::error_code ec;
  const fs::file_status status = fs::status(d.path, ec);
  switch (status.type()) {
    case fs::file_type::not_found:
      d.kind = Kind::absent;
      break;
    case fs::file_type::regular:
      d.kind = Kind::regular;
      d.permissions = status.permissions();
      break;
    case fs::file_type::character:
    case fs::file_type::fifo:
      d.kind = Kind::special;
      break;
    case fs::file_type::directory:
      refuse(target, "it is a directory");
    case fs::file_type::block:
      refuse(target, "it is a block device (refusing to overwrite it)");
    case fs::file_type::socket:
      refuse(target, "it is a socket");
    default:
      refuse(target, ec ? ec.message() : "not a regular file");
  }
  return d;
}

std::string temporary_prefix(const fs::path& file) { return file.filename().string() + ".tmp."; }

/// The process id in a temporary name "<file>.tmp.<pid>.XXXXXX" of `file`, or 0 if `name` is not one.
pid_t temporary_owner(const std::string& name, const std::string& prefix) {
  if (name.size() <= prefix.size() + 7 || name.compare(0, prefix.size(), prefix) != 0) return 0;
  const std::string rest = name.substr(prefix.size());
  const std::size_t dot = rest.find('.');
  if (dot == 0 || dot == std::string::npos || rest.size() - dot - 1 != 6 || dot > 9) return 0;
  pid_t pid = 0;
  for (std::size_t i = 0; i < dot; ++i) {
    if (rest[i] < '0' || rest[i] > '9') return 0;
    pid = pid * 10 + (rest[i] - '0');
  }
  return pid;
}

/// Removes temporaries of `file` whose writing process no longer exists (best effort).
void remove_stale_temporaries(const fs::path& file) {
  const fs::path dir = file.parent_path().empty() ? fs::path(".") : file.parent_path();
  const std::string prefix = temporary_prefix(file);
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const pid_t pid = temporary_owner(it->path().filename().string(), prefix);
    if (pid <= 0 || pid == ::getpid()) continue;
    if (::kill(pid, 0) == -1 && errno == ESRCH) {
      std::error_code ignored;
      if (it->is_regular_file(ignored)) fs::remove(it->path(), ignored);
    }
  }
}

// mkstemp creates a unique empty file atomically, so concurrent writers never share one.
fs::path temporary_beside(const Destination& d, const fs::path& target) {
  std::string pattern = d.path.string() + ".tmp." + std::to_string(::getpid()) + ".XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  const int fd = ::mkstemp(buffer.data());
  if (fd < 0) {
    throw std::runtime_error("cannot create a temporary file beside '" + target.string() +
                             "': " + std::strerror(errno));
  }
  // mkstemp creates the file 0600: a replaced file keeps its bits, a new one gets 0644.
  ::fchmod(fd, static_cast<mode_t>(d.permissions & fs::perms::mask));
  ::close(fd);
  return fs::path(buffer.data());
}

/// fsync of a written file: data reach the disk before the rename publishes them.
void sync_file(const fs::path& path, const fs::path& target) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    const int error = errno;
    if (fd >= 0) ::close(fd);
    refuse(target, std::strerror(error));
  }
  ::close(fd);
}

/// fsync of the directory, so that the rename itself survives a crash (best effort: the new
/// file is already in place, and not every file system supports it).
void sync_directory(const fs::path& file) {
  const fs::path dir = file.parent_path().empty() ? fs::path(".") : file.parent_path();
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

void write_atomically(const fs::path& target, const std::function<void(const fs::path& tmp)>& write) {
  const Destination d = resolve(target);
  if (d.kind == Kind::special) {
    write(target);  // (through any link: messages then name the path the caller gave)
    return;
  }
  remove_stale_temporaries(d.path);
  const fs::path tmp = temporary_beside(d, target);
  try {
    write(tmp);
    sync_file(tmp, target);
  } catch (...) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw;
  }
  std::error_code ec;
  fs::rename(tmp, d.path, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    refuse(target, ec.message());
  }
  sync_directory(d.path);
}

void write_file_atomically(const fs::path& target, const std::function<void(OutputFile& out)>& write) {
  write_atomically(target, [&](const fs::path& path) {
    OutputFile out(path, target);
    write(out);
    out.close();
  });
}

}  // namespace sparsecode::core
