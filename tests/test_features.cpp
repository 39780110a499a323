// Feature extractor: transform equal to a direct per-patch computation, pooling, threads, round trip, bad inputs.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "sparsecode/features/extractor.hpp"
#include "sparsecode/features/pooling.hpp"
#include "sparsecode/features/spherical_kmeans.hpp"
#include "sparsecode/io/checkpoint.hpp"
#include "sparsecode/preprocess/contrast.hpp"
#include "sparsecode/sparse/encoder.hpp"
#include "tests/features_test_support.hpp"
#include "tests/temp_dir.hpp"

namespace sc = sparsecode;
namespace ft = sparsecode::features;
using sc::Index;
using sc::Matrix;
using sc::Vector;

namespace {

constexpr Index kHeight = 11, kWidth = 9;

ft::ExtractorOptions small_options() { return sc::test::small_extractor_options(); }

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

/// The code of one whitened patch x (double), straight from each encoder's definition.
Vector<double> direct_code(const ft::Extractor& e, const Vector<double>& x) {
  const Matrix<double> d = e.dictionary().cast<double>();
  const ft::ExtractorOptions& o = e.options();
  const Index k = d.cols();
  auto split = [k](const Vector<double>& a, double alpha) {
    Vector<double> out(2 * k);
    for (Index j = 0; j < k; ++j) {
      out(j) = std::max(0.0, a(j) - alpha);
      out(k + j) = std::max(0.0, -a(j) - alpha);
    }
    return out;
  };
  switch (o.encoder) {
    case ft::EncoderKind::soft: return split(d.transpose() * x, o.alpha);
    case ft::EncoderKind::triangle: {
      Vector<double> z(k);
      for (Index j = 0; j < k; ++j) z(j) = (x - d.col(j)).norm();
      return (z.mean() - z.array()).cwiseMax(0.0).matrix();
    }
    case ft::EncoderKind::lasso:
    case ft::EncoderKind::omp: {
      sc::sparse::EncodeOptions eo;
      eo.threads = 1;
      if (o.encoder == ft::EncoderKind::omp) {
        sc::solvers::OmpOptions omp;
        omp.max_atoms = o.omp_atoms;
        eo.solver = omp;
      } else {
        eo.penalty.lambda = o.lambda;
        sc::solvers::LarsOptions lars;
        lars.arithmetic = sc::solvers::Arithmetic::full;
        eo.solver = lars;
      }
      Matrix<double> a;
      sc::sparse::encode(d, Matrix<double>(x), a, eo);
      return split(a.col(0), 0.0);
    }
    case ft::EncoderKind::sae: {
      const Vector<double> pre = e.encoder_weights().cast<double>() * x + e.encoder_bias().cast<double>();
      return pre.unaryExpr([](double v) { return 1.0 / (1.0 + std::exp(-v)); });
    }
  }
  return {};
}

/// Features of one image computed patch by patch in double: normalize, whiten, encode, then
/// pool with explicit loops over the documented regions.
Vector<double> direct_features(const ft::Extractor& e, const Matrix<float>& images, Index image) {
  const ft::ExtractorOptions& o = e.options();
  const Index p = o.patch, rows = e.patch_rows(), cols = e.patch_cols();
  const Matrix<double> w = e.whitening_matrix().cast<double>();
  const Vector<double> mu = e.whitening_mean().cast<double>();
  std::vector<Vector<double>> codes;
  for (Index r = 0; r < rows; ++r) {
    for (Index c = 0; c < cols; ++c) {
      Vector<double> x(p * p);
      for (Index i = 0; i < p; ++i) {
        for (Index j = 0; j < p; ++j) x(i * p + j) = images((r * o.stride + i) * kWidth + c * o.stride + j, image);
      }
      const double mean = x.mean();
      const double var = (x.array() - mean).square().mean();
      x = ((x.array() - mean) / std::sqrt(var + o.contrast_epsilon)).matrix();
      codes.push_back(direct_code(e, w * (x - mu)));
    }
  }
  const Index c_size = codes[0].size();
  std::vector<double> out;
  for (int g : o.grids) {
    for (Index gy = 0; gy < g; ++gy) {
      for (Index gx = 0; gx < g; ++gx) {
        for (Index f = 0; f < c_size; ++f) {
          double sum = 0.0, max = -std::numeric_limits<double>::infinity();
          Index n = 0;
          for (Index r = gy * rows / g; r < (gy + 1) * rows / g; ++r) {
            for (Index c = gx * cols / g; c < (gx + 1) * cols / g; ++c) {
              const double v = codes[static_cast<std::size_t>(r * cols + c)](f);
              sum += v;
              max = std::max(max, v);
              ++n;
            }
          }
          out.push_back(o.pool == ft::PoolKind::sum ? sum : o.pool == ft::PoolKind::max ? max : sum / double(n));
        }
      }
    }
  }
  return Eigen::Map<Vector<double>>(out.data(), static_cast<Index>(out.size()));
}

}  // namespace

