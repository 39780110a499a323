// Learner checkpoints: a small versioned binary file of named matrices, integers, reals and strings.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>

#include "sparsecode/core/types.hpp"

namespace sparsecode::io {

/// A checkpoint that cannot be read or does not match the run; the message names the file.
class CheckpointError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Named values of a learner's state. Matrices and reals are stored bit for bit (IEEE-754
/// doubles, little-endian), so a resumed run continues from exactly the saved numbers.
/// File layout (version 2): the 16-byte magic "SPARSECODE-CKPT2", an entry count (u64), then
/// per entry: name length (u64), name, a type byte (m/i/r/s) and the payload — for a matrix
/// rows and cols (u64) then rows·cols doubles column-major; an i64; a double; or a length-
/// prefixed string; the file ends with the CRC-32 (u32) of all the bytes before it. Version 1
/// ("SPARSECODE-CKPT1", the same without the CRC) is still read. Host byte order is assumed
/// little-endian (checked at compile time).
class Checkpoint {
 public:
  void set_matrix(const std::string& name, const Matrix<double>& value) { matrices_[name] = value; }
  void set_int(const std::string& name, std::int64_t value) { ints_[name] = value; }
  void set_real(const std::string& name, double value) { reals_[name] = value; }
  void set_string(const std::string& name, const std::string& value) { strings_[name] = value; }

  /// Whether an entry of that name (of any type) exists, e.g. one added by a later version.
  bool has(const std::string& name) const {
    return matrices_.count(name) + ints_.count(name) + reals_.count(name) + strings_.count(name) > 0;
  }
  /// Getters throw CheckpointError naming the entry if it is missing.
  const Matrix<double>& matrix(const std::string& name) const;
  std::int64_t integer(const std::string& name) const;
  double real(const std::string& name) const;
  const std::string& string(const std::string& name) const;

  /// Writes atomically (temporary file + fsync + rename): a crash leaves the previous
  /// checkpoint. Throws std::runtime_error naming the file if any write fails.
  void save(const std::filesystem::path& path) const;
  /// Throws CheckpointError naming the file if it is a directory, unreadable, truncated, not a
  /// checkpoint, or corrupt (its CRC-32 does not match: the message says "is corrupt").
  /// `what` names the file's role in those messages ("classifier model 'f' is corrupt: …"):
  /// the same container holds checkpoints and model files.
  static Checkpoint load(const std::filesystem::path& path, const std::string& what = "checkpoint");

 private:
  std::map<std::string, Matrix<double>> matrices_;
  std::map<std::string, std::int64_t> ints_;
  std::map<std::string, double> reals_;
  std::map<std::string, std::string> strings_;
};

}  // namespace sparsecode::io
