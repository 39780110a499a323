// Sparse code files: scipy.sparse CSR matrices in .npz archives (zip of .npy arrays, via libzip), written and read back.
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include "sparsecode/core/types.hpp"

namespace sparsecode::io {

/// A malformed or unsupported .npz file; the message names the file and the problem.
class NpzError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct NpzOptions {
  /// Entries with |value| <= threshold are left out (0, the default: only exact zeros, so the
  /// file holds the codes exactly). NaN is never left out.
  double threshold = 0.0;
  /// Deflate the arrays: smaller files, slower writing (codes' float mantissas hardly compress).
  /// Off by default; scipy reads both.
  bool compress = false;

  void validate() const;  ///< throws std::invalid_argument unless threshold is finite and >= 0
};

/// Writes codes — k×N, one code per column, as the encoder returns them — as the N×k scipy CSR
/// matrix (samples as rows, like every sparsecode .npy file), in the layout of
/// scipy.sparse.save_npz, so that `scipy.sparse.load_npz(path)` reads it: a zip archive of
/// data.npy (the kept values, dtype of T: '<f8' or '<f4'), indices.npy (their columns, the atom
/// indices, ascending within a row), indptr.npy (N+1 row starts), int32 like scipy (int64 when
/// the count of kept values or k or N exceed 2^31−1), format.npy (b'csr') and shape.npy
/// (int64 [N, k]). The archive is built in memory (about twice the kept values' bytes), then
/// written atomically with every write checked (core::write_file_atomically).
/// Throws std::invalid_argument for bad options; std::runtime_error naming the file if
/// writing fails. T is float or double.
template <class T>
void save_csr_npz(const std::filesystem::path& path, const Matrix<T>& codes, const NpzOptions& options = {});

/// Codes gathered block by block as the rows of the N×k CSR matrix that save_csr_npz writes, so
/// that a caller coding N samples in blocks never holds the dense k×N codes: memory is the kept
/// values (value and index each) plus one row start per sample. Values are kept or dropped by
/// options.threshold as in save_csr_npz; indices ascend within a row.
template <class T>
class CsrCodes {
 public:
  /// `expected_rows` (a hint, 0: unknown) is how many samples the caller will append in all:
  /// after the first block, room for that many at the block's density + 10% is reserved, so
  /// that the arrays are allocated once instead of grown and copied as blocks arrive.
  /// Throws std::invalid_argument for atoms < 0, expected_rows < 0 or bad options.
  explicit CsrCodes(Index atoms, const NpzOptions& options = {}, Index expected_rows = 0);

  /// Appends the codes of a block, k×n (one code per column), as n more rows.
  /// Throws std::invalid_argument if the block does not have k rows.
  void append(const Eigen::Ref<const Matrix<T>>& codes);

  Index rows() const { return static_cast<Index>(row_starts_.size()) - 1; }  ///< N, samples appended
  Index cols() const { return atoms_; }                                      ///< k
  std::size_t nonzeros() const { return values_.size(); }
  const NpzOptions& options() const { return options_; }
  const std::vector<T>& values() const { return values_; }
  const std::vector<Index>& indices() const { return indices_; }               ///< atom of each value
  const std::vector<std::int64_t>& row_starts() const { return row_starts_; }  ///< N + 1 entries

 private:
  void append_rows(const Eigen::Ref<const Matrix<T>>& codes);  // append() after its check
  void reserve_for_expected_rows();  // after the first block, as the constructor says

  Index atoms_;
  NpzOptions options_;
  Index expected_rows_;
  std::vector<T> values_;
  std::vector<Index> indices_;
  std::vector<std::int64_t> row_starts_{0};
};

/// Writes gathered codes as save_csr_npz writes the dense ones (same file for the same codes).
template <class T>
void save_csr_npz(const std::filesystem::path& path, const CsrCodes<T>& codes);

/// Reads a CSR .npz (written by save_csr_npz or scipy.sparse.save_npz: float32/float64 data,
/// int32/int64 indices, stored or deflated) back as the dense k×N matrix of codes, i.e. the
/// transpose of the file's N×k matrix. Throws NpzError naming the file if it is not a zip
/// archive, lacks a member, is not CSR, or its arrays are inconsistent (indptr not
/// non-decreasing from 0 to the value count, an index outside [0, k)).
Matrix<double> load_csr_npz(const std::filesystem::path& path);

}  // namespace sparsecode::io
