// Tests of the sparse autoencoder cost: finite-difference gradients per term, KL properties, threads, data checks.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

#include "sparsecode/autoencoder/cost.hpp"
#include "sparsecode/autoencoder/model.hpp"
#include "tests/autoencoder_test_support.hpp"

namespace ae = sparsecode::autoencoder;
using sparsecode::Matrix;
using sparsecode::Vector;
using sparsecode::test::numeric_gradient;
using sparsecode::test::uniform_data;

namespace {

double relative_error(const Vector<double>& a, const Vector<double>& b) {
  return (a - b).norm() / std::max(a.norm(), b.norm());
}

void check_gradients(const ae::Architecture& arch, double init_scale) {
  ae::Model model(arch);
  model.initialize(5);
  // ReLU units need biases away from the kink; sigmoid data in [0, 1], linear data wider.
  model.parameters() *= init_scale;
  model.b1().setConstant(arch.activation == ae::Activation::relu ? 0.05 : 0.0);
  const bool unit = arch.decoder == ae::Decoder::sigmoid;
  const Matrix<double> x = uniform_data(arch.input_dim, 23, unit ? 0.05 : -1.0, unit ? 0.95 : 1.0, 9);
  ae::CostOptions options;
  options.rho = 0.1;
  options.beta = 3.0;
  options.weight_decay = 1e-3;
  options.l1 = 0.2;
  ae::Cost cost(arch, options);
  cost.check_data(x);
  for (const ae::CostTerm term : {ae::CostTerm::reconstruction, ae::CostTerm::weight_decay,
                                  ae::CostTerm::sparsity, ae::CostTerm::l1, ae::CostTerm::all}) {
    CAPTURE(static_cast<int>(term));
    Vector<double> analytic;
    cost.evaluate(model.parameters(), x, &analytic, nullptr, term);
    const Vector<double> numeric = numeric_gradient(
        [&](const Vector<double>& t) { return cost.evaluate(t, x, nullptr, nullptr, term); },
        model.parameters());
    REQUIRE(analytic.norm() > 0.0);
    CHECK(relative_error(analytic, numeric) <= 1e-6);
  }
  // The total is the sum of the separately evaluated terms.
  ae::CostTerms terms;
  const double total = cost.evaluate(model.parameters(), x, nullptr, &terms);
  double sum = 0.0;
  for (const ae::CostTerm term : {ae::CostTerm::reconstruction, ae::CostTerm::weight_decay,
                                  ae::CostTerm::sparsity, ae::CostTerm::l1}) {
    sum += cost.evaluate(model.parameters(), x, nullptr, nullptr, term);
  }
  CHECK(total == doctest::Approx(sum).epsilon(1e-13));
  CHECK(terms.total() == total);
}

}  // namespace

TEST_CASE("autoencoder gradient: every term and the total match central differences") {
  for (const auto activation : {ae::Activation::sigmoid, ae::Activation::relu}) {
    for (const auto decoder : {ae::Decoder::sigmoid, ae::Decoder::linear}) {
      for (const auto tying : {ae::Tying::untied, ae::Tying::tied}) {
        ae::Architecture arch{7, 5, activation, decoder, tying};
        CAPTURE(ae::to_string(activation));
        CAPTURE(ae::to_string(decoder));
        CAPTURE(ae::to_string(tying));
        check_gradients(arch, activation == ae::Activation::relu ? 0.3 : 1.0);
      }
    }
  }
}

