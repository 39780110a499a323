// Names of the termination reasons.
#include "sparsecode/core/termination.hpp"

namespace sparsecode::core {

std::string to_string(Termination termination) {
  switch (termination) {
    case Termination::epochs: return "epochs";
    case Termination::iterations: return "iterations";
    case Termination::samples: return "samples";
    case Termination::seconds: return "seconds";
    case Termination::early_stopping: return "early_stopping";
    case Termination::converged: return "converged";
    case Termination::gradient_tolerance: return "gradient_tolerance";
    case Termination::function_tolerance: return "function_tolerance";
    case Termination::line_search_failed: return "line_search_failed";
    case Termination::user_callback: return "user_callback";
  }
  return "unknown";
}

std::string describe(Termination termination) {
  switch (termination) {
    case Termination::epochs: return "epoch budget used up";
    case Termination::iterations: return "iteration budget used up";
    case Termination::samples: return "sample budget used up";
    case Termination::seconds: return "time budget used up";
    case Termination::early_stopping: return "held-out objective stopped improving";
    case Termination::converged: return "converged (relative objective decrease below the tolerance)";
    case Termination::gradient_tolerance: return "converged (gradient norm below the tolerance)";
    case Termination::function_tolerance: return "converged (relative cost decrease below the tolerance)";
    case Termination::line_search_failed: return "line search found no acceptable step (best point kept)";
    case Termination::user_callback: return "stopped by the callback";
  }
  return "unknown reason";
}

}  // namespace sparsecode::core
