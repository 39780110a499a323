// Content checksums (CRC-32) for our container files and 64-bit fingerprints of data matrices.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sparsecode/core/types.hpp"

namespace sparsecode::io {

/// zlib's CRC-32 (the one of zip and PNG) of `bytes` bytes, continuing from `crc` (0 to start).
/// Detects every burst error up to 32 bits, so a flipped bit in a saved file is always caught.
std::uint32_t crc32(const void* data, std::size_t bytes, std::uint32_t crc = 0);

/// Closes a container file's bytes with their CRC-32 (4 bytes, little-endian).
void append_crc32(std::vector<char>& bytes);

/// Checks the trailing CRC-32 that append_crc32 wrote and removes it: false if the bytes are
/// damaged (or fewer than 4), in which case `bytes` is left unchanged.
bool strip_crc32(std::vector<char>& bytes);

/// A 64-bit fingerprint of a matrix: its shape and the bit patterns of its values in
/// column-major order (xxHash64's mixing, over 8-byte words, in four independent lanes), so
/// that any change of shape or of any value (including -0.0 vs 0.0 and NaN payloads) changes
/// it with overwhelming probability. A view and a copy of the same values have the same
/// fingerprint. Meant to tell whether a run resumes on the same training data; it is not a
/// cryptographic hash. Costs one pass over the data (about 0.1 s per GB on a current x86 core).
std::uint64_t fingerprint(const Eigen::Ref<const Matrix<double>>& values);

/// A 64-bit fingerprint of a set of samples (the columns of `samples`, whose global indices
/// start at `first_index`) that can be computed in parts: the sum modulo 2⁶⁴, over columns j, of
/// a mix of the index first_index + j and fingerprint(column j). The parts of a set split into
/// contiguous index ranges (e.g. the shards of a data-parallel run) add up to the whole set's
/// value, whatever the split. Any change of a value, of the order or of d changes it with
/// overwhelming probability. Not a cryptographic hash; one pass over the data.
std::uint64_t sample_fingerprint(const Eigen::Ref<const Matrix<double>>& samples, std::uint64_t first_index);

}  // namespace sparsecode::io
