// A fresh, uniquely named temporary directory for one test, removed when it goes out of scope.
#pragma once

#include <filesystem>
#include <string>

#include <unistd.h>

namespace sparsecode::test {

class TempDir {
 public:
  /// `tag` names the test; the process id keeps parallel CTest runs apart.
  explicit TempDir(const std::string& tag)
      : path_(std::filesystem::temp_directory_path() /
              ("sparsecode_" + tag + "_" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace sparsecode::test
