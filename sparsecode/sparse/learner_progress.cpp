// The learners' progress log as CSV.
#include "sparsecode/sparse/learner_progress.hpp"

#include <cmath>
#include <fstream>
#include <stdexcept>

#include "sparsecode/core/atomic_file.hpp"

namespace sparsecode::sparse {

void write_progress_csv(const std::filesystem::path& path, const std::vector<LearnerProgress>& rows) {
  core::write_atomically(path, [&](const std::filesystem::path& tmp) {
    std::ofstream out(tmp);
    out << "iteration,samples_seen,epoch,batch_objective,heldout_objective,mean_nonzeros,atoms_replaced,seconds\n";
    out.precision(17);
    for (const auto& p : rows) {
      out << p.iteration << ',' << p.samples_seen << ',' << p.epoch << ',' << p.batch_objective << ',';
      if (!std::isnan(p.heldout_objective)) out << p.heldout_objective;
      out << ',' << p.mean_nonzeros << ',' << p.atoms_replaced << ',' << p.seconds << '\n';
    }
    out.flush();
    if (!out) throw std::runtime_error("cannot write '" + path.string() + "'");
  });
}

}  // namespace sparsecode::sparse
