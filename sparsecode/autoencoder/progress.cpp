// The autoencoder training summary's one-line report.
#include "sparsecode/autoencoder/progress.hpp"

#include <cmath>
#include <sstream>

namespace sparsecode::autoencoder {

std::string TrainingSummary::brief_report() const {
  std::ostringstream out;
  out.precision(6);
  out << "autoencoder training stopped (" << core::describe(termination) << ") after " << iterations
      << " iterations (" << evaluations << " evaluations) in " << seconds << " s; cost " << initial_cost
      << " -> " << final_terms.total() << " (reconstruction " << final_terms.reconstruction << ", weight decay "
      << final_terms.weight_decay << ", sparsity " << final_terms.sparsity << ", l1 " << final_terms.l1 << ")";
  if (final_terms.rho_hat.size() > 0) out << ", mean rho_hat " << final_terms.mean_rho_hat();
  if (!std::isnan(best_validation_cost)) out << ", best validation " << best_validation_cost << " (epoch " << best_epoch << ")";
  if (!message.empty()) out << "; " << message;
  return out.str();
}

}  // namespace sparsecode::autoencoder
