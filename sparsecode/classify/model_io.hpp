// The classifier model file: the checkpoint container tagged with kind "classifier" and a format version.
#pragma once

#include <filesystem>
#include <stdexcept>

#include "sparsecode/classify/classifier.hpp"

namespace sparsecode::classify {

/// Version of the classifier file format this build writes and reads.
inline constexpr int kClassifierFormatVersion = 1;

/// A file that is not a readable classifier of this version; the message names the file.
class ModelFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Writes atomically an io::Checkpoint with entries kind = "classifier", format_version, loss,
/// l2, l1, mean, scale, members and W<k>, b<k> per member (floats stored exactly as doubles).
/// Throws std::invalid_argument if the model is inconsistent (Classifier::validate).
void save_classifier(const std::filesystem::path& path, const Classifier& model);

/// Reads a file written by save_classifier. Throws ModelFileError with one line naming the
/// file if it is unreadable, not a sparsecode container, of another kind (e.g. a features
/// extractor), of another format version, or inconsistent.
Classifier load_classifier(const std::filesystem::path& path);

}  // namespace sparsecode::classify
