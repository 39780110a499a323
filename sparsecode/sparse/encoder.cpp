// Encoding options' validation, the summary's report, and encode() as a one-call SparseCoder.
#include "sparsecode/sparse/encoder.hpp"

#include <cstdio>
#include <stdexcept>
#include <string>

#include "sparsecode/core/internal/stopwatch.hpp"
#include "sparsecode/sparse/sparse_coder.hpp"

namespace sparsecode::sparse {

void EncodeOptions::validate() const {
  penalty.validate();
  try {
    solvers::validate(solver);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("EncodeOptions.solver: ") + e.what());
  }
  auto fail = [](const std::string& field, const std::string& rule, const std::string& value) {
    throw std::invalid_argument("EncodeOptions." + field + " must be " + rule + ", got " + value);
  };
  if (threads < 0) fail("threads", ">= 0", std::to_string(threads));
  if (chunk_size <= 0) fail("chunk_size", "> 0", std::to_string(chunk_size));
  if (start == Start::warm && !solvers::uses_warm_start(solver)) {
    throw std::invalid_argument("EncodeOptions.start: solver '" + solvers::solver_name(solver) +
                                "' does not use warm starts (it always starts from a = 0); use Start::cold "
                                "or a solver that does (cd, fista, ista, fss)");
  }
}

namespace {

template <class... Args>
std::string format(const char* pattern, Args... args) {
  const int size = std::snprintf(nullptr, 0, pattern, args...);
  std::string out(static_cast<std::size_t>(size) + 1, '\0');
  std::snprintf(out.data(), out.size(), pattern, args...);
  out.pop_back();
  return out;
}

}  // namespace

std::string EncodeSummary::brief_report() const {
  const double rate = seconds > 0.0 ? static_cast<double>(samples) / seconds : 0.0;
  std::string report = format(
      "Sparse coding: %lld samples, solver %s, mean objective %.10g, mean non-zeros %.4f, "
      "mean relative residual %.6g\n",
      static_cast<long long>(samples), solver.c_str(), mean_objective, mean_nonzeros, mean_relative_residual);
  report += solver == "omp" ? std::string("largest duality gap n/a (OMP)")
                            : format("largest duality gap %.3g (relative %.3g)", max_duality_gap, max_relative_gap);
  report += format(", not converged %lld, threads %d, seconds %.4f, patches/s %.1f",
                   static_cast<long long>(not_converged), threads, seconds, rate);
  return report;
}

template <class T>
EncodeSummary encode(const Matrix<T>& dictionary, const Matrix<T>& signals, Matrix<T>& codes,
                     const EncodeOptions& options) {
  const core::internal::Stopwatch started;
  EncodeSummary summary = SparseCoder<T>(options).compute(dictionary).encode(signals, codes);
  summary.seconds = started.seconds();
  return summary;
}

template <class T>
void normalize_atoms(Matrix<T>& dictionary) {
  for (Index j = 0; j < dictionary.cols(); ++j) {
    const T norm = dictionary.col(j).norm();
    if (norm > T(1)) dictionary.col(j) /= norm;
  }
}

template EncodeSummary encode<float>(const Matrix<float>&, const Matrix<float>&, Matrix<float>&,
                                     const EncodeOptions&);
template EncodeSummary encode<double>(const Matrix<double>&, const Matrix<double>&, Matrix<double>&,
                                      const EncodeOptions&);
template void normalize_atoms<float>(Matrix<float>&);
template void normalize_atoms<double>(Matrix<double>&);

}  // namespace sparsecode::sparse
