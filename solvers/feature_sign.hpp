// Feature-sign search (Lee, Battle, Raina & Ng, NIPS 2006) for the LASSO in Gram form.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "solvers/code_solver.hpp"

namespace sparsecode::solvers {

/// Options of FeatureSign.
struct FeatureSignOptions {
  /// Largest number of active-set QP solves per sample; 0: 10·k + 10.
  int max_iterations = 0;
  /// Relative tolerance of the optimality tests: a zero coefficient violates when
  /// |∂_j| > λ(1 + this) (scaled by the data), which guards against cycling on round-off.
  double kkt_tolerance = 1e-12;
  /// A Cholesky pivot² ≤ this times the diagonal marks a linearly dependent active set. In (0, 1).
  double pivot_tolerance = 1e-10;

  void validate() const;  ///< throws std::invalid_argument naming the field and value
};

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
  Matrix<T> block_;            // G_AA + λ₂I, factored in place
  Vector<T> grad_;             // c − Ga − λ₂a
  Vector<T> rhs_;              // c_A − λθ_A, then the QP solution
  Vector<T> current_;          // a_A before the line search
  Vector<T> theta_;            // θ per atom (−1, 0, +1)
  std::vector<Index> active_;  // A
};

}  // namespace sparsecode::solvers
