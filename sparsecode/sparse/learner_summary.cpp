// The learner summary's one-line report.
#include "sparsecode/sparse/learner_summary.hpp"

#include <cmath>
#include <sstream>

namespace sparsecode::sparse {

std::string LearnerSummary::brief_report() const {
  std::ostringstream out;
  out.precision(6);
  out << "dictionary learning stopped (" << core::describe(termination) << ") after " << last.iteration
      << (last.iteration == 1 ? " iteration (" : " iterations (") << last.samples_seen << " samples, "
      << last.epoch << (last.epoch == 1 ? " full epoch" : " full epochs") << ") in " << last.seconds << " s"
      << (resumed ? " (resumed)" : "") << "; objective " << last.batch_objective;
  if (!std::isnan(last.heldout_objective)) out << ", held-out " << last.heldout_objective;
  if (!std::isnan(best_heldout_objective)) out << ", held-out best " << best_heldout_objective;
  out << ", " << last.atoms_replaced << " atoms replaced";
  if (last.not_converged > 0) out << ", " << last.not_converged << " training codes not converged";
  out.precision(3);
  out << "; coding " << time_split.coding << " s";
  if (time_split.exchange > 0) out << ", exchange " << time_split.exchange << " s";
  out << ", update " << time_split.update << " s";
  return out.str();
}

}  // namespace sparsecode::sparse
