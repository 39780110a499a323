// A file opened for writing whose every write, flush, sync and close is checked, errors naming the file.
#pragma once

#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <string_view>

namespace sparsecode::core {

/// Writes bytes to a file and reports every failure: each write(), and in close() the flush of
/// the buffer, fsync (regular files only; devices and FIFOs have nothing to sync) and fclose.
/// A full disk therefore surfaces as an exception instead of a silently truncated file.
/// Errors throw std::runtime_error "cannot write '<name>': <system reason>", where `name` is
/// the file the caller asked for (the final target, not the temporary file being written).
class OutputFile {
 public:
  /// Opens (creating or truncating) `path` for writing; `name` is used in messages
  /// (empty: `path`). Throws std::runtime_error if it cannot be opened.
  explicit OutputFile(const std::filesystem::path& path, const std::filesystem::path& name = {});
  /// Closes without checking: only reached on an error path (an exception is already propagating).
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  void write(const void* data, std::size_t bytes);
  void write(std::string_view text) { write(text.data(), text.size()); }
  /// Flushes, syncs a regular file to the disk and closes; throws on any failure. Must be
  /// called once after the last write (the destructor alone does not report errors).
  void close();

  const std::filesystem::path& name() const { return name_; }

 private:
  [[noreturn]] void fail(int error) const;

  std::FILE* file_ = nullptr;
  std::filesystem::path name_;
};

}  // namespace sparsecode::core
