// The exact minimiser on an iterate's sign pattern: one Cholesky solve that certifies FISTA once it has found the support.
#pragma once

#include <cstdint>
#include <vector>

#include "sparsecode/solvers/code_solver.hpp"

namespace sparsecode::solvers {

/// Whether a column tries the exact minimiser on its iterate's sign pattern (FacePolish below).
enum class FacePolishing {
  none,
  /// At a gap check where the sign pattern is the same as at the previous check (and was not
  /// tried before): one Cholesky solve on the support, kept only if its duality gap certifies it.
  stable_signs,
};


/// An order-independent signature of the sign pattern of a (length n): two codes with the same
/// signature have, barring a 2⁻⁶⁴ collision, the same support and signs.
template <class T>
std::uint64_t sign_signature(const T* a, Index n);

/// Solves the face system (G_SS + λ₂I) z = rhs by Cholesky, with G_SS gathered from `gram`
/// (column-major, leading dimension ld) at the m indices `face`. The factor U (upper,
/// G_SS + λ₂I = UᵀU) goes to `factor` (m×m, column-major) and 1/U_rr to `inverse_diagonal`, so
/// the substitutions multiply instead of dividing; z overwrites `rhs`. Returns false, leaving
/// rhs partly overwritten, when a pivot² falls to 64ε·(G_jj + λ₂): a numerically singular face.
/// The face is small (a code's non-zeros), so plain column-wise loops beat a blocked solver.
/// Used by face polishing (FISTA) and by coordinate descent's sign-pattern step.
template <class T>
bool solve_face_system(const T* gram, Index ld, const Index* face, Index m, T lambda2, T* factor,
                       T* inverse_diagonal, T* rhs);

/// Face polishing. Proximal gradient identifies the support and signs σ of the minimiser in
/// finitely many steps (Hare & Lewis 2004; Nutini, Schmidt & Hare 2019) but then converges only
/// linearly inside the face, and the duality gap of its scaled-residual dual point lags far
/// behind: it is first order in the distance to the optimum where the suboptimality is second
/// order. On the face {a_S has signs σ, a_{S̄} = 0} the objective is the quadratic
/// ½bᵀG_SS b − c_Sᵀb + λσᵀb + ½λ₂‖b‖², minimised by
///     (G_SS + λ₂I) b = c_S − λσ,
/// one Cholesky factorisation of |S|×|S| (feature-sign search's step, Lee et al. 2006). If S
/// and σ are the minimiser's, b is the minimiser and its certificate proves it; otherwise the
/// certificate rejects b and the iterate stays as it was. Nothing is assumed: b is kept only if
/// its own duality gap (for a ≥ 0, with b ≥ 0) meets the tolerance.
template <class T>
class FacePolish {
 public:
  /// Allocates the workspace for up to k atoms.
  void reserve(Index k);

  /// For the problem with Gram matrix `gram` (n×n, column-major, leading dimension n),
  /// c = Dᵀx (length n) and ‖x‖²: solves on the face of `a`. If the solution's relative
  /// duality gap is ≤ tolerance, overwrites a with it and ga with G·a and returns true;
  /// otherwise leaves a and ga unchanged and returns false.
  bool improve(const T* gram, Index n, const T* c, T x_norm2, const Penalty& penalty, T tolerance, T* a,
               T* ga);

 private:
  std::vector<Index> support_;
  Vector<T> factor_, inverse_diagonal_, rhs_, b_, gb_, grad_;
};

}  // namespace sparsecode::solvers
