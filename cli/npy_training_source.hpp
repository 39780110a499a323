// The training rows of an .npy file as a sparse::TrainingSource: mini-batches read on demand, held-out rows loaded.
#pragma once

#include <vector>

#include "sparsecode/io/npy_rows.hpp"
#include "sparsecode/sparse/training_source.hpp"

namespace sparsecode::cli {

/// Training sample t is the t-th row of the file not marked held out (the order of the
/// in-memory split), read when a mini-batch needs it through NpyRowReader::gather: the batch's
/// rows sorted, neighbours within 64 KiB read with one pread, one forward sweep per mini-batch.
/// With N much larger than the batch that is still about one random read per sample: cheap on an
/// SSD or in the page cache, a seek per sample on a spinning disk (see the README). Holds N
/// indices (8 bytes per training row) and the held-out rows.
class NpyTrainingSource final : public sparse::TrainingSource {
 public:
  /// `held[i]` marks row i of `reader` (which must outlive this) as held out; those rows are
  /// read into heldout() (d×M, file order).
  NpyTrainingSource(const io::NpyRowReader& reader, const std::vector<char>& held);

  core::Index dimension() const override { return reader_.row_length(); }
  core::Index samples() const override { return static_cast<core::Index>(rows_.size()); }
  void gather(const core::Index* indices, core::Index count, core::Matrix<double>& out) const override;
  const core::Matrix<double>& heldout() const { return heldout_; }
  /// From now on gathered rows must also have squared norms within float's range (`--float32`).
  void require_float_range() { float_range_ = true; }

 private:
  const io::NpyRowReader& reader_;
  std::vector<core::Index> rows_;  ///< file row of each training sample
  core::Matrix<double> heldout_;
  bool float_range_ = false;
};

}  // namespace sparsecode::cli
