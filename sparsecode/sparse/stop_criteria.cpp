// Stop criteria of the learners: validation, budgets reached, held-out early stopping.
#include "sparsecode/sparse/stop_criteria.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace sparsecode::sparse {

void StopCriteria::validate() const {
  if (epochs < 0) throw std::invalid_argument("StopCriteria.epochs must be >= 0, got " + std::to_string(epochs));
  if (iterations < 0) {
    throw std::invalid_argument("StopCriteria.iterations must be >= 0, got " + std::to_string(iterations));
  }
  if (samples < 0) throw std::invalid_argument("StopCriteria.samples must be >= 0, got " + std::to_string(samples));
  if (!(seconds >= 0) || !std::isfinite(seconds)) {
    throw std::invalid_argument("StopCriteria.seconds must be finite and >= 0, got " + std::to_string(seconds));
  }
  if (epochs == 0 && iterations == 0 && samples == 0 && seconds == 0) {
    throw std::invalid_argument("StopCriteria: one of epochs, iterations, samples or seconds must be > 0");
  }
  if (patience < 0) throw std::invalid_argument("StopCriteria.patience must be >= 0, got " + std::to_string(patience));
  if (!(min_improvement >= 0) || !std::isfinite(min_improvement)) {
    throw std::invalid_argument("StopCriteria.min_improvement must be finite and >= 0, got " +
                                std::to_string(min_improvement));
  }
}

std::optional<Termination> stop_reached(const StopCriteria& stop, const LearnerProgress& progress) {
  if (stop.epochs > 0 && progress.epoch >= stop.epochs) return Termination::epochs;
  if (stop.iterations > 0 && progress.iteration >= stop.iterations) return Termination::iterations;
  if (stop.samples > 0 && progress.samples_seen >= stop.samples) return Termination::samples;
  if (stop.seconds > 0 && progress.seconds >= stop.seconds) return Termination::seconds;
  return std::nullopt;
}

double fraction_done(const StopCriteria& stop, const LearnerProgress& progress, Index training_samples) {
  double done = 0.0;
  const auto consider = [&done](double progressed, double budget) {
    if (budget > 0.0) done = std::max(done, progressed / budget);
  };
  if (training_samples > 0) {
    consider(static_cast<double>(progress.samples_seen),
             static_cast<double>(stop.epochs) * static_cast<double>(training_samples));
  } else {
    consider(static_cast<double>(progress.epoch), static_cast<double>(stop.epochs));
  }
  consider(static_cast<double>(progress.iteration), static_cast<double>(stop.iterations));
  consider(static_cast<double>(progress.samples_seen), static_cast<double>(stop.samples));
  consider(progress.seconds, stop.seconds);
  return std::min(done, 1.0);
}

bool HeldoutTracker::record(double objective, const StopCriteria& stop) {
  if (std::isnan(best) || objective < best * (1.0 - stop.min_improvement)) {
    best = objective;
    without_improvement = 0;
    return false;
  }
  without_improvement += 1;
  return stop.patience > 0 && without_improvement >= stop.patience;
}

}  // namespace sparsecode::sparse
