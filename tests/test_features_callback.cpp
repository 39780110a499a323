// Feature extractor fit's progress callback: it sees every iteration, stops each dictionary learner, changes nothing otherwise.
#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "sparsecode/features/extractor.hpp"
#include "sparsecode/features/spherical_kmeans.hpp"
#include "tests/features_test_support.hpp"

namespace sc = sparsecode;
namespace ft = sparsecode::features;
using sc::Index;
using sc::Matrix;

namespace {

constexpr Index kHeight = 11, kWidth = 9;
const ft::DictionaryKind kKinds[] = {ft::DictionaryKind::kmeans, ft::DictionaryKind::sparse_coding,
                                     ft::DictionaryKind::autoencoder};

ft::ExtractorOptions options_for(ft::DictionaryKind kind) {
  ft::ExtractorOptions o = sc::test::small_extractor_options();
  o.patches_count = 1500;  // several sparse-coding mini-batches
  o.kmeans_iterations = 8;
  o.autoencoder_iterations = 12;
  o.dictionary = kind;
  o.encoder = kind == ft::DictionaryKind::autoencoder ? ft::EncoderKind::sae : ft::EncoderKind::soft;
  return o;
}

/// Every fitted matrix of two extractors is the same bits.
void check_identical(const ft::Extractor& a, const ft::Extractor& b) {
  CHECK(a.dictionary() == b.dictionary());
  CHECK(a.whitening_mean() == b.whitening_mean());
  CHECK(a.whitening_matrix() == b.whitening_matrix());
  CHECK(a.encoder_weights() == b.encoder_weights());
  CHECK(a.encoder_bias() == b.encoder_bias());
}

struct CallbackFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace

TEST_CASE("features fit: a callback that always proceeds sees every iteration and changes nothing") {
  const Matrix<float> images = sc::test::random_images(30, kHeight, kWidth, 21);
  for (ft::DictionaryKind kind : kKinds) {
    CAPTURE(ft::to_string(kind));
    const ft::ExtractorOptions o = options_for(kind);
    ft::FitSummary plain_summary, watched_summary;
    const ft::Extractor plain = ft::Extractor::fit(images, {kHeight, kWidth}, o, 2, &plain_summary);
    std::vector<ft::FitProgress> seen;
    const ft::Extractor watched =
        ft::Extractor::fit(images, {kHeight, kWidth}, o, 2, &watched_summary, [&](const ft::FitProgress& p) {
          seen.push_back(p);
          return sc::core::CallbackResult::proceed;
        });
    check_identical(plain, watched);
    CHECK(watched.transform(images, {kHeight, kWidth}, 1) == plain.transform(images, {kHeight, kWidth}, 1));
    CHECK(watched_summary.dictionary == plain_summary.dictionary);
    CHECK(watched_summary.termination == plain_summary.termination);
    CHECK(watched_summary.termination != sc::core::Termination::user_callback);
    // Called once per iteration, in order, by the learner that was asked for.
    REQUIRE(seen.size() >= 2);
    for (std::size_t i = 0; i < seen.size(); ++i) {
      CHECK(seen[i].dictionary == kind);
      CHECK(seen[i].iteration == static_cast<long long>(i + 1));
      CHECK(std::isfinite(seen[i].objective));
      if (i > 0) CHECK(seen[i].seconds >= seen[i - 1].seconds);
    }
    const std::string iterations = std::to_string(seen.size()) + " ";
    if (kind == ft::DictionaryKind::kmeans) {
      CHECK(seen.size() == static_cast<std::size_t>(o.kmeans_iterations));
      for (std::size_t i = 1; i < seen.size(); ++i) CHECK(seen[i].objective <= seen[i - 1].objective * (1 + 1e-12));
    }
    // The summary's iteration count is the number of reports.
    CHECK(plain_summary.dictionary.find(", " + iterations) != std::string::npos);
  }
}

TEST_CASE("features fit: a callback that stops after the first iteration stops every dictionary kind") {
  const Matrix<float> images = sc::test::random_images(30, kHeight, kWidth, 22);
  for (ft::DictionaryKind kind : kKinds) {
    CAPTURE(ft::to_string(kind));
    ft::ExtractorOptions o = options_for(kind);
    int calls = 0;
    ft::FitSummary summary;
    const ft::Extractor stopped =
        ft::Extractor::fit(images, {kHeight, kWidth}, o, 1, &summary, [&](const ft::FitProgress& p) {
          ++calls;
          CHECK(p.iteration == 1);
          return sc::core::CallbackResult::stop;
        });
    CHECK(calls == 1);
    CHECK(summary.termination == sc::core::Termination::user_callback);
    CHECK(summary.dictionary.find(kind == ft::DictionaryKind::sparse_coding ? "1 iterations (user_callback)"
                                                                            : "stopped by the callback") !=
          std::string::npos);
    // The extractor is usable: unit atoms and finite features.
    REQUIRE(stopped.fitted());
    for (Index j = 0; j < stopped.dictionary().cols(); ++j) {
      CHECK(stopped.dictionary().col(j).norm() == doctest::Approx(1.0).epsilon(1e-5));
    }
    CHECK(stopped.transform(images, {kHeight, kWidth}, 1).allFinite());
    // Where the learner has an iteration budget, a stop after one iteration is a budget of one.
    if (kind == ft::DictionaryKind::kmeans) o.kmeans_iterations = 1;
    if (kind == ft::DictionaryKind::autoencoder) o.autoencoder_iterations = 1;
    if (kind != ft::DictionaryKind::sparse_coding) {
      ft::FitSummary one_summary;
      check_identical(stopped, ft::Extractor::fit(images, {kHeight, kWidth}, o, 1, &one_summary));
      CHECK(one_summary.termination != sc::core::Termination::user_callback);
    } else {  // one mini-batch, not the whole epoch: other atoms than a full fit
      CHECK(stopped.dictionary() != ft::Extractor::fit(images, {kHeight, kWidth}, o, 1).dictionary());
    }
  }
}

TEST_CASE("features fit: an exception thrown by the callback propagates out of fit for every dictionary kind") {
  const Matrix<float> images = sc::test::random_images(30, kHeight, kWidth, 23);
  for (ft::DictionaryKind kind : kKinds) {
    CAPTURE(ft::to_string(kind));
    int calls = 0;
    CHECK_THROWS_AS(ft::Extractor::fit(images, {kHeight, kWidth}, options_for(kind), 2, nullptr,
                                       [&](const ft::FitProgress& p) -> sc::core::CallbackResult {
                                         ++calls;
                                         if (p.iteration == 2) throw CallbackFailure("interrupted");
                                         return sc::core::CallbackResult::proceed;
                                       }),
                    CallbackFailure);
    CHECK(calls == 2);
  }
}

TEST_CASE("features spherical k-means: a callback stop after pass k equals k passes") {
  const Matrix<float> images = sc::test::random_images(1, 40, 40, 24);
  Matrix<double> x(16, 400);
  for (Index j = 0; j < x.cols(); ++j) {
    for (Index i = 0; i < x.rows(); ++i) x(i, j) = images((j * 3 + i * 7) % images.rows(), 0) - 100.0 + i;
  }
  ft::SphericalKMeansOptions o;
  o.atoms = 5;
  o.iterations = 10;
  o.threads = 2;
  ft::SphericalKMeansSummary stopped_summary;
  std::vector<double> objectives;
  const Matrix<double> stopped = ft::spherical_kmeans(x, o, &stopped_summary, [&](int it, double objective) {
    objectives.push_back(objective);
    return it == 3 ? sc::core::CallbackResult::stop : sc::core::CallbackResult::proceed;
  });
  CHECK(stopped_summary.termination == ft::SphericalKMeansSummary::Termination::user_callback);
  CHECK(stopped_summary.iterations == 3);
  CHECK(objectives == stopped_summary.objective);
  o.iterations = 3;
  ft::SphericalKMeansSummary three;
  CHECK(ft::spherical_kmeans(x, o, &three) == stopped);
  CHECK(three.termination == ft::SphericalKMeansSummary::Termination::iterations);
  CHECK(three.objective == stopped_summary.objective);
}
