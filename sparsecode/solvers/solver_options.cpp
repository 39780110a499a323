// Solver selection: names, validation and warm-start support of each SolverOptions alternative.
#include "sparsecode/solvers/solver_options.hpp"

#include <stdexcept>

namespace sparsecode::solvers {

SolverOptions parse_solver(const std::string& name) {
  if (name == "lars") return LarsOptions{};
  if (name == "cd") return CoordinateDescentOptions{};
  if (name == "fista" || name == "ista") {
    ProximalGradientOptions o;
    o.method = name == "fista" ? ProximalMethod::fista : ProximalMethod::ista;
    return o;
  }
  if (name == "fss") return FeatureSignOptions{};
  if (name == "omp") return OmpOptions{};
  throw std::invalid_argument("solver must be one of lars, cd, fista, ista, fss, omp; got '" + name + "'");
}

std::string solver_name(const SolverOptions& options) {
  struct Name {
    std::string operator()(const LarsOptions&) const { return "lars"; }
    std::string operator()(const CoordinateDescentOptions&) const { return "cd"; }
    std::string operator()(const ProximalGradientOptions& o) const {
      return o.method == ProximalMethod::fista ? "fista" : "ista";
    }
    std::string operator()(const FeatureSignOptions&) const { return "fss"; }
    std::string operator()(const OmpOptions&) const { return "omp"; }
  };
  return std::visit(Name{}, options);
}

void validate(const SolverOptions& options) {
  std::visit([](const auto& o) { o.validate(); }, options);
}

bool uses_warm_start(const SolverOptions& options) {
  return !std::holds_alternative<LarsOptions>(options) && !std::holds_alternative<OmpOptions>(options);
}

}  // namespace sparsecode::solvers