TEST_CASE("contrast normalization gives zero-mean patches of variance var/(var + eps)") {
  Matrix<double> x = Matrix<double>::Random(9, 20) * 50.0;
  x.col(3).setConstant(7.0);  // a flat patch becomes zero, not NaN
  const Matrix<double> before = x;
  sc::preprocess::normalize_contrast(x, 10.0);
  for (Index j = 0; j < x.cols(); ++j) {
    const double v = (before.col(j).array() - before.col(j).mean()).square().mean();
    CHECK(std::abs(x.col(j).mean()) < 1e-12);
    CHECK((x.col(j).array().square().mean()) == doctest::Approx(v / (v + 10.0)).epsilon(1e-12));
  }
  CHECK(x.col(3).isZero(0.0));
  Matrix<double> bad = before;
  bad(0, 0) = std::nan("");
  CHECK(error_of([&] { sc::preprocess::normalize_contrast(bad, 10.0); }).find("NaN") != std::string::npos);
  CHECK(error_of([&] { sc::preprocess::normalize_contrast(x, 0.0); }).find("epsilon") != std::string::npos);
}

TEST_CASE("window_contrast_stats gives every stride-1 patch's mean and scale as normalize_contrast_column") {
  const Index h = 9, w = 11;
  const int p = 4;
  Matrix<float> image = (Matrix<float>::Random(h, w).array() + 1.0f).matrix() * 100.0f;  // values in 0..200
  image.block(0, 0, 5, 5).setConstant(255.0f);  // flat windows: variance 0, scale 1/sqrt(eps)
  const Matrix<float> rows = image.transpose();  // the function reads the image row by row
  const Index positions = (h - p + 1) * (w - p + 1);
  std::vector<double> means(static_cast<std::size_t>(positions)), scales(means.size());
  sc::preprocess::window_contrast_stats(rows.data(), h, w, p, 10.0, means.data(), scales.data());
  for (Index r = 0; r + p <= h; ++r) {
    for (Index c = 0; c + p <= w; ++c) {
      Eigen::ArrayXd patch(p * p);
      for (int i = 0; i < p; ++i) {
        for (int j = 0; j < p; ++j) patch(i * p + j) = image(r + i, c + j);
      }
      const double mean = patch.mean();
      const double scale = 1.0 / std::sqrt((patch - mean).square().mean() + 10.0);
      const auto at = static_cast<std::size_t>(r * (w - p + 1) + c);
      CHECK(means[at] == doctest::Approx(mean).epsilon(1e-12));
      CHECK(scales[at] == doctest::Approx(scale).epsilon(1e-10));
    }
  }
  CHECK(scales[0] == doctest::Approx(1.0 / std::sqrt(10.0)).epsilon(1e-12));
}

