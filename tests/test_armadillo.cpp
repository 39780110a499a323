// Armadillo interop: views in both directions share memory with their source (no copy).
#include <doctest/doctest.h>

#include "sparsecode/interop/armadillo.hpp"
#include "sparsecode/core/types.hpp"
#include "sparsecode/sparse/sparse_coder.hpp"

namespace {

using namespace sparsecode::core;
using namespace sparsecode::interop;

template <class T>
void check_matrix_views() {
  Matrix<T> eigen = Matrix<T>::Zero(3, 5);
  arma::Mat<T> a = arma_view(eigen);
  CHECK(a.memptr() == eigen.data());
  CHECK(a.n_rows == 3);
  CHECK(a.n_cols == 5);
  a(2, 4) = T(7);          // Armadillo writes, Eigen sees it
  CHECK(eigen(2, 4) == T(7));
  eigen(1, 3) = T(-2);     // Eigen writes, Armadillo sees it
  CHECK(a(1, 3) == T(-2));
  // Strict views never reallocate: resizing throws instead of detaching from Eigen's memory.
  CHECK_THROWS(a.set_size(4, 4));

  const Matrix<T>& const_eigen = eigen;
  const arma::Mat<T> ca = arma_view(const_eigen);
  CHECK(ca.memptr() == eigen.data());
  CHECK(arma::accu(ca) == T(5));

  arma::Mat<T> source(4, 2, arma::fill::zeros);
  Eigen::Map<Matrix<T>> e = eigen_view(source);
  CHECK(e.data() == source.memptr());
  CHECK(e.rows() == 4);
  CHECK(e.cols() == 2);
  e(3, 1) = T(9);
  CHECK(source(3, 1) == T(9));
  source(0, 1) = T(4);
  CHECK(e(0, 1) == T(4));
  const arma::Mat<T>& const_source = source;
  const Eigen::Map<const Matrix<T>> ce = eigen_view(const_source);
  CHECK(ce.data() == source.memptr());
  CHECK(ce.sum() == T(13));
}

template <class T>
void check_vector_views() {
  Vector<T> eigen = Vector<T>::Zero(6);
  arma::Col<T> a = arma_view(eigen);
  CHECK(a.memptr() == eigen.data());
  CHECK(a.n_elem == 6);
  a(5) = T(3);
  CHECK(eigen(5) == T(3));
  eigen(0) = T(-1);
  CHECK(a(0) == T(-1));
  const Vector<T>& const_eigen = eigen;
  const arma::Col<T> ca = arma_view(const_eigen);
  CHECK(ca.memptr() == eigen.data());

  arma::Col<T> source(4, arma::fill::zeros);
  Eigen::Map<Vector<T>> e = eigen_view(source);
  CHECK(e.data() == source.memptr());
  CHECK(e.size() == 4);
  e(2) = T(8);
  CHECK(source(2) == T(8));
  source(1) = T(5);
  CHECK(e(1) == T(5));
  const arma::Col<T>& const_source = source;
  const Eigen::Map<const Vector<T>> ce = eigen_view(const_source);
  CHECK(ce.data() == source.memptr());
  CHECK(ce.sum() == T(13));
}

}  // namespace

TEST_CASE("armadillo: matrix views share memory both ways (float and double)") {
  check_matrix_views<float>();
  check_matrix_views<double>();
}

TEST_CASE("armadillo: vector views share memory both ways (float and double)") {
  check_vector_views<float>();
  check_vector_views<double>();
}

TEST_CASE("armadillo: a product computed by Armadillo on a view lands in the Eigen matrix") {
  Matrix<double> x(2, 3);
  x << 1, 2, 3, 4, 5, 6;
  Matrix<double> gram(2, 2);
  arma::Mat<double> g = arma_view(gram);
  g = arma_view(static_cast<const Matrix<double>&>(x)) *
      arma_view(static_cast<const Matrix<double>&>(x)).t();
  CHECK(g.memptr() == gram.data());
  CHECK(gram.isApprox(x * x.transpose()));
}

TEST_CASE("armadillo: SparseCoder reads Armadillo matrices and writes codes into one, without copies") {
  arma::arma_rng::set_seed(5);
  arma::mat dictionary = arma::normalise(arma::randn<arma::mat>(6, 10));  // unit-norm atoms
  const arma::mat signals = arma::randn<arma::mat>(6, 9);
  arma::mat codes(10, 9, arma::fill::value(-1.0));
  const double* before = codes.memptr();
  sparsecode::sparse::EncodeOptions options;
  options.penalty.lambda = 0.2;
  sparsecode::sparse::SparseCoder<double> coder(options);
  coder.compute(eigen_view(dictionary));
  const auto summary = coder.encode(eigen_view(signals), eigen_view(codes));
  CHECK(codes.memptr() == before);
  CHECK(summary.samples == 9);
  const Matrix<double> d = eigen_view(dictionary);
  const Matrix<double> x = eigen_view(signals);
  Matrix<double> expected;
  sparsecode::sparse::encode(d, x, expected, options);
  CHECK(eigen_view(codes) == expected);
}
