// Block coordinate descent over atoms for the dictionary QP, with ball (and non-negativity) projection.
#include "solvers/dictionary_bcd.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace sparsecode::solvers {

void DictionaryBcdOptions::validate() const {
  if (!(tolerance > 0.0) || !std::isfinite(tolerance)) {
    throw std::invalid_argument("DictionaryBcdOptions.tolerance must be finite and > 0, got " +
                                std::to_string(tolerance));
  }
  if (max_sweeps < 1) {
    throw std::invalid_argument("DictionaryBcdOptions.max_sweeps must be >= 1, got " +
                                std::to_string(max_sweeps));
  }
}

template <class T>
DictionaryUpdateSummary update_dictionary_bcd(const Matrix<T>& a, const Matrix<T>& b,
                                              Matrix<T>& d, const DictionaryBcdOptions& options) {
  options.validate();
  check_dictionary_qp(a, b, d);
  const Index k = d.cols();
  const T used = T(1e-12) * std::max(std::numeric_limits<T>::min(), a.diagonal().maxCoeff());
  DictionaryUpdateSummary summary;
  for (Index j = 0; j < k; ++j) {
    if (!(a(j, j) > used)) ++summary.unused_atoms;
  }
  Vector<T> u(d.rows());
  Vector<T> old(d.rows());
  summary.termination = DictionaryTermination::max_iterations;
  for (int sweep = 0; sweep < options.max_sweeps; ++sweep) {
    double change2 = 0.0;
    double norm2 = 0.0;
    for (Index j = 0; j < k; ++j) {
      const T ajj = a(j, j);
      norm2 += static_cast<double>(d.col(j).squaredNorm());
      if (!(ajj > used)) continue;
      old = d.col(j);
      // u = d_j + (b_j − D a_j)/A_jj: the minimizer of the block's quadratic before projection.
      u.noalias() = b.col(j) - d * a.col(j);
      u = old + u / ajj;
      project_atom<T>(u, options.constraint);
      d.col(j) = u;
      change2 += static_cast<double>((u - old).squaredNorm());
    }
    summary.iterations = sweep + 1;
    if (std::sqrt(change2) <= options.tolerance * std::max(std::sqrt(norm2), 1e-12)) {
      summary.termination = DictionaryTermination::converged;
      break;
    }
  }
  if (options.residual == DictionaryBcdOptions::Residual::compute) {
    summary.objective = dictionary_objective(a, b, d);
    summary.kkt_residual = dictionary_kkt_residual(a, b, d, options.constraint);
  } else {
    summary.objective = std::numeric_limits<double>::quiet_NaN();
    summary.kkt_residual = std::numeric_limits<double>::quiet_NaN();
  }
  return summary;
}

template DictionaryUpdateSummary update_dictionary_bcd<float>(const Matrix<float>&, const Matrix<float>&,
                                                              Matrix<float>&, const DictionaryBcdOptions&);
template DictionaryUpdateSummary update_dictionary_bcd<double>(const Matrix<double>&, const Matrix<double>&,
                                                               Matrix<double>&, const DictionaryBcdOptions&);

}  // namespace sparsecode::solvers
