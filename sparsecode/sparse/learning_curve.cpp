// The learning curve of a dictionary-learning run, drawn with viz::write_curve_png.
#include "sparsecode/sparse/learning_curve.hpp"

#include <cmath>

#include "sparsecode/viz/curve_plot.hpp"

namespace sparsecode::sparse {

void write_learning_curve_png(const std::filesystem::path& path, const std::vector<LearnerProgress>& rows) {
  viz::CurveSeries batch{{}, {}, 160, 1, "mini-batch objective"};
  viz::CurveSeries held{{}, {}, 0, 3, "held-out objective"};
  for (const auto& p : rows) {
    batch.x.push_back(static_cast<double>(p.samples_seen));
    batch.y.push_back(p.batch_objective);
    if (!std::isnan(p.heldout_objective)) {
      held.x.push_back(static_cast<double>(p.samples_seen));
      held.y.push_back(p.heldout_objective);
    }
  }
  viz::write_curve_png(path, {batch, held},
                  {"Dictionary learning", "samples seen", "mean objective per sample (0.5 * squared error + lambda * L1)"});
}

}  // namespace sparsecode::sparse
