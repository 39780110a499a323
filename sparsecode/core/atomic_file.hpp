// Writes a file all-or-nothing: into a temporary file beside the target, then renamed into place.
#pragma once

#include <filesystem>
#include <functional>

namespace sparsecode::core {

/// Calls `write(tmp)` with a temporary path in the target's directory, then renames it to
/// `target`. If `write` throws, the temporary file is removed and the exception propagates,
/// so `target` is either the complete new file or untouched. Throws std::runtime_error if the
/// rename fails.
void write_atomically(const std::filesystem::path& target,
                      const std::function<void(const std::filesystem::path& tmp)>& write);

}  // namespace sparsecode::core
