// NpyTrainingSource: training rows gathered from the file on demand, held-out rows read once.
#include "cli/npy_training_source.hpp"

namespace sparsecode::cli {

NpyTrainingSource::NpyTrainingSource(const io::NpyRowReader& reader, const std::vector<char>& held) : reader_(reader) {
  core::Index heldout_rows = 0;
  for (core::Index i = 0; i < reader.rows(); ++i) {
    if (held[static_cast<std::size_t>(i)]) {
      ++heldout_rows;
    } else {
      rows_.push_back(i);
    }
  }
  heldout_.resize(reader.row_length(), heldout_rows);
  for (core::Index i = 0, h = 0; i < reader.rows(); ++i) {
    if (held[static_cast<std::size_t>(i)]) {
      heldout_.col(h++) = reader.read<double>(i, 1, io::NpyConversion::allow_float_conversion).col(0);
    }
  }
}

void NpyTrainingSource::gather(const core::Index* indices, core::Index count, core::Matrix<double>& out) const {
  out.resize(dimension(), count);
  for (core::Index j = 0; j < count; ++j) {
    out.col(j) = reader_.read<double>(rows_[static_cast<std::size_t>(indices[j])], 1,
                                      io::NpyConversion::allow_float_conversion).col(0);
  }
}

}  // namespace sparsecode::cli
