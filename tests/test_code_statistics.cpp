// Tests for the learners' shared pieces: the sparse A/B accumulator against dense products, and atom replacement.
#include <doctest/doctest.h>

#include <random>
#include <span>
#include <stdexcept>
#include <vector>

#include "sparsecode/core/random.hpp"
#include "sparsecode/sparse/atom_replacement.hpp"
#include "sparsecode/sparse/code_statistics.hpp"

using namespace sparsecode::sparse;
using namespace sparsecode::core;

namespace {

// k×n codes with about a third of the entries non-zero (atom 2 never used).
Matrix<double> sparse_codes(Index k, Index n, std::mt19937_64& rng) {
  Matrix<double> codes = Matrix<double>::Zero(k, n);
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < k; ++j)
      if (j != 2 && uniform_below(rng, 3) == 0) codes(j, i) = standard_normal(rng);
  return codes;
}

Matrix<double> normal_matrix(Index rows, Index cols, std::mt19937_64& rng) {
  Matrix<double> m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = standard_normal(rng);
  return m;
}

}  // namespace

TEST_CASE("code statistics: the sparse accumulation equals the dense A = β A0 + w Σ a aᵀ, B = β B0 + w Σ x aᵀ") {
  std::mt19937_64 rng(3);
  const Index d = 7, k = 6;
  const Matrix<double> x1 = normal_matrix(d, 20, rng);
  const Matrix<double> c1 = sparse_codes(k, 20, rng);
  const Matrix<double> x2 = normal_matrix(d, 9, rng);
  const Matrix<double> c2 = sparse_codes(k, 9, rng);
  const double w1 = 1.0 / 20, w2 = 1.0 / 9, beta = 0.7;

  CodeStatistics s;
  s.reset(d, k);
  CHECK(s.a().isZero(0.0));
  CHECK(s.b().isZero(0.0));
  s.add(x1, c1, w1);
  s.scale(beta);
  s.add(x2, c2, w2);

  const Matrix<double> a = beta * w1 * (c1 * c1.transpose()) + w2 * (c2 * c2.transpose());
  const Matrix<double> b = beta * w1 * (x1 * c1.transpose()) + w2 * (x2 * c2.transpose());
  CHECK((s.a() - a).norm() <= 1e-13 * a.norm());
  CHECK((s.b() - b).norm() <= 1e-13 * b.norm());
  // usage counts the codes that used each atom, in both batches.
  for (Index j = 0; j < k; ++j) {
    const double used = static_cast<double>((c1.row(j).array() != 0.0).count() + (c2.row(j).array() != 0.0).count());
    CHECK(s.usage()(j) == used);
  }
  CHECK(s.usage()(2) == 0.0);
}

TEST_CASE("code statistics: packed codes for A and usage, and add_cross for B, equal add() bit for bit") {
  std::mt19937_64 rng(8);
  const Index d = 9, k = 37, n = 30;
  const Matrix<double> x = normal_matrix(d, n, rng);
  const Matrix<double> c = sparse_codes(k, n, rng);
  CodeStatistics whole;
  whole.reset(d, k);
  whole.add(x, c, 0.3);

  // Data-parallel: the codes of two "processes" packed one after the other, B's increments summed.
  std::vector<double> packed;
  pack_codes(c.leftCols(12), packed);
  pack_codes(c.rightCols(n - 12), packed);
  CodeStatistics split;
  split.reset(d, k);
  split.add_outer(packed, 0.3);
  Matrix<double> b = Matrix<double>::Zero(d, k);
  add_cross(x, packed, 0.3, b);
  split.accumulate_cross(b);
  CHECK(split.a() == whole.a());
  CHECK(split.b() == whole.b());
  CHECK(split.usage() == whole.usage());

  // Or each process's codes into its own dense increment, the increments summed (the other
  // data-parallel exchange, for large mini-batches): A and usage as accumulated.
  Matrix<double> a0 = Matrix<double>::Zero(k, k), a1 = Matrix<double>::Zero(k, k);
  Vector<double> u0 = Vector<double>::Zero(k), u1 = Vector<double>::Zero(k);
  std::vector<double> first, second;
  pack_codes(c.leftCols(12), first);
  pack_codes(c.rightCols(n - 12), second);
  add_outer(first, 0.3, a0, u0);
  add_outer(second, 0.3, a1, u1);
  CodeStatistics summed;
  summed.reset(d, k);
  summed.accumulate_outer(a0 + a1, u0 + u1);
  CHECK((summed.a() - whole.a()).norm() <= 1e-14 * whole.a().norm());
  CHECK(summed.usage() == whole.usage());

  // A packed stream cut inside a code, or naming an atom outside [0, k), is refused.
  std::vector<double> cut(packed.begin(), packed.end() - 1);
  CHECK_THROWS_AS(split.add_outer(cut, 1.0), std::invalid_argument);
  std::vector<double> bad = {1.0, static_cast<double>(k), 0.5};
  CHECK_THROWS_AS(split.add_outer(bad, 1.0), std::invalid_argument);
  // add_cross needs one packed code per sample.
  std::vector<double> all_but_last;
  pack_codes(c.leftCols(n - 1), all_but_last);
  CHECK_THROWS_AS(add_cross(x, all_but_last, 0.3, b), std::invalid_argument);
  CHECK_THROWS_AS(add_cross(x.leftCols(n - 1), packed, 0.3, b), std::invalid_argument);
}

