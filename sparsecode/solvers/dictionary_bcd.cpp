// Block coordinate descent over atoms for the dictionary QP, with ball (and non-negativity) projection.
#include "sparsecode/solvers/dictionary_bcd.hpp"

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
  // Atoms are visited in blocks J of `block` columns. U_J = B_J − D A_J is one GEMM with D as
  // at the block's start; the exact Gauss–Seidel right-hand side of atom j ∈ J then subtracts
  // the changes δ_i = d_i,new − d_i,old of the atoms i < j of J already updated:
  //   b_j − D a_j = U_j − Σ_{i∈J, i<j} δ_i A_ij.
  // Same sweep as atom-by-atom, at GEMM instead of GEMV speed; workspace allocated once.
  constexpr Index block = 32;
  const Index n = d.rows();
  Matrix<T> rhs(n, std::min(block, k));
  Matrix<T> delta(n, std::min(block, k));
  Vector<T> u(n);
  summary.termination = DictionaryTermination::max_iterations;
  for (int sweep = 0; sweep < options.max_sweeps; ++sweep) {
    double change2 = 0.0;
    double norm2 = 0.0;
    for (Index j0 = 0; j0 < k; j0 += block) {
      const Index w = std::min(block, k - j0);
      rhs.leftCols(w).noalias() = b.middleCols(j0, w);
      rhs.leftCols(w).noalias() -= d * a.middleCols(j0, w);
      for (Index t = 0; t < w; ++t) {
        const Index j = j0 + t;
        const T ajj = a(j, j);
        norm2 += static_cast<double>(d.col(j).squaredNorm());
        if (!(ajj > used)) {
          delta.col(t).setZero();
          continue;
        }
        u.noalias() = rhs.col(t);
        if (t > 0) u.noalias() -= delta.leftCols(t) * a.col(j).segment(j0, t);
        // u = d_j + (b_j − D a_j)/A_jj: the minimizer of the block's quadratic before projection.
        u = d.col(j) + u / ajj;
        project_atom<T>(u, options.constraint);
        delta.col(t) = u - d.col(j);
        d.col(j) = u;
        change2 += static_cast<double>(delta.col(t).squaredNorm());
      }
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
