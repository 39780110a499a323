// Writes a file all-or-nothing: into a temporary file beside the target, then renamed into place.
#pragma once

#include <filesystem>
#include <functional>

#include "sparsecode/core/output_file.hpp"

namespace sparsecode::core {

/// Calls `write(tmp)` with a temporary path in the target's directory, syncs the temporary
/// file to the disk, then renames it to `target`. If `write` (or the sync) throws, the
/// temporary file is removed and the exception propagates, so `target` is either the complete
/// new file or untouched. Throws std::runtime_error naming `target` if the rename fails.
///
/// What the target is decides how it is written:
/// - a regular file or a new name: as above. A replaced file keeps its permission bits; a new
///   one gets 0644.
/// - a symbolic link (to any depth): the link is kept and the file it points to is replaced
///   atomically as above (a dangling link creates its target).
/// - a character device or a FIFO (/dev/null, /dev/stdout, a named pipe): written directly,
///   `write(target)` (through any links), since it cannot be replaced; nothing is atomic
///   about such a write.
/// - a directory, block device or socket: refused with std::runtime_error naming it, before
///   `write` is called.
///
/// Temporary files are named "<target>.tmp.<pid>.XXXXXX". Before writing, temporary files of
/// the same target left by processes that no longer exist (a killed run) are removed; those of
/// live processes are left alone. (Process ids are those of this host: a directory written
/// concurrently from several machines can lose another machine's in-progress temporary.)
void write_atomically(const std::filesystem::path& target,
                      const std::function<void(const std::filesystem::path& tmp)>& write);

/// As write_atomically, with the (temporary or device) file already open as a checked
/// OutputFile whose messages name `target`; `write` writes to it, and write_file_atomically
/// closes it (flush, fsync, close — every step checked).
void write_file_atomically(const std::filesystem::path& target,
                           const std::function<void(OutputFile& out)>& write);

}  // namespace sparsecode::core
