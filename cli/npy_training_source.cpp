// NpyTrainingSource: training rows gathered from the file on demand, held-out rows read once.
#include "cli/npy_training_source.hpp"

#include "sparsecode/core/sample_checks.hpp"

namespace sparsecode::cli {

NpyTrainingSource::NpyTrainingSource(const io::NpyRowReader& reader, const std::vector<char>& held) : reader_(reader) {
  std::vector<core::Index> heldout_rows;
  for (core::Index i = 0; i < reader.rows(); ++i) (held[static_cast<std::size_t>(i)] ? heldout_rows : rows_).push_back(i);
  heldout_ = reader.gather<double>(heldout_rows.data(), static_cast<core::Index>(heldout_rows.size()),
                                   io::NpyConversion::allow_float_conversion);
}

void NpyTrainingSource::gather(const core::Index* indices, core::Index count, core::Matrix<double>& out) const {
  std::vector<core::Index> file_rows(static_cast<std::size_t>(count));
  for (core::Index j = 0; j < count; ++j) file_rows[static_cast<std::size_t>(j)] = rows_[static_cast<std::size_t>(indices[j])];
  out = reader_.gather<double>(file_rows.data(), count, io::NpyConversion::allow_float_conversion);
  // Checked here, where each column's row in the file is known (the coder would name its column
  // in the mini-batch); the file is never read whole, so this is where its rows are checked.
  const auto row_of = [&](core::Index j) { return file_rows[static_cast<std::size_t>(j)]; };
  core::check_samples_finite<double>(out, reader_.file().string(), "sample", row_of);
  if (float_range_) core::check_samples_fit_float(out, reader_.file().string(), "sample", row_of);
}

}  // namespace sparsecode::cli
