// Projected Newton ascent on the Lagrange dual of the dictionary QP (Lee, Battle, Raina & Ng 2006).
#include "sparsecode/solvers/dictionary_lagrange_dual.hpp"

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace sparsecode::solvers {

void LagrangeDualOptions::validate() const {
  if (!(tolerance > 0.0) || !std::isfinite(tolerance)) {
    throw std::invalid_argument("LagrangeDualOptions.tolerance must be finite and > 0, got " +
                                std::to_string(tolerance));
  }
  if (max_iterations < 1) {
    throw std::invalid_argument("LagrangeDualOptions.max_iterations must be >= 1, got " +
                                std::to_string(max_iterations));
  }
  if (max_line_search < 1) {
    throw std::invalid_argument("LagrangeDualOptions.max_line_search must be >= 1, got " +
                                std::to_string(max_line_search));
  }
}

namespace {

// The dual at μ: C = (A + diag μ)⁻¹ and g(μ). Returns false if A + diag μ is not positive definite.
struct DualPoint {
  Vector<double> mu;
  Matrix<double> c;
  double value = -std::numeric_limits<double>::infinity();
};

bool evaluate_dual(const Matrix<double>& a, const Matrix<double>& btb, DualPoint& p) {
  Matrix<double> m = a;
  m.diagonal() += p.mu;
  Eigen::LLT<Matrix<double>> llt(m);
  if (llt.info() != Eigen::Success) return false;
  p.c = llt.solve(Matrix<double>::Identity(a.rows(), a.cols()));
  if (!p.c.allFinite()) return false;
  p.value = -0.5 * btb.cwiseProduct(p.c).sum() - 0.5 * p.mu.sum();
  return true;
}

}  // namespace

template <class T>
DictionaryUpdateSummary update_dictionary_lagrange_dual(const Matrix<T>& a_in, const Matrix<T>& b_in,
                                                        Matrix<T>& d,
                                                        const LagrangeDualOptions& options) {
  options.validate();
  check_dictionary_qp(a_in, b_in, d);
  const DictionaryConstraint ball = DictionaryConstraint::unit_ball;
  DictionaryUpdateSummary summary;

  // Restrict to used atoms: an unused atom has a zero row and column in A (A is PSD) and a zero
  // column in B, so it does not enter the problem and would make A + diag μ singular at μ_j = 0.
  const double used = 1e-12 * std::max(1e-300, static_cast<double>(a_in.diagonal().maxCoeff()));
  std::vector<Index> idx;
  for (Index j = 0; j < d.cols(); ++j) {
    if (static_cast<double>(a_in(j, j)) > used) idx.push_back(j);
  }
  summary.unused_atoms = d.cols() - static_cast<Index>(idx.size());
  const Index k = static_cast<Index>(idx.size());
  if (k == 0) {
    summary.objective = dictionary_objective(a_in, b_in, d);
    return summary;
  }
  Matrix<double> a(k, k);
  Matrix<double> b(d.rows(), k);
  for (Index i = 0; i < k; ++i) {
    b.col(i) = b_in.col(idx[i]).template cast<double>();
    for (Index j = 0; j < k; ++j) a(i, j) = static_cast<double>(a_in(idx[i], idx[j]));
  }
  const Matrix<double> btb = b.transpose() * b;

  // Start where a diagonal A would put every atom on the sphere: ‖b_j‖/(A_jj + μ_j) = 1,
  // floored so that A + diag μ is positive definite even when A is singular.
  const double floor = 1e-8 * a.diagonal().mean();
  DualPoint p;
  p.mu.resize(k);
  for (Index j = 0; j < k; ++j) p.mu(j) = std::max(b.col(j).norm() - a(j, j), floor);
  if (!evaluate_dual(a, btb, p)) {
    summary.termination = DictionaryTermination::numerical_issue;
    summary.objective = dictionary_objective(a_in, b_in, d);
    return summary;
  }

  const Matrix<double> a_full = a_in.template cast<double>();
  const Matrix<double> b_full = b_in.template cast<double>();
  Matrix<double> primal(d.rows(), k);
  Matrix<double> full_d = d.template cast<double>();
  auto write_back = [&](const Matrix<double>& dc) {
    for (Index i = 0; i < k; ++i) full_d.col(idx[i]) = dc.col(i);
  };
  summary.termination = DictionaryTermination::max_iterations;
  Vector<double> grad(k);
  for (int it = 0; it < options.max_iterations; ++it) {
    primal.noalias() = b * p.c;
    const Matrix<double> dtd = p.c * btb * p.c;  // DᵀD = C BᵀB C
    for (Index j = 0; j < k; ++j) grad(j) = 0.5 * (dtd(j, j) - 1.0);
    Matrix<double> projected = primal;
    for (Index j = 0; j < k; ++j) project_atom<double>(projected.col(j), ball);
    write_back(projected);
    summary.iterations = it;
    const double kkt = dictionary_kkt_residual(a_full, b_full, full_d, ball);
    if (kkt <= options.tolerance) {
      summary.termination = DictionaryTermination::converged;
      break;
    }
    // Free set: multipliers not held at the bound μ_j = 0 by a gradient pointing below it.
    std::vector<Index> free;
    for (Index j = 0; j < k; ++j) {
      if (p.mu(j) > 0.0 || grad(j) > 0.0) free.push_back(j);
    }
    const Index nf = static_cast<Index>(free.size());
    if (nf == 0) {
      summary.termination = DictionaryTermination::converged;
      break;
    }
    Matrix<double> h(nf, nf);
    Vector<double> gf(nf);
    for (Index i = 0; i < nf; ++i) {
      gf(i) = grad(free[i]);
      for (Index j = 0; j < nf; ++j) h(i, j) = dtd(free[i], free[j]) * p.c(free[i], free[j]);
    }
    // −Hessian = DᵀD ∘ C is PSD (Schur product theorem); a relative ridge keeps LDLT stable.
    h.diagonal().array() += 1e-12 * std::max(h.diagonal().maxCoeff(), 1e-300);
    Eigen::LDLT<Matrix<double>> ldlt(h);
    Vector<double> step = ldlt.solve(gf);
    if (ldlt.info() != Eigen::Success || !step.allFinite() || step.dot(gf) <= 0.0) step = gf;

    bool accepted = false;
    double t = 1.0;
    for (int ls = 0; ls < options.max_line_search; ++ls, t *= 0.5) {
      DualPoint q;
      q.mu = p.mu;
      for (Index i = 0; i < nf; ++i) q.mu(free[i]) = std::max(0.0, p.mu(free[i]) + t * step(i));
      if (!evaluate_dual(a, btb, q)) continue;
      // Armijo condition along the projected path.
      if (q.value >= p.value + 1e-4 * grad.dot(q.mu - p.mu)) {
        p = std::move(q);
        accepted = true;
        break;
      }
    }
    if (!accepted) {
      summary.termination = DictionaryTermination::numerical_issue;
      summary.iterations = it + 1;
      break;
    }
    summary.iterations = it + 1;
  }
  if (summary.termination == DictionaryTermination::max_iterations) {
    primal.noalias() = b * p.c;
    for (Index j = 0; j < k; ++j) project_atom<double>(primal.col(j), ball);
    write_back(primal);
  }
  d = full_d.template cast<T>();
  summary.objective = dictionary_objective(a_in, b_in, d);
  summary.kkt_residual = dictionary_kkt_residual(a_in, b_in, d, ball);
  return summary;
}

template DictionaryUpdateSummary update_dictionary_lagrange_dual<float>(
    const Matrix<float>&, const Matrix<float>&, Matrix<float>&, const LagrangeDualOptions&);
template DictionaryUpdateSummary update_dictionary_lagrange_dual<double>(
    const Matrix<double>&, const Matrix<double>&, Matrix<double>&, const LagrangeDualOptions&);

}  // namespace sparsecode::solvers