TEST_CASE("transform equals a direct per-patch normalize-whiten-encode-pool for every encoder") {
  const Matrix<float> images = sc::test::random_images(5, kHeight, kWidth, 11);
  struct Case {
    ft::DictionaryKind dictionary;
    ft::EncoderKind encoder;
    ft::PoolKind pool;
    std::vector<int> grids;
    int stride = 1;  // 1: contrast statistics by running sums; 2: per patch
  };
  const std::vector<Case> cases = {
      {ft::DictionaryKind::kmeans, ft::EncoderKind::soft, ft::PoolKind::sum, {2}},
      {ft::DictionaryKind::kmeans, ft::EncoderKind::soft, ft::PoolKind::sum, {2}, 2},
      {ft::DictionaryKind::kmeans, ft::EncoderKind::soft, ft::PoolKind::max, {1, 3}},
      {ft::DictionaryKind::kmeans, ft::EncoderKind::soft, ft::PoolKind::mean, {2, 3}, 2},
      {ft::DictionaryKind::kmeans, ft::EncoderKind::triangle, ft::PoolKind::max, {1, 3}},
      {ft::DictionaryKind::sparse_coding, ft::EncoderKind::lasso, ft::PoolKind::mean, {2}},
      {ft::DictionaryKind::kmeans, ft::EncoderKind::omp, ft::PoolKind::sum, {1, 2}},
      {ft::DictionaryKind::autoencoder, ft::EncoderKind::sae, ft::PoolKind::mean, {3}},
  };
  for (const Case& c : cases) {
    ft::ExtractorOptions o = small_options();
    o.dictionary = c.dictionary;
    o.encoder = c.encoder;
    o.pool = c.pool;
    o.grids = c.grids;
    o.stride = c.stride;
    o.alpha = 0.1;
    o.lambda = 0.05;
    CAPTURE(ft::to_string(c.encoder));
    const ft::Extractor e = ft::Extractor::fit(images, {kHeight, kWidth}, o, 1);
    const Matrix<float> f = e.transform(images, {kHeight, kWidth}, 1);
    REQUIRE(f.rows() == e.feature_count());
    REQUIRE(f.cols() == images.cols());
    for (Index i = 0; i < images.cols(); ++i) {
      const Vector<double> expected = direct_features(e, images, i);
      REQUIRE(expected.size() == f.rows());
      const double scale = std::max(1.0, expected.cwiseAbs().maxCoeff());
      CHECK((f.col(i).cast<double>() - expected).cwiseAbs().maxCoeff() <= 2e-4 * scale);
    }
    CHECK(f.allFinite());
    CHECK(f.cwiseAbs().maxCoeff() > 0.0f);
  }
}

TEST_CASE("pooling equals explicit sums, maxima and means over each region of each grid") {
  const Index rows = 5, cols = 7, c = 3;
  const Matrix<float> codes = Matrix<float>::Random(c, rows * cols);
  const std::vector<int> grids = {1, 2, 3};
  for (ft::PoolKind kind : {ft::PoolKind::sum, ft::PoolKind::max, ft::PoolKind::mean}) {
    Vector<float> out(c * (1 + 4 + 9));
    ft::pool_codes(codes, rows, cols, grids, kind, out);
    Index offset = 0;
    for (int g : grids) {
      // Regions of g = 2 over 5 rows: rows {0, 1} and {2, 3, 4}; g = 3 over 7 columns: {0, 1}, {2, 3}, {4, 5, 6}.
      for (Index gy = 0; gy < g; ++gy) {
        for (Index gx = 0; gx < g; ++gx) {
          for (Index f = 0; f < c; ++f) {
            float sum = 0.0f, max = -std::numeric_limits<float>::infinity();
            int n = 0;
            for (Index r = 0; r < rows; ++r) {
              for (Index q = 0; q < cols; ++q) {
                if (r < gy * rows / g || r >= (gy + 1) * rows / g || q < gx * cols / g || q >= (gx + 1) * cols / g) continue;
                sum += codes(f, r * cols + q);
                max = std::max(max, codes(f, r * cols + q));
                ++n;
              }
            }
            const float expected = kind == ft::PoolKind::sum ? sum : kind == ft::PoolKind::max ? max : sum / n;
            CHECK(out(offset + f) == doctest::Approx(expected).epsilon(1e-5));
          }
          offset += c;
        }
      }
    }
    CHECK(offset == out.size());
  }
  Vector<float> wrong(c);
  CHECK(error_of([&] { ft::pool_codes(codes, rows, cols, {6}, ft::PoolKind::sum, wrong); }).find("grid 6") !=
        std::string::npos);
}

