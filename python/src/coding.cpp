// CodingParams -> EncodeOptions, SparseCoder on the caller's memory (no copies), and the summary as a dict.
#include "coding.hpp"

#include <stdexcept>
#include <type_traits>
#include <variant>

#include "sparsecode/solvers/solver_options.hpp"
#include "sparsecode/sparse/sparse_coder.hpp"

namespace sparsecode::python {

sparse::EncodeOptions to_encode_options(const CodingParams& params) {
  sparse::EncodeOptions options;
  options.solver = solvers::parse_solver(params.solver);
  options.penalty.lambda = params.alpha;
  options.penalty.sign = params.positive ? solvers::CodeSign::nonnegative : solvers::CodeSign::any;
  std::visit(
      [&](auto& o) {
        using O = std::decay_t<decltype(o)>;
        const int cap = params.max_iterations;
        if constexpr (std::is_same_v<O, solvers::LarsOptions>) {
          if (cap > 0) o.max_steps = cap;
        } else if constexpr (std::is_same_v<O, solvers::CoordinateDescentOptions>) {
          o.tolerance = params.tolerance;
          if (cap > 0) o.max_sweeps = cap;
        } else if constexpr (std::is_same_v<O, solvers::ProximalGradientOptions>) {
          o.tolerance = params.tolerance;
          if (cap > 0) o.max_iterations = cap;
        } else if constexpr (std::is_same_v<O, solvers::FeatureSignOptions>) {
          if (cap > 0) o.max_iterations = cap;
        } else if constexpr (std::is_same_v<O, solvers::OmpOptions>) {
          o.max_atoms = params.omp_atoms;
          o.residual_tolerance = params.omp_tolerance;
        }
      },
      options.solver);
  options.threads = params.threads;
  options.validate();
  return options;
}

template <class T>
sparse::EncodeSummary encode_columns(const ConstMap<T>& dictionary, const ConstMap<T>& signals, MutableMap<T> codes,
                                     const sparse::EncodeOptions& options) {
  sparse::SparseCoder<T> coder(options);
  coder.compute(dictionary);
  return coder.encode(signals, codes);  // reads and writes the caller's memory
}

template sparse::EncodeSummary encode_columns<double>(const ConstMap<double>&, const ConstMap<double>&,
                                                      MutableMap<double>, const sparse::EncodeOptions&);
template sparse::EncodeSummary encode_columns<float>(const ConstMap<float>&, const ConstMap<float>&,
                                                     MutableMap<float>, const sparse::EncodeOptions&);

pybind11::dict summary_dict(const sparse::EncodeSummary& s) {
  pybind11::dict d;
  d["solver"] = s.solver;
  d["samples"] = s.samples;
  d["mean_objective"] = s.mean_objective;
  d["mean_nonzeros"] = s.mean_nonzeros;
  d["mean_relative_residual"] = s.mean_relative_residual;
  d["max_duality_gap"] = s.max_duality_gap;
  d["max_relative_gap"] = s.max_relative_gap;
  d["not_converged"] = s.not_converged;
  d["seconds"] = s.seconds;
  d["report"] = s.brief_report();
  return d;
}

CodingParams coding_params_from(const pybind11::dict& kwargs) {
  CodingParams p;
  for (const auto& [key, value] : kwargs) {
    const std::string name = pybind11::cast<std::string>(key);
    if (name == "solver") p.solver = pybind11::cast<std::string>(value);
    else if (name == "alpha") p.alpha = pybind11::cast<double>(value);
    else if (name == "positive") p.positive = pybind11::cast<bool>(value);
    else if (name == "omp_atoms") p.omp_atoms = pybind11::cast<int>(value);
    else if (name == "omp_tolerance") p.omp_tolerance = pybind11::cast<double>(value);
    else if (name == "tolerance") p.tolerance = pybind11::cast<double>(value);
    else if (name == "max_iterations") p.max_iterations = pybind11::cast<int>(value);
    else if (name == "threads") p.threads = pybind11::cast<int>(value);
    else throw std::invalid_argument("unknown coding parameter '" + name + "'");
  }
  return p;
}

}  // namespace sparsecode::python
