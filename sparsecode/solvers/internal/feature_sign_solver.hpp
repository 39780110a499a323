// The FeatureSign solver class behind the options in solvers/feature_sign.hpp (implementation; not installed).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sparsecode/solvers/feature_sign.hpp"
#include "sparsecode/solvers/internal/active_cholesky.hpp"

namespace sparsecode::solvers::internal {

/// Solves min_a ½‖x − Da‖² + λ‖a‖₁ + ½λ₂‖a‖² (a ≥ 0 for CodeSign::nonnegative) by feature-sign
/// search (Lee, Battle, Raina & Ng, "Efficient sparse coding algorithms", NIPS 2006): guess
/// the signs θ of the active set, solve the unconstrained QP
/// a_A = (G_AA + λ₂I)⁻¹(c_A − λθ_A) by Cholesky, then a discrete line search from the current
/// point towards it over the points where coefficients change sign; repeat until the
/// optimality conditions hold exactly (up to round-off). The non-negative variant fixes θ = +.
/// A warm start (`code` on entry) seeds the active set and its signs.
/// Shapes: G k×k, c and a length k. Iterations in SampleResult count QP solves.
template <class T>
class FeatureSign : public CodeSolver<T> {
 public:
  explicit FeatureSign(const Penalty& penalty, const FeatureSignOptions& options = {});

  void prepare(const GramCache<T>& cache) override;
  SampleResult solve(const Eigen::Ref<const Vector<T>>& dtx, T x_norm2,
                     Eigen::Ref<Vector<T>> code) override;
  std::unique_ptr<CodeSolver<T>> clone() const override;
  std::string name() const override { return "fss"; }

 private:
  Penalty penalty_;
  FeatureSignOptions options_;
  const GramCache<T>* cache_ = nullptr;
  // Workspace, sized k in prepare().
  internal::ActiveCholesky<T> chol_;     // RᵀR = G_AA + λ₂I, rows in the order of active_
  Vector<T> grad_;             // ∇ of the smooth part, Ga + λ₂a − c
  Vector<T> target_;           // QP solution (G_AA + λ₂I)⁻¹(c_A − λθ_A), then the step δ
  Vector<T> coef_;             // a_A
  Vector<T> theta_;            // θ_A
  Vector<T> active_grad_;      // ∇ restricted to A
  std::vector<Index> active_;  // A
  std::vector<char> is_active_;

  // Discrete line search from a_A towards target_; returns true when the signs changed or a
  // coefficient reached zero (another QP on the new active set is needed).
  bool line_search(const Eigen::Ref<const Vector<T>>& dtx, Eigen::Ref<Vector<T>> code);
  // Removes the atoms whose coefficient is exactly zero from A and from the factor.
  bool prune_zeros();
};

}  // namespace sparsecode::solvers::internal
