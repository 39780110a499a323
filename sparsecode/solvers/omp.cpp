// Batch-OMP: greedy atom selection on the Gram matrix with a progressively bordered Cholesky factor.
#include "sparsecode/solvers/internal/batch_omp.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "sparsecode/solvers/internal/find_first.hpp"

namespace sparsecode::solvers {

void OmpOptions::validate() const {
  if (max_atoms < 0) {
    throw std::invalid_argument("OmpOptions.max_atoms must be >= 0, got " + std::to_string(max_atoms));
  }
  if (!(residual_tolerance >= 0.0) || !std::isfinite(residual_tolerance)) {
    throw std::invalid_argument("OmpOptions.residual_tolerance must be a finite value >= 0, got " +
                                std::to_string(residual_tolerance));
  }
  if (!(pivot_tolerance > 0.0 && pivot_tolerance < 1.0)) {
    throw std::invalid_argument("OmpOptions.pivot_tolerance must be in (0, 1), got " +
                                std::to_string(pivot_tolerance));
  }
}

template <class T>
internal::BatchOmp<T>::BatchOmp(const OmpOptions& options) : options_(options) {
  options_.validate();
}

template <class T>
void internal::BatchOmp<T>::prepare(const GramCache<T>& cache) {
  cache_ = &cache;
  const Index k = cache.atoms();
  // At most max_atoms atoms are ever selected: the factor and columns need no more room (with
  // k = 256 and L = 10, 40× less memory to allocate and fault in per worker).
  const Index capacity = options_.max_atoms > 0 ? std::min<Index>(options_.max_atoms, k) : k;
  chol_.reserve(capacity, internal::ActiveCholesky<T>::InverseFactor::kept);
  columns_.reserve(k, capacity);
  alpha_.setZero(k);
  coef_.setZero(k);
  projected_.setZero(k);
  available_.setOnes(k);
  scores_.setZero(k);
  support_.clear();
  support_.reserve(static_cast<std::size_t>(k));
}

template <class T>
SampleResult internal::BatchOmp<T>::solve(const Eigen::Ref<const Vector<T>>& dtx, T x_norm2,
                                Eigen::Ref<Vector<T>> code) {
  if (cache_ == nullptr) throw std::logic_error("BatchOmp::solve called before prepare");
  const Matrix<T>& g = cache_->gram();
  const Index k = g.rows();
  if (dtx.size() != k || code.size() != k) {
    throw std::invalid_argument("BatchOmp::solve: dtx and code must have length k = " + std::to_string(k));
  }
  // Without a target, the pivot test stops OMP once the selected atoms span the signal space
  // (rank G ≤ d), which is min(d, k) atoms for a dictionary of full rank.
  const Index max_atoms = options_.max_atoms > 0 ? std::min<Index>(options_.max_atoms, k) : k;
  const T tolerance = static_cast<T>(options_.residual_tolerance);
  const bool use_tolerance = options_.residual_tolerance > 0;
  const T pivot_tol = internal::effective_pivot_tolerance<T>(options_.pivot_tolerance);

  code.setZero();
  support_.clear();
  chol_.clear();
  columns_.clear();
  alpha_ = dtx;
  SampleResult result;
  result.termination = SampleTermination::target_reached;
  T residual = x_norm2;
  // available_ is 1 for every atom here (prepare() sets it, and it is restored below).
  while (static_cast<Index>(support_.size()) < max_atoms && !(use_tolerance && residual <= tolerance)) {
    // The unselected atom of largest |α_j| (the first one on a tie); selected atoms are masked
    // by a 0 in available_, so the reduction vectorises.
    scores_ = alpha_.array().abs() * available_.array();
    const T best = scores_.maxCoeff();
    // No correlation left, or the best atom is in the span of I: the residual is final.
    if (!(best > 0)) break;
    const Index j = internal::find_first(scores_.data(), scores_.size(), best);
    if (!chol_.append(g, support_, j, T(0), pivot_tol)) break;
    const Index previous = static_cast<Index>(support_.size());
    support_.push_back(j);
    columns_.append(g.col(j));
    available_(j) = 0;
    const Index m = previous + 1;
    // a_I = G_II⁻¹ c_I = R⁻¹z with z = R⁻ᵀc_I, which grows by one entry per atom, so a_I gains
    // that entry times the new column of R⁻¹ (kept by the factor); then α = c − G_{·I}a_I and
    // ‖r‖² = ‖x‖² − c_Iᵀa_I (r ⊥ D_I).
    const T zm = chol_.extend_transposed_solution(projected_.head(previous), dtx(j));
    projected_(previous) = zm;
    const T* column = chol_.inverse_column(previous);
    coef_(previous) = 0;
    for (Index i = 0; i < m; ++i) coef_(i) += zm * column[i];
    alpha_ = dtx;
    columns_.subtract_product(coef_.head(m), alpha_);
    T explained = 0;
    for (Index i = 0; i < m; ++i) explained += dtx(support_[static_cast<std::size_t>(i)]) * coef_(i);
    residual = std::max(T(0), x_norm2 - explained);
  }
  for (const Index atom : support_) available_(atom) = 1;
  const Index m = static_cast<Index>(support_.size());
  for (Index i = 0; i < m; ++i) code(support_[static_cast<std::size_t>(i)]) = coef_(i);
  result.iterations = static_cast<int>(m);
  return result;
}

template <class T>
std::unique_ptr<CodeSolver<T>> internal::BatchOmp<T>::clone() const {
  return std::make_unique<BatchOmp<T>>(*this);
}

template class internal::BatchOmp<float>;
template class internal::BatchOmp<double>;

}  // namespace sparsecode::solvers
