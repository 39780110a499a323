// Checked file output: writes, flush, fsync and close each report failure naming the file.
#include "sparsecode/core/output_file.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include <sys/stat.h>
#include <unistd.h>

namespace sparsecode::core {

OutputFile::OutputFile(const std::filesystem::path& path, const std::filesystem::path& name)
    : name_(name.empty() ? path : name) {
  file_ = std::fopen(path.c_str(), "wb");
  if (file_ == nullptr) fail(errno);
}

OutputFile::~OutputFile() {
  if (file_ != nullptr) std::fclose(file_);
}

void OutputFile::fail(int error) const {
  throw std::runtime_error("cannot write '" + name_.string() + "': " +
                           (error != 0 ? std::strerror(error) : "write error"));
}

void OutputFile::write(const void* data, std::size_t bytes) {
  if (file_ == nullptr) throw std::logic_error("OutputFile::write after close");
  if (bytes > 0 && std::fwrite(data, 1, bytes, file_) != bytes) fail(errno);
}

void OutputFile::close() {
  if (file_ == nullptr) throw std::logic_error("OutputFile::close called twice");
  std::FILE* file = file_;
  file_ = nullptr;
  int error = 0;
  if (std::fflush(file) != 0) error = errno;
  struct stat info {};
  if (error == 0 && ::fstat(::fileno(file), &info) == 0 && S_ISREG(info.st_mode) &&
      ::fsync(::fileno(file)) != 0) {
    error = errno;
  }
  if (std::fclose(file) != 0 && error == 0) error = errno;
  if (error != 0) fail(error);
}

}  // namespace sparsecode::core
