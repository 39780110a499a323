// CodingParams -> EncodeOptions, the encoder call on caller memory, and the summary as a dict.
#include "coding.hpp"

#include <stdexcept>

namespace sparsecode::python {

sparse::EncodeOptions to_encode_options(const CodingParams& params) {
  sparse::EncodeOptions options;
  options.solver = sparse::parse_solver_kind(params.solver);
  options.penalty.lambda = params.alpha;
  options.penalty.sign = params.positive ? solvers::CodeSign::nonnegative : solvers::CodeSign::any;
  options.omp_atoms = params.omp_atoms;
  options.omp_tolerance = params.omp_tolerance;
  options.tolerance = params.tolerance;
  options.max_iterations = params.max_iterations;
  options.threads = params.threads;
  options.validate();
  return options;
}

template <class T>
sparse::EncodeSummary encode_columns(const ConstMap<T>& dictionary, const ConstMap<T>& signals, MutableMap<T> codes,
                                     const sparse::EncodeOptions& options) {
  if (codes.rows() != dictionary.cols() || codes.cols() != signals.cols()) {
    throw std::invalid_argument("codes must have shape (" + std::to_string(signals.cols()) + ", " +
                                std::to_string(dictionary.cols()) + "), got (" + std::to_string(codes.cols()) +
                                ", " + std::to_string(codes.rows()) + ")");
  }
  // TODO(SparseCoder): today's encode() takes Matrix<T>&, so the inputs are copied once here;
  // sparse::SparseCoder<T> reads Eigen::Ref inputs and writes into `codes` in place.
  const Matrix<T> d = dictionary;
  const Matrix<T> x = signals;
  Matrix<T> a;
  sparse::EncodeSummary summary = sparse::encode(d, x, a, options);
  codes = a;
  return summary;
}

template sparse::EncodeSummary encode_columns<double>(const ConstMap<double>&, const ConstMap<double>&,
                                                      MutableMap<double>, const sparse::EncodeOptions&);
template sparse::EncodeSummary encode_columns<float>(const ConstMap<float>&, const ConstMap<float>&,
                                                     MutableMap<float>, const sparse::EncodeOptions&);

pybind11::dict summary_dict(const sparse::EncodeSummary& s) {
  pybind11::dict d;
  d["samples"] = s.samples;
  d["mean_objective"] = s.mean_objective;
  d["mean_nonzeros"] = s.mean_nonzeros;
  d["mean_relative_residual"] = s.mean_relative_residual;
  d["max_duality_gap"] = s.max_duality_gap;
  d["max_relative_gap"] = s.max_relative_gap;
  d["not_converged"] = s.not_converged;
  d["seconds"] = s.seconds;
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