TEST_CASE("transform is identical for 1 and 2 threads and fit does not depend on threads") {
  const Matrix<float> images = sc::test::random_images(37, kHeight, kWidth, 12);  // several chunks of 8
  ft::ExtractorOptions o = small_options();
  for (ft::EncoderKind encoder : {ft::EncoderKind::soft, ft::EncoderKind::lasso}) {
    o.encoder = encoder;
    const ft::Extractor one = ft::Extractor::fit(images, {kHeight, kWidth}, o, 1);
    const ft::Extractor two = ft::Extractor::fit(images, {kHeight, kWidth}, o, 2);
    CHECK(one.dictionary() == two.dictionary());
    const Matrix<float> f1 = one.transform(images, {kHeight, kWidth}, 1);
    const Matrix<float> f2 = one.transform(images, {kHeight, kWidth}, 2);
    CHECK(f1 == f2);
  }
}

TEST_CASE("an extractor saved and loaded gives identical features") {
  sc::test::TempDir dir("features_roundtrip");
  const Matrix<float> images = sc::test::random_images(10, kHeight, kWidth, 13);
  for (ft::DictionaryKind dictionary : {ft::DictionaryKind::kmeans, ft::DictionaryKind::autoencoder}) {
    ft::ExtractorOptions o = small_options();
    o.dictionary = dictionary;
    o.encoder = dictionary == ft::DictionaryKind::autoencoder ? ft::EncoderKind::sae : ft::EncoderKind::triangle;
    o.grids = {1, 2};
    o.seed = 0xFFFFFFFFFFFFFFF1ull;
    const ft::Extractor e = ft::Extractor::fit(images, {kHeight, kWidth}, o, 1);
    e.save(dir / "e.bin");
    const ft::Extractor back = ft::Extractor::load(dir / "e.bin");
    CHECK(back.options().seed == o.seed);
    CHECK(back.options().grids == o.grids);
    CHECK(back.options().encoder == o.encoder);
    CHECK(back.dictionary() == e.dictionary());
    CHECK(back.transform(images, {kHeight, kWidth}, 2) == e.transform(images, {kHeight, kWidth}, 1));
  }
}

TEST_CASE("spherical k-means: the objective never increases, atoms have unit norm, threads do not matter") {
  std::mt19937_64 rng(5);
  Matrix<double> x(8, 900);
  for (Index j = 0; j < x.cols(); ++j) {
    for (Index i = 0; i < x.rows(); ++i) x(i, j) = sc::core::standard_normal(rng) * (1.0 + static_cast<double>(i == j % 8) * 4.0);
  }
  ft::SphericalKMeansOptions o;
  o.atoms = 12;
  o.iterations = 15;
  o.threads = 1;
  ft::SphericalKMeansSummary s;
  const Matrix<double> d = ft::spherical_kmeans(x, o, &s);
  REQUIRE(s.objective.size() == 15u);
  for (std::size_t t = 1; t < s.objective.size(); ++t) CHECK(s.objective[t] <= s.objective[t - 1] * (1 + 1e-12));
  CHECK(s.objective.back() < s.objective.front());
  for (Index j = 0; j < d.cols(); ++j) CHECK(d.col(j).norm() == doctest::Approx(1.0).epsilon(1e-12));
  // The objective is the mean squared error of the best one-atom approximation.
  double direct = 0.0;
  const Matrix<double> z = d.transpose() * x;
  for (Index j = 0; j < x.cols(); ++j) direct += x.col(j).squaredNorm() - z.col(j).cwiseAbs2().maxCoeff();
  o.iterations = 16;
  ft::SphericalKMeansSummary s16;
  ft::spherical_kmeans(x, o, &s16);
  CHECK(s16.objective.back() == doctest::Approx(direct / x.cols()).epsilon(1e-10));
  o.iterations = 15;
  o.threads = 2;
  CHECK(ft::spherical_kmeans(x, o) == d);
  o.atoms = 901;
  CHECK(error_of([&] { ft::spherical_kmeans(x, o); }).find("901 atoms") != std::string::npos);
}