TEST_CASE("autoencoder KL(rho||rho_hat): zero with zero slope at rho_hat = rho, positive elsewhere") {
  for (const double rho : {0.01, 0.2, 0.5, 0.9}) {
    CAPTURE(rho);
    CHECK(std::abs(ae::kl_divergence(rho, rho)) <= 1e-15);
    CHECK(std::abs(ae::kl_derivative(rho, rho)) <= 1e-12);
    for (const double r : {rho / 3, rho * 0.9, rho + (1 - rho) * 0.1, rho + (1 - rho) * 0.7}) {
      CAPTURE(r);
      CHECK(ae::kl_divergence(rho, r) > 0.0);
      const double h = 1e-7 * std::min(r, 1 - r);
      const double fd = (ae::kl_divergence(rho, r + h) - ae::kl_divergence(rho, r - h)) / (2 * h);
      CHECK(ae::kl_derivative(rho, r) == doctest::Approx(fd).epsilon(1e-6));
      CHECK((ae::kl_derivative(rho, r) > 0) == (r > rho));  // decreasing below ρ, increasing above
    }
  }
  // Clamped outside [ε, 1 − ε]: finite value, no gradient.
  CHECK(std::isfinite(ae::kl_divergence(0.1, 0.0)));
  CHECK(std::isfinite(ae::kl_divergence(0.1, 1.5)));
  CHECK(ae::kl_derivative(0.1, 1.5) == 0.0);
}

TEST_CASE("autoencoder cost and gradient are identical for 1 and 2 threads") {
  for (const auto tying : {ae::Tying::untied, ae::Tying::tied}) {
    ae::Architecture arch{16, 6, ae::Activation::sigmoid, ae::Decoder::sigmoid, tying};
    ae::Model model(arch);
    model.initialize(3);
    // Several chunks, the last one partial.
    const Matrix<double> x = uniform_data(16, 3 * ae::Cost::kChunkSize + 77, 0.0, 1.0, 4);
    ae::CostOptions options;
    options.l1 = 0.01;
    options.threads = 1;
    ae::Cost one(arch, options);
    options.threads = 2;
    ae::Cost two(arch, options);
    Vector<double> g1, g2;
    const double j1 = one.evaluate(model.parameters(), x, &g1);
    const double j2 = two.evaluate(model.parameters(), x, &g2);
    CHECK(std::abs(j1 - j2) <= 1e-12 * std::abs(j1));
    CHECK((g1 - g2).norm() <= 1e-12 * g1.norm());
    CHECK(j1 == j2);  // fixed chunks summed in a fixed order: bit-identical in fact
    CHECK(g1 == g2);
  }
}

TEST_CASE("autoencoder rejects bad options and data with clear messages") {
  ae::Architecture arch{4, 3};
  ae::CostOptions options;
  for (const double rho : {0.0, 1.0, -0.5, 2.0, std::numeric_limits<double>::quiet_NaN()}) {
    options.rho = rho;
    CHECK_THROWS_WITH_AS(ae::Cost(arch, options), doctest::Contains("rho"), std::invalid_argument);
  }
  options = {};
  options.beta = -1.0;
  CHECK_THROWS_WITH_AS(ae::Cost(arch, options), doctest::Contains("beta"), std::invalid_argument);
  options = {};
  arch.hidden = 0;
  CHECK_THROWS_WITH_AS(ae::Cost(arch, options), doctest::Contains("hidden units h must be >= 1"),
                       std::invalid_argument);
  CHECK_THROWS_AS(ae::Model{arch}, std::invalid_argument);
  arch.hidden = 3;
  ae::Cost cost(arch, options);
  Matrix<double> x = uniform_data(4, 5, 0.0, 1.0, 1);
  CHECK_NOTHROW(cost.check_data(x));
  x(2, 3) = 1.5;
  CHECK_THROWS_WITH_AS(cost.check_data(x), doctest::Contains("[0, 1] for a sigmoid decoder"),
                       std::invalid_argument);
  x(2, 3) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH_AS(cost.check_data(x), doctest::Contains("non-finite"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(cost.check_data(Matrix<double>::Zero(5, 2)), doctest::Contains("d = 4"),
                       std::invalid_argument);
  // A linear decoder accepts values outside [0, 1].
  arch.decoder = ae::Decoder::linear;
  ae::Cost linear(arch, options);
  x(2, 3) = -7.0;
  CHECK_NOTHROW(linear.check_data(x));
}
