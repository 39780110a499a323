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

}  // namespace sparsecode::core
