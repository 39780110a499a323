// Versioned binary file format of a trained sparse autoencoder (.sae): save atomically, load with checks.
#pragma once

#include <filesystem>
#include <stdexcept>

#include "sparsecode/autoencoder/cost.hpp"
#include "sparsecode/autoencoder/model.hpp"

namespace sparsecode::autoencoder {

/// A file that is not a readable model of a supported version; the message names the file.
class ModelFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A model and the cost options it was trained with.
struct SavedModel {
  Model model;
  CostOptions cost;
};

/// Current format version written by save_model.
inline constexpr std::uint32_t kModelFormatVersion = 2;

/// Layout (little-endian): magic "SPARSEAE" (8 bytes), u32 version, u32 header bytes (64),
/// i64 d, i64 h, u8 activation, u8 decoder, u8 tying, 5 zero bytes, f64 ρ, β, λ, α,
/// i64 parameter count P, then P float64 values of θ (see Architecture::parameter_count()),
/// then (version 2) the CRC-32 (u32) of all the bytes before it. Version 1 files (the same
/// without the CRC) are still read. Written atomically (temporary file + fsync + rename),
/// every write checked.
void save_model(const std::filesystem::path& path, const Model& model, const CostOptions& cost);

/// Reads and checks a model file: magic, version, the CRC-32 (a mismatch says "corrupt"),
/// header size, enum values, shapes, P consistent with the shapes, exact file size, finite values. Throws ModelFileError naming the
/// file and the problem.
SavedModel load_model(const std::filesystem::path& path);

}  // namespace sparsecode::autoencoder