TEST_CASE("the extractor rejects bad inputs with a clear message") {
  sc::test::TempDir dir("features_bad");
  const Matrix<float> images = sc::test::random_images(6, kHeight, kWidth, 14);
  const ft::ExtractorOptions o = small_options();
  CHECK(error_of([&] { ft::Extractor::fit(Matrix<float>(kHeight * kWidth, 0), {kHeight, kWidth}, o); })
            .find("empty") != std::string::npos);
  ft::ExtractorOptions big = o;
  big.patch = 10;
  CHECK(error_of([&] { ft::Extractor::fit(images, {kHeight, kWidth}, big); }).find("larger than the image") !=
        std::string::npos);
  ft::ExtractorOptions fine = o;
  fine.grids = {5};
  CHECK(error_of([&] { ft::Extractor::fit(images, {kHeight, kWidth}, fine); }).find("finer") != std::string::npos);
  ft::ExtractorOptions sae = o;
  sae.encoder = ft::EncoderKind::sae;
  CHECK(error_of([&] { ft::Extractor::fit(images, {kHeight, kWidth}, sae); }).find("autoencoder") !=
        std::string::npos);
  Matrix<float> nan = images;
  nan(3, 2) = std::numeric_limits<float>::quiet_NaN();
  CHECK(error_of([&] { ft::Extractor::fit(nan, {kHeight, kWidth}, o); }).find("NaN") != std::string::npos);
  CHECK(error_of([&] { ft::Extractor::fit(images, {kWidth, kHeight + 1}, o); }).find("pixels per image") !=
        std::string::npos);

  const ft::Extractor e = ft::Extractor::fit(images, {kHeight, kWidth}, o, 1);
  CHECK(error_of([&] { e.transform(nan, {kHeight, kWidth}); }).find("NaN") != std::string::npos);
  CHECK(error_of([&] { e.transform(Matrix<float>(kHeight * kWidth, 0), {kHeight, kWidth}); }).find("empty") !=
        std::string::npos);
  const Matrix<float> other = sc::test::random_images(3, kHeight + 1, kWidth, 15);
  CHECK(error_of([&] { e.transform(other, {kHeight + 1, kWidth}); }).find("fitted on 11x9") != std::string::npos);

  sc::io::Checkpoint learner;  // a learner checkpoint: same container, another kind
  learner.set_int("iteration", 3);
  learner.save(dir / "learner.ckpt");
  CHECK(error_of([&] { ft::Extractor::load(dir / "learner.ckpt"); }).find("is not a feature extractor") !=
        std::string::npos);
  std::ofstream(dir / "text.bin") << "not a model";
  const std::string message = error_of([&] { ft::Extractor::load(dir / "text.bin"); });
  CHECK(message.find("text.bin") != std::string::npos);
  e.save(dir / "e.bin");
  sc::io::Checkpoint newer = sc::io::Checkpoint::load(dir / "e.bin");
  newer.set_int("version", 99);
  newer.save(dir / "newer.bin");
  CHECK(error_of([&] { ft::Extractor::load(dir / "newer.bin"); }).find("format version 99") != std::string::npos);
}

TEST_CASE("pooling the split soft-threshold codes equals pooling them once formed") {
  const Index rows = 4, cols = 6, k = 5;
  const Matrix<float> z = Matrix<float>::Random(k, rows * cols);
  const Vector<float> b = Vector<float>::Random(k) * 0.3f;
  const Matrix<float> y = z.colwise() - b;
  Matrix<float> split(2 * k, rows * cols);
  split.topRows(k) = (y.array() - 0.2f).cwiseMax(0.0f);
  split.bottomRows(k) = (-y.array() - 0.2f).cwiseMax(0.0f);
  for (ft::PoolKind kind : {ft::PoolKind::sum, ft::PoolKind::max, ft::PoolKind::mean}) {
    Vector<float> direct(2 * k * 5), fused(2 * k * 5);
    ft::pool_codes(split, rows, cols, {1, 2}, kind, direct);
    ft::pool_split_codes(z, b, 0.2f, rows, cols, {1, 2}, kind, fused);
    CHECK(fused == direct);
  }
  Vector<float> out(2 * k * 5);
  CHECK_THROWS_AS(ft::pool_split_codes(z, Vector<float>::Zero(k + 1), 0.2f, rows, cols, {1, 2}, ft::PoolKind::sum, out),
                  std::invalid_argument);
}
