// The fused soft-threshold-and-pool kernel against a GEMM followed by pool_split_codes.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <stdexcept>
#include <vector>

#include "sparsecode/features/internal/soft_pool.hpp"
#include "sparsecode/features/pooling.hpp"

namespace sc = sparsecode;
namespace ft = sparsecode::features;
using sc::Index;
using sc::Matrix;
using sc::Vector;

namespace {

struct Geometry {
  Index rows, cols;
  std::vector<int> grids;
};

/// pool_split_codes of the projections formed by a GEMM: the reference SoftPool must match.
Vector<float> reference(const Matrix<float>& projection, const Vector<float>& offset, float alpha,
                        const Matrix<float>& by_position, const Geometry& g, ft::PoolKind kind, Index features) {
  const Matrix<float> z = projection.transpose() * by_position.transpose();
  Vector<float> out(features);
  ft::pool_split_codes(z, offset, alpha, g.rows, g.cols, g.grids, kind, out);
  return out;
}

}  // namespace

TEST_CASE("fused soft-threshold pooling equals GEMM then pool_split_codes, exactly on integer data") {
  // Integer weights and pixels, α = 0.5 and integer offsets: every projection, part and sum is
  // exact in float, so any order of summation gives the same bits and a misplaced value shows.
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> small(-3, 3);
  const std::vector<Geometry> geometries = {
      {23, 23, {4}}, {23, 23, {1, 2, 3}}, {5, 7, {2, 5}}, {1, 9, {1}}, {9, 1, {1}}, {13, 8, {3, 1}}};
  for (Index k : {1, 16, 20, 64, 80, 150}) {
    for (Index d : {4, 36, 49}) {
      Matrix<float> projection(d, k);
      Vector<float> offset(k);
      for (Index i = 0; i < projection.size(); ++i) projection.data()[i] = static_cast<float>(small(rng));
      for (Index i = 0; i < k; ++i) offset(i) = static_cast<float>(small(rng));
      for (const Geometry& g : geometries) {
        Matrix<float> by_position(g.rows * g.cols, d);
        for (Index i = 0; i < by_position.size(); ++i) by_position.data()[i] = static_cast<float>(small(rng));
        for (ft::PoolKind kind : {ft::PoolKind::sum, ft::PoolKind::max, ft::PoolKind::mean}) {
          CAPTURE(k);
          CAPTURE(d);
          CAPTURE(g.rows);
          CAPTURE(g.cols);
          CAPTURE(ft::to_string(kind));
          const Index features = 2 * k * ft::region_count(g.grids);
          const ft::internal::SoftPool pool(projection, offset, 0.5f, g.rows, g.cols, g.grids, kind);
          Vector<float> fused(features);
          std::vector<float> scratch;
          pool.pool(by_position.data(), fused, scratch);
          CHECK(fused == reference(projection, offset, 0.5f, by_position, g, kind, features));
        }
      }
    }
  }
}

TEST_CASE("fused soft-threshold pooling agrees with GEMM then pool_split_codes to float rounding") {
  const Index k = 96, d = 36;
  const Geometry g{23, 23, {1, 2, 4}};
  const Matrix<float> projection = Matrix<float>::Random(d, k);
  const Vector<float> offset = Vector<float>::Random(k);
  const Matrix<float> by_position = Matrix<float>::Random(g.rows * g.cols, d) * 2.0f;
  for (float alpha : {0.0f, 0.25f, 1.0f}) {
    for (ft::PoolKind kind : {ft::PoolKind::sum, ft::PoolKind::max, ft::PoolKind::mean}) {
      const Index features = 2 * k * ft::region_count(g.grids);
      const ft::internal::SoftPool pool(projection, offset, alpha, g.rows, g.cols, g.grids, kind);
      Vector<float> fused(features);
      std::vector<float> scratch;
      pool.pool(by_position.data(), fused, scratch);
      pool.pool(by_position.data(), fused, scratch);  // scratch reused: no state carried over
      const Vector<float> expected = reference(projection, offset, alpha, by_position, g, kind, features);
      CHECK((fused - expected).cwiseAbs().maxCoeff() <= 1e-5f * std::max(1.0f, expected.cwiseAbs().maxCoeff()));
      CHECK(expected.cwiseAbs().maxCoeff() > 0.0f);
    }
  }
}

TEST_CASE("fused soft-threshold pooling rejects mismatched shapes") {
  const Matrix<float> projection = Matrix<float>::Ones(4, 3);
  CHECK_THROWS_AS(ft::internal::SoftPool(projection, Vector<float>::Zero(2), 0.1f, 3, 3, {1}, ft::PoolKind::sum),
                  std::invalid_argument);
  CHECK_THROWS_AS(ft::internal::SoftPool(projection, Vector<float>::Zero(3), 0.1f, 3, 3, {4}, ft::PoolKind::sum),
                  std::invalid_argument);
  const ft::internal::SoftPool pool(projection, Vector<float>::Zero(3), 0.1f, 3, 3, {1}, ft::PoolKind::sum);
  const Matrix<float> patches = Matrix<float>::Ones(9, 4);
  Vector<float> wrong(5);
  std::vector<float> scratch;
  CHECK_THROWS_AS(pool.pool(patches.data(), wrong, scratch), std::invalid_argument);
}
