// Cholesky factor of an active set's Gram block, grown by bordering and shrunk by Givens rotations.
#pragma once

#include <vector>

#include "sparsecode/core/types.hpp"

namespace sparsecode::solvers::internal {

/// Upper-triangular R (m×m) with RᵀR = G_AA + μI for an ordered active set A (the order of
/// insertion is the order of R's rows and columns). Used by LARS, feature-sign search and OMP.
/// Appending an atom borders R with one column (O(m²)); removing the atom at position p
/// deletes column p and restores the triangle with m − p − 1 Givens rotations (O(m²)), as in
/// Golub & Van Loan, "Matrix Computations", §6.5 (updating the QR/Cholesky factorization).
/// All storage is allocated by reserve(); nothing allocates afterwards.
///
/// With InverseFactor::kept the class also maintains M = R⁻¹ (upper triangular). Bordering R
/// with (z, ρ) borders M with (−Mz/ρ, 1/ρ), so an append computes z = Mᵀg_{Aj} and Mz as
/// triangular matrix-vector products, whose entries are independent, instead of a forward
/// substitution, whose every entry waits on the previous one. Callers that keep w = R⁻¹R⁻ᵀs
/// across appends (LARS) then update it in O(m) from M's new column instead of a back
/// substitution per step. A removal recomputes M's columns from the removed position on (the
/// rotations leave R's leading block, hence M's, unchanged).
template <class T>
class ActiveCholesky {
 public:
  enum class InverseFactor { none, kept };

  void reserve(Index capacity, InverseFactor inverse = InverseFactor::none);
  Index size() const { return m_; }
  void clear() { m_ = 0; }

  /// Appends atom j to A, with G_{Aj} read from `gram` at rows `active` (the current A, same
  /// order as R) and diagonal G_jj + μ. Returns false and leaves R unchanged when the new
  /// pivot² ≤ tolerance·(G_jj + μ): the atom is (numerically) a combination of A's atoms.
  bool append(const Matrix<T>& gram, const std::vector<Index>& active, Index j, T mu, T tolerance);

  /// Removes the atom at position p (0 ≤ p < m) of A.
  void remove(Index position);

  /// Solves (RᵀR) v = b in place (v of length m holds b on entry).
  void solve_in_place(Eigen::Ref<Vector<T>> v) const;

  /// The two halves of solve_in_place, for callers that keep z = R⁻ᵀb across appends:
  /// Rᵀz = b in place, and Rv = z in place (vectors of length m).
  void solve_transposed_in_place(Eigen::Ref<Vector<T>> v) const;
  void solve_upper_in_place(Eigen::Ref<Vector<T>> v) const;

  /// Column i of M = R⁻¹ (entries 0..i). Requires InverseFactor::kept.
  const T* inverse_column(Index i) const { return m_inv_.col(i).data(); }

  /// After an append, the new last entry of z = R⁻ᵀb from the old entries z_{0:m−1} and the
  /// new b_m (earlier entries of z do not change, Rᵀ being lower triangular): O(m), not O(m²).
  T extend_transposed_solution(const Eigen::Ref<const Vector<T>>& z, T b_last) const;

 private:
  void forward_substitution(T* v) const;  // Rᵀz = b in place, length m
  void back_substitution(T* v) const;     // Rv = z in place, length m
  // Sets M's column i from R's column i and M's columns 0..i−1.
  void border_inverse(Index i);

  bool keep_inverse_ = false;
  Matrix<T> r_;
  Matrix<T> m_inv_;             // M = R⁻¹ when keep_inverse_
  Vector<T> scratch_;           // zero-padded operands of M's products
  Vector<T> inverse_diagonal_;  // 1/R_ii
  Index m_ = 0;
};

/// max(requested, 100·machine epsilon of T): a relative pivot threshold that float can meet.
template <class T>
T effective_pivot_tolerance(double requested);

}  // namespace sparsecode::solvers::internal
