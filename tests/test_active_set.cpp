// Tests for the active-set building blocks: the Cholesky factor's solves and the gathered Gram columns.
#include <doctest/doctest.h>

#include <Eigen/Cholesky>
#include <vector>

#include "sparsecode/solvers/internal/active_cholesky.hpp"
#include "sparsecode/solvers/internal/active_columns.hpp"
#include "tests/lasso_test_support.hpp"

using namespace sparsecode;
using solvers::internal::ActiveCholesky;
using solvers::internal::ActiveColumns;

namespace {

// G_AA (+ μI) for the atoms in `active`, dense, in the order of `active`.
template <class T>
core::Matrix<T> gram_block(const core::Matrix<T>& g, const std::vector<core::Index>& active, T mu) {
  const auto m = static_cast<core::Index>(active.size());
  core::Matrix<T> block(m, m);
  for (core::Index i = 0; i < m; ++i)
    for (core::Index l = 0; l < m; ++l) block(i, l) = g(active[i], active[l]);
  block.diagonal().array() += mu;
  return block;
}

// Appends and removes atoms in the factor and the gathered columns alike, and checks after each
// change that every solve and product matches the dense computation (and, when the factor keeps
// its inverse M = R⁻¹, that MMᵀ inverts G_AA + μI).
template <class T>
void check_against_dense(core::Index d, core::Index k, T mu, double tolerance,
                         typename ActiveCholesky<T>::InverseFactor inverse = ActiveCholesky<T>::InverseFactor::none) {
  const core::Matrix<T> dict = test::coherent_dictionary(d, k, 301, 0.8).cast<T>();
  const core::Matrix<T> g = dict.transpose() * dict;
  ActiveCholesky<T> chol;
  ActiveColumns<T> columns;
  chol.reserve(k, inverse);
  columns.reserve(k, k);
  std::vector<core::Index> active;
  core::Vector<T> b(k);
  for (core::Index i = 0; i < k; ++i) b(i) = T(1) + T(0.1) * static_cast<T>(i % 7) - T(0.4) * static_cast<T>(i % 3);
  core::Vector<T> z(k);  // R⁻ᵀb_A, kept incrementally as LARS and OMP do
  auto check = [&] {
    const auto m = static_cast<core::Index>(active.size());
    CAPTURE(m);
    REQUIRE(chol.size() == m);
    REQUIRE(columns.size() == m);
    const core::Matrix<T> block = gram_block(g, active, mu);
    core::Vector<T> rhs(m);
    for (core::Index i = 0; i < m; ++i) rhs(i) = b(active[static_cast<std::size_t>(i)]);
    const core::Vector<T> expected = block.ldlt().solve(rhs);
    core::Vector<T> v = rhs;
    chol.solve_in_place(v);
    CHECK((v - expected).norm() <= tolerance * (1 + expected.norm()));
    if (inverse == ActiveCholesky<T>::InverseFactor::kept) {
      core::Matrix<T> inv = core::Matrix<T>::Zero(m, m);
      for (core::Index i = 0; i < m; ++i) inv.col(i).head(i + 1) = Eigen::Map<const core::Vector<T>>(chol.inverse_column(i), i + 1);
      const core::Matrix<T> product = block * (inv * inv.transpose());
      CHECK((product - core::Matrix<T>::Identity(m, m)).norm() <= tolerance * 10 * (1 + block.norm()));
    }
    // The two halves, starting from the incrementally extended z.
    core::Vector<T> w = z.head(m);
    chol.solve_upper_in_place(w);
    CHECK((w - expected).norm() <= tolerance * (1 + expected.norm()));
    core::Vector<T> z_full = rhs;
    chol.solve_transposed_in_place(z_full);
    CHECK((z_full - z.head(m)).norm() <= tolerance * (1 + z_full.norm()));
    // G_{·A}w and c − G_{·A}w against the same product from G's scattered columns.
    core::Vector<T> dense = core::Vector<T>::Zero(k);
    for (core::Index i = 0; i < m; ++i) dense += expected(i) * g.col(active[static_cast<std::size_t>(i)]);
    core::Vector<T> gathered(k);
    columns.multiply(expected, gathered);
    CHECK((gathered - dense).norm() <= tolerance * (1 + dense.norm()));
    core::Vector<T> residual = b;
    columns.subtract_product(expected, residual);
    CHECK((residual - (b - dense)).norm() <= tolerance * (1 + b.norm()));
  };
  auto append = [&](core::Index j) {
    if (!chol.append(g, active, j, mu, solvers::internal::effective_pivot_tolerance<T>(1e-10))) return false;
    const auto m = static_cast<core::Index>(active.size());
    active.push_back(j);
    columns.append(g.col(j));
    z(m) = chol.extend_transposed_solution(z.head(m), b(j));
    return true;
  };
  auto remove = [&](core::Index position) {
    chol.remove(position);
    columns.remove(position);
    active.erase(active.begin() + position);
    const auto m = static_cast<core::Index>(active.size());
    for (core::Index i = 0; i < m; ++i) z(i) = b(active[static_cast<std::size_t>(i)]);
    chol.solve_transposed_in_place(z.head(m));
  };
  for (core::Index j = 0; j < d - 2; ++j) {
    REQUIRE(append((7 * j + 2) % k));  // distinct: 7 is prime to every k below
    check();
  }
  remove(0);
  check();
  remove(static_cast<core::Index>(active.size()) / 2);
  check();
  remove(static_cast<core::Index>(active.size()) - 1);
  check();
  REQUIRE(append(k - 1));
  check();
}

}  // namespace

TEST_CASE("Active set: Cholesky solves and gathered Gram columns match dense computations") {
  // k = 75 exercises both the 32-row blocks and the remainder rows of the gathered product.
  check_against_dense<double>(20, 75, 0.0, 1e-10);
  check_against_dense<double>(20, 75, 0.3, 1e-10);
  check_against_dense<double>(12, 64, 0.0, 1e-10);
  check_against_dense<float>(12, 40, 0.0f, 1e-3);
  constexpr auto kept = ActiveCholesky<double>::InverseFactor::kept;
  check_against_dense<double>(20, 75, 0.0, 1e-10, kept);
  check_against_dense<double>(20, 75, 0.3, 1e-10, kept);
  check_against_dense<double>(70, 151, 0.0, 1e-10, kept);  // m > 64: more than one register block
  check_against_dense<float>(12, 40, 0.0f, 1e-3, ActiveCholesky<float>::InverseFactor::kept);
}

TEST_CASE("Active set: a dependent atom is refused and leaves the factor unchanged") {
  core::Matrix<double> dict = test::random_dictionary(6, 8, 311);
  dict.col(7) = dict.col(2);  // a duplicate
  const core::Matrix<double> g = dict.transpose() * dict;
  ActiveCholesky<double> chol;
  chol.reserve(8);
  std::vector<core::Index> active;
  for (const core::Index j : {0, 2, 5}) {
    REQUIRE(chol.append(g, active, j, 0.0, 1e-10));
    active.push_back(j);
  }
  CHECK_FALSE(chol.append(g, active, 7, 0.0, 1e-10));
  CHECK(chol.size() == 3);
  core::Vector<double> v = core::Vector<double>::Ones(3);
  chol.solve_in_place(v);
  CHECK((gram_block<double>(g, active, 0.0) * v - core::Vector<double>::Ones(3)).norm() <= 1e-10);
}