TEST_CASE("code statistics: 1, 2 and 5 threads accumulate bit-identical A, B and usage") {
  std::mt19937_64 rng(5);
  const Index d = 11, k = 70, n = 40;  // 70 atoms: several atom ranges per thread, the last one partial
  const Matrix<double> x = normal_matrix(d, n, rng);
  const Matrix<double> c = sparse_codes(k, n, rng);
  CodeStatistics serial;
  serial.reset(d, k);
  serial.add(x, c, 0.25, 1);
  const Matrix<double> a = (0.25 * c) * c.transpose();
  CHECK((serial.a() - a).norm() <= 1e-13 * a.norm());
  for (const int threads : {2, 5}) {
    CodeStatistics parallel;
    parallel.reset(d, k);
    parallel.add(x, c, 0.25, threads);
    CHECK(parallel.a() == serial.a());
    CHECK(parallel.b() == serial.b());
    CHECK(parallel.usage() == serial.usage());
  }
}

TEST_CASE("atom replacement: exactly the unused atoms are replaced, by unit-norm samples, and their statistics cleared") {
  std::mt19937_64 rng(5);
  const Index d = 5, k = 6, n = 10;
  const Matrix<double> x = normal_matrix(d, n, rng);
  Matrix<double> codes = sparse_codes(k, n, rng);
  codes.row(4).setZero();  // atoms 2 and 4 unused
  CodeStatistics s;
  s.reset(d, k);
  s.add(x, codes, 1.0 / n);
  Matrix<double> dictionary = normal_matrix(d, k, rng);
  dictionary.colwise().normalize();
  const Matrix<double> before = dictionary;
  const Matrix<double> a_before = s.a();
  const Matrix<double> b_before = s.b();

  std::mt19937_64 pick_rng(9);
  std::mt19937_64 expected_rng(9);
  const long long replaced = replace_unused_atoms(dictionary, s, x, DictionarySign::any, pick_rng);
  CHECK(replaced == 2);
  for (Index j = 0; j < k; ++j) {
    CAPTURE(j);
    if (j == 2 || j == 4) {
      const auto pick = static_cast<Index>(uniform_below(expected_rng, static_cast<std::uint64_t>(n)));
      CHECK((dictionary.col(j) - x.col(pick).normalized()).norm() <= 1e-15);
      CHECK(s.a().row(j).isZero(0.0));
      CHECK(s.a().col(j).isZero(0.0));
      CHECK(s.b().col(j).isZero(0.0));
    } else {
      CHECK(dictionary.col(j) == before.col(j));
      CHECK(s.b().col(j) == b_before.col(j));
    }
  }
  CHECK(s.a()(0, 1) == a_before(0, 1));

  // A zero sample keeps the atom (and is not counted); a non-negative dictionary takes |x|.
  CodeStatistics unused;
  unused.reset(d, k);
  Matrix<double> zeros = Matrix<double>::Zero(d, 1);
  Matrix<double> kept = before;
  CHECK(replace_unused_atoms(kept, unused, zeros, DictionarySign::any, pick_rng) == 0);
  CHECK(kept == before);
  Matrix<double> nonneg = before.cwiseAbs();
  CHECK(replace_unused_atoms(nonneg, unused, x, DictionarySign::nonnegative, pick_rng) == k);
  CHECK(nonneg.minCoeff() >= 0.0);
}
