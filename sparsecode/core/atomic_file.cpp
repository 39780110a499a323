// All-or-nothing file writes (temporary file + rename).
#include "sparsecode/core/atomic_file.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

namespace sparsecode::core {
namespace {

// mkstemp creates a unique empty file atomically, so concurrent writers never share one.
std::filesystem::path temporary_beside(const std::filesystem::path& target) {
  std::string pattern = target.string() + ".tmp.XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  const int fd = ::mkstemp(buffer.data());
  if (fd < 0) {
    throw std::runtime_error("cannot create a temporary file beside '" + target.string() +
                             "': " + std::strerror(errno));
  }
  // mkstemp creates the file 0600; give the result the permissions of an ordinary new file.
  ::fchmod(fd, 0644);
  ::close(fd);
  return std::filesystem::path(buffer.data());
}

}  // namespace

void write_atomically(const std::filesystem::path& target,
                      const std::function<void(const std::filesystem::path& tmp)>& write) {
  const std::filesystem::path tmp = temporary_beside(target);
  try {
    write(tmp);
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, target, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw std::runtime_error("cannot write '" + target.string() + "': " + ec.message());
  }
}

}  // namespace sparsecode::core
