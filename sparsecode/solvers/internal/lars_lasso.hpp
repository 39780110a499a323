// The LarsLasso solver class behind the options in solvers/lars.hpp (implementation; not installed).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sparsecode/solvers/internal/active_cholesky.hpp"
#include "sparsecode/solvers/internal/active_columns.hpp"
#include "sparsecode/solvers/lars.hpp"

namespace sparsecode::solvers::internal {

/// Solves min_a ½‖x − Da‖² + λ‖a‖₁ + ½λ₂‖a‖² (a ≥ 0 for CodeSign::nonnegative) exactly by
/// following the LASSO regularisation path from λ_max = ‖c‖∞ (c = Dᵀx) down to λ
/// (Efron, Hastie, Johnstone & Tibshirani, "Least angle regression", Ann. Statist. 2004, with
/// the lasso modification: a coefficient that crosses zero leaves the active set). On the
/// active set A with signs s the path is a_A(t) = (G_AA + λ₂I)⁻¹(c_A − t·s), linear in the
/// current bound t; the last segment is interpolated so the result is exact at t = λ up to
/// round-off. The Cholesky factor R of G_AA + λ₂I is bordered on an add and downdated by Givens
/// rotations on a drop; its inverse is kept beside it, so that the direction's weights are
/// updated in O(m) on an add instead of by a back substitution at every step. The non-negative variant lets only positive correlations enter
/// (LARS-positive). Warm starts are ignored: the path always starts at a = 0.
/// Shapes: G k×k, c and a length k. Iterations in SampleResult count the steps of the path
/// that gave the result (the path in double for a sample re-solved under mixed arithmetic).
template <class T>
class LarsLasso : public CodeSolver<T> {
 public:
  explicit LarsLasso(const Penalty& penalty, const LarsOptions& options = {});

  void prepare(const GramCache<T>& cache) override;
  SampleResult solve(const Eigen::Ref<const Vector<T>>& dtx, T x_norm2,
                     Eigen::Ref<Vector<T>> code) override;
  std::unique_ptr<CodeSolver<T>> clone() const override;
  std::string name() const override { return "lars"; }

 private:
  // The k-length state of one path, in the arithmetic V of its O(k) work.
  template <class V>
  struct PathVectors {
    internal::ActiveColumns<V> columns; // G_{·A}, columns in the order of active_
    Vector<V> corr;           // correlations c − Ga − λ₂a of the inactive atoms
    Vector<V> direction;      // u = G_{·A}w: decrease of the correlations per unit of γ
    Vector<V> steps;          // per atom: the γ at which it would enter (+∞: never)
    Vector<V> blocked;        // per atom: 0 if it may enter, +∞ if active or skipped
    Vector<V> weights;        // w_A in V, for the product
    std::vector<char> state;  // per atom: inactive, active, or skipped (dependent)

    void reserve(Index k);
    // Records an atom's state and keeps `blocked` in step with it.
    void set_state(Index atom, char new_state);
    // Puts every atom back to inactive (blocked = 0) at the end of a solve, touching only the
    // active atoms unless some were skipped.
    void restore_states(const std::vector<Index>& active, bool skipped_any);
    // Smallest γ < `gamma` at which an inactive atom's correlation reaches ±(t − γ), with the
    // atom and its sign in who/who_sign; returns `gamma` (who untouched) when there is none.
    V first_entry(V t, V gamma, bool nonneg, Index& who, T& who_sign);
  };

  // Follows the path with its O(k) work in V; writes the code and returns the steps taken.
  template <class V>
  SampleResult follow_path(PathVectors<V>& path, const Matrix<V>& gram_v, const Eigen::Ref<const Vector<T>>& dtx,
                           Eigen::Ref<Vector<T>> code);
  // Whether `code` meets the KKT conditions in T within options_.kkt_tolerance.
  bool satisfies_kkt(const Eigen::Ref<const Vector<T>>& dtx, T x_norm2, const Eigen::Ref<const Vector<T>>& code);

  Penalty penalty_;
  LarsOptions options_;
  const GramCache<T>* cache_ = nullptr;

  // Workspace, sized k in prepare().
  internal::ActiveCholesky<T> chol_;     // RᵀR = G_AA + λ₂I, rows in the order of active_
  PathVectors<T> exact_;       // the path in T
  PathVectors<float> fast_;    // the path's O(k) work in float (T = double, mixed arithmetic)
  Vector<T> weights_;          // w_A = (G_AA + λ₂I)⁻¹ s_A
  Vector<T> signs_;            // s_A
  Vector<T> projected_signs_;  // R⁻ᵀs_A, extended by one entry per add (recomputed on a drop)
  Vector<T> active_coef_;      // a_A
  Vector<T> gradient_;         // c − Ga − λ₂a, for the KKT check
  std::vector<Index> active_;  // A, in insertion order (the order of chol_'s rows)
  std::vector<Index> support_; // the support of a code, for the KKT check
  Vector<T> support_values_;
};

}  // namespace sparsecode::solvers::internal
