// Helpers for the NPY tests: a scratch directory, raw file bytes and the fixtures' value formula.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <type_traits>

#include <unistd.h>

#include "sparsecode/io/npy.hpp"
#include "sparsecode/core/types.hpp"

namespace npy_test {

namespace fs = std::filesystem;

/// A fresh directory under the system temp dir, removed on destruction (unique per process,
/// since CTest may run test cases in parallel).
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name)
      : path_(fs::temp_directory_path() /
              ("sparsecode_" + name + "_" + std::to_string(::getpid()))) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  fs::path operator/(const std::string& file) const { return path_ / file; }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

inline std::string read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw std::runtime_error("test: cannot read " + file.string());
  }
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_bytes(const fs::path& file, const std::string& bytes) {
  std::ofstream(file, std::ios::binary) << bytes;
}

inline fs::path fixture(const std::string& name) {
  return fs::path(SPARSECODE_FIXTURE_DIR) / "npy" / name;
}

/// The fixtures' formula (tests/fixtures/make_fixtures.py): element (i, j) of the N×d array.
template <class T>
T fixture_value(int i, int j) {
  if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(i - 2 * j) / T{8};
  } else if constexpr (std::is_same_v<T, std::uint8_t>) {
    return static_cast<T>(10 * i + j + 3);
  } else {
    return static_cast<T>(10 * i + j - 3);
  }
}

constexpr int kRows = 3;    // N of the fixtures' 2-D arrays
constexpr int kCols = 4;    // d
constexpr int kLength = 5;  // length of the 1-D arrays

/// The fixtures' 2-D N×d array as load_samples returns it: d×N, column i = sample i.
template <class T>
sparsecode::Matrix<T> expected_samples() {
  sparsecode::Matrix<T> m(kCols, kRows);
  for (int i = 0; i < kRows; ++i) {
    for (int j = 0; j < kCols; ++j) {
      m(j, i) = fixture_value<T>(i, j);
    }
  }
  return m;
}

template <class T>
sparsecode::Vector<T> expected_vector() {
  sparsecode::Vector<T> v(kLength);
  for (int i = 0; i < kLength; ++i) {
    v(i) = fixture_value<T>(i, 0);
  }
  return v;
}

/// A file's bytes from its parts: magic, version, little-endian header length (the dict's
/// length unless `declared_length` is given), dict text, data.
inline std::string npy_file(const std::string& dict, const std::string& data = "", int major = 1,
                            long long declared_length = -1) {
  const auto length = static_cast<unsigned long long>(
      declared_length >= 0 ? declared_length : static_cast<long long>(dict.size()));
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  for (int i = 0; i < (major == 1 ? 2 : 4); ++i) {
    out += static_cast<char>((length >> (8 * i)) & 0xff);
  }
  return out + dict + data;
}

/// The message of the NpyError `f` throws (empty if it throws none).
template <class F>
std::string npy_error(F&& f) {
  try {
    f();
  } catch (const sparsecode::io::NpyError& e) {
    return e.what();
  }
  return {};
}

}  // namespace npy_test
