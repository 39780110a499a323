// The learning curve of a dictionary-learning run as a PNG figure.
#pragma once

#include <filesystem>
#include <vector>

#include "sparsecode/sparse/learner_progress.hpp"

namespace sparsecode::sparse {

/// The learning curve of a run: batch objective (grey, thin) and held-out objective (black,
/// thick) against samples seen. Throws std::runtime_error naming the file if it cannot be written.
void write_learning_curve_png(const std::filesystem::path& path, const std::vector<LearnerProgress>& rows);

}  // namespace sparsecode::sparse
