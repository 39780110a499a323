// Zero-copy views between Eigen and Armadillo matrices and vectors (both column-major).
#pragma once

#include <armadillo>

#include <Eigen/Core>

#include "sparsecode/core/types.hpp"

namespace sparsecode::interop {

// Every function below returns a view that aliases the argument's memory: no element is
// copied, a write through one is seen by the other, and the view must not outlive the source
// nor be used after the source is resized (which reallocates). Armadillo views are created
// with copy_aux_mem = false and strict = true, so Armadillo never reallocates them: an
// operation that would change their size throws instead. Copying a view (arma::Mat<T> m = v;
// Matrix<T> m = view;) makes an ordinary independent matrix.
//
// Armadillo has no read-only matrix type, so the views of const sources are returned as
// `const arma::Mat<T>` / `const arma::Col<T>`: keep them const (`const auto v = arma_view(c);`,
// or pass them straight to a function). `auto v = arma_view(c);` drops the const and would
// allow writing into the const source.
//
// Armadillo links its own BLAS (OpenBLAS through libarmadillo) while Eigen calls OpenBLAS
// directly (EIGEN_USE_BLAS); both use the same library and the headers coexist.

/// Armadillo view of an Eigen d×k matrix (same shape, same memory).
template <class T>
arma::Mat<T> arma_view(Matrix<T>& m) {
  return arma::Mat<T>(m.data(), static_cast<arma::uword>(m.rows()),
                      static_cast<arma::uword>(m.cols()), /*copy_aux_mem=*/false,
                      /*strict=*/true);
}

/// Read-only Armadillo view of an Eigen matrix (see the note on constness above).
template <class T>
const arma::Mat<T> arma_view(const Matrix<T>& m) {
  // Armadillo's advanced constructor takes a non-const pointer; the result is const.
  return arma::Mat<T>(const_cast<T*>(m.data()), static_cast<arma::uword>(m.rows()),
                      static_cast<arma::uword>(m.cols()), /*copy_aux_mem=*/false,
                      /*strict=*/true);
}

/// Armadillo column view of an Eigen vector.
template <class T>
arma::Col<T> arma_view(Vector<T>& v) {
  return arma::Col<T>(v.data(), static_cast<arma::uword>(v.size()), /*copy_aux_mem=*/false,
                      /*strict=*/true);
}

/// Read-only Armadillo column view of an Eigen vector (see the note on constness above).
template <class T>
const arma::Col<T> arma_view(const Vector<T>& v) {
  return arma::Col<T>(const_cast<T*>(v.data()), static_cast<arma::uword>(v.size()),
                      /*copy_aux_mem=*/false, /*strict=*/true);
}

/// Eigen view of an Armadillo matrix (same shape, same memory).
template <class T>
Eigen::Map<Matrix<T>> eigen_view(arma::Mat<T>& m) {
  return Eigen::Map<Matrix<T>>(m.memptr(), static_cast<Index>(m.n_rows),
                               static_cast<Index>(m.n_cols));
}

/// Read-only Eigen view of an Armadillo matrix.
template <class T>
Eigen::Map<const Matrix<T>> eigen_view(const arma::Mat<T>& m) {
  return Eigen::Map<const Matrix<T>>(m.memptr(), static_cast<Index>(m.n_rows),
                                     static_cast<Index>(m.n_cols));
}

/// Eigen vector view of an Armadillo column.
template <class T>
Eigen::Map<Vector<T>> eigen_view(arma::Col<T>& v) {
  return Eigen::Map<Vector<T>>(v.memptr(), static_cast<Index>(v.n_elem));
}

/// Read-only Eigen vector view of an Armadillo column.
template <class T>
Eigen::Map<const Vector<T>> eigen_view(const arma::Col<T>& v) {
  return Eigen::Map<const Vector<T>>(v.memptr(), static_cast<Index>(v.n_elem));
}

}  // namespace sparsecode::interop
