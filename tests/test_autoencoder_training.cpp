// Tests of autoencoder training: L-BFGS decrease, UFLDL sparsity at test size, early stopping, max-norm, determinism.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "sparsecode/autoencoder/lbfgs_trainer.hpp"
#include "sparsecode/autoencoder/minibatch_trainer.hpp"
#include "ufldl_data.hpp"
#include "sparsecode/io/image_io.hpp"
#include "sparsecode/preprocess/whitening.hpp"
#include "tests/autoencoder_test_support.hpp"

namespace ae = sparsecode::autoencoder;
using sparsecode::Matrix;
using sparsecode::test::uniform_data;

TEST_CASE("autoencoder L-BFGS decreases the cost at every iteration") {
  for (const auto tying : {ae::Tying::untied, ae::Tying::tied}) {
    ae::Model model(ae::Architecture{9, 4, ae::Activation::sigmoid, ae::Decoder::sigmoid, tying});
    model.initialize(11);
    const Matrix<double> x = uniform_data(9, 200, 0.1, 0.9, 12);
    ae::CostOptions cost;
    cost.rho = 0.05;
    std::vector<double> costs;
    ae::LbfgsOptions options;
    options.max_iterations = 40;
    const ae::TrainingSummary s =
        ae::train_lbfgs(model, cost, x, options, [&](const ae::Progress& p) {
          costs.push_back(p.terms.total());
          return ae::CallbackResult::proceed;
        });
    REQUIRE(s.iterations >= 10);
    REQUIRE(costs.size() == static_cast<std::size_t>(s.iterations));
    CHECK(costs.front() < s.initial_cost);
    for (std::size_t i = 1; i < costs.size(); ++i) {
      CHECK(costs[i] < costs[i - 1]);
    }
    // The reported terms are those of the returned parameters.
    ae::Cost check(model.architecture(), cost);
    CHECK(check.evaluate(model.parameters(), x, nullptr) == doctest::Approx(s.final_terms.total()).epsilon(1e-12));
    CHECK(s.final_terms.total() < 0.5 * s.initial_cost);
  }
}

TEST_CASE("autoencoder on the UFLDL setting (test size): mean rho_hat ends within 20% of rho") {
  // A 192×192 crop keeps the whitening cheap in the sanitizer build.
  sparsecode::io::Image camera = sparsecode::io::load_image(std::string(SPARSECODE_DATA_DIR) + "/camera.png");
  camera.pixels = Matrix<double>(camera.pixels.block(160, 160, 192, 192));
  const Matrix<double> x = ae::ufldl_patches(sparsecode::preprocess::whiten_images({camera}), 600, 8, 3);
  CHECK(x.minCoeff() >= 0.1 - 1e-12);
  CHECK(x.maxCoeff() <= 0.9 + 1e-12);
  ae::Architecture arch{64, 25};
  ae::Model model(arch);
  model.initialize(1);
  ae::CostOptions cost;  // ρ = 0.01, β = 3, λ = 1e-4
  cost.threads = 1;       // results do not depend on it; avoids barrier waits on a busy machine
  ae::LbfgsOptions options;
  options.max_iterations = 100;
  const ae::TrainingSummary s = ae::train_lbfgs(model, cost, x, options);
  CAPTURE(ae::to_string(s.termination));
  CAPTURE(s.final_terms.mean_rho_hat());
  CHECK(std::abs(s.final_terms.mean_rho_hat() - cost.rho) <= 0.2 * cost.rho);
  CHECK(s.final_terms.total() < s.initial_cost);
}

TEST_CASE("autoencoder early stopping restores the weights of the best validation epoch") {
  // Validation data from another distribution than the training data: fitting the training
  // data eventually makes the validation cost rise.
  const Matrix<double> train = uniform_data(6, 120, 0.0, 0.3, 21);
  const Matrix<double> validation = uniform_data(6, 60, 0.6, 1.0, 22);
  ae::Model model(ae::Architecture{6, 4});
  model.initialize(5);
  ae::CostOptions cost;
  cost.beta = 0.0;
  ae::MinibatchOptions options;
  options.epochs = 400;
  options.batch_size = 16;
  options.learning_rate = 0.02;
  options.patience = 5;
  std::vector<double> validation_costs;
  const ae::TrainingSummary s =
      ae::train_minibatch(model, cost, train, validation, options, [&](const ae::Progress& p) {
        validation_costs.push_back(p.validation_cost);
        return ae::CallbackResult::proceed;
      });
  REQUIRE(s.termination == ae::Termination::early_stopping);
  REQUIRE(s.best_epoch < s.iterations);
  const double best = *std::min_element(validation_costs.begin(), validation_costs.end());
  CHECK(s.best_validation_cost == best);
  CHECK(validation_costs.back() > best);  // the last epoch's weights are not the ones kept
  ae::Cost check(model.architecture(), cost);
  CHECK(check.evaluate(model.parameters(), validation, nullptr) == doctest::Approx(best).epsilon(1e-12));
}

TEST_CASE("autoencoder Adam and SGD lower the training cost, max-norm bounds every weight row") {
  const Matrix<double> x = uniform_data(8, 300, 0.1, 0.9, 31);
  for (const auto method : {ae::MinibatchMethod::adam, ae::MinibatchMethod::sgd_momentum}) {
    ae::Model model(ae::Architecture{8, 5});
    model.initialize(2);
    ae::MinibatchOptions options;
    options.method = method;
    options.epochs = 30;
    options.batch_size = 32;
    options.learning_rate = method == ae::MinibatchMethod::adam ? 1e-2 : 0.1;
    options.max_norm = 0.5;
    const ae::TrainingSummary s = ae::train_minibatch(model, ae::CostOptions{}, x, Matrix<double>(), options);
    CHECK(s.iterations == 30);
    CHECK(s.final_terms.total() < s.initial_cost);
    CHECK(model.W1().rowwise().norm().maxCoeff() <= 0.5 + 1e-12);
    CHECK(model.W2().rowwise().norm().maxCoeff() <= 0.5 + 1e-12);
  }
}

TEST_CASE("autoencoder initialisation and splits are functions of the seed") {
  ae::Model a(ae::Architecture{10, 3});
  ae::Model b(ae::Architecture{10, 3});
  a.initialize(42);
  b.initialize(42);
  CHECK(a.parameters() == b.parameters());
  const double r = std::sqrt(6.0 / (10 + 3 + 1));
  CHECK(a.W1().cwiseAbs().maxCoeff() <= r);
  CHECK(a.b1().isZero());
  b.initialize(43);
  CHECK(a.parameters() != b.parameters());
  const Matrix<double> x = uniform_data(3, 50, 0.0, 1.0, 1);
  const auto [t1, v1] = ae::split_validation(x, 0.2, 7);
  const auto [t2, v2] = ae::split_validation(x, 0.2, 7);
  CHECK(v1.cols() == 10);
  CHECK(t1.cols() == 40);
  CHECK(v1 == v2);
  CHECK(t1 == t2);
  CHECK_THROWS_AS(ae::split_validation(x, 1.0, 7), std::invalid_argument);
}

TEST_CASE("autoencoder trainers: a callback returning stop ends training after exactly that iteration") {
  const Matrix<double> x = uniform_data(9, 120, 0.1, 0.9, 31);
  ae::CostOptions cost;
  cost.rho = 0.05;
  const auto stop_at = [](int last, std::vector<int>& seen) {
    return [last, &seen](const ae::Progress& p) {
      seen.push_back(p.iteration);
      return p.iteration == last ? ae::CallbackResult::stop : ae::CallbackResult::proceed;
    };
  };
  {
    ae::Model model(ae::Architecture{9, 4, ae::Activation::sigmoid, ae::Decoder::sigmoid, ae::Tying::untied});
    model.initialize(3);
    std::vector<int> seen;
    ae::LbfgsOptions options;
    options.max_iterations = 50;
    const ae::TrainingSummary s = ae::train_lbfgs(model, cost, x, options, stop_at(3, seen));
    CHECK(s.termination == ae::Termination::user_callback);
    CHECK(s.iterations == 3);
    CHECK(seen == std::vector<int>{1, 2, 3});
    CHECK(s.brief_report().find("stopped by the callback") != std::string::npos);
  }
  {
    ae::Model model(ae::Architecture{9, 4, ae::Activation::sigmoid, ae::Decoder::sigmoid, ae::Tying::untied});
    model.initialize(3);
    std::vector<int> seen;
    ae::MinibatchOptions options;
    options.epochs = 20;
    options.batch_size = 32;
    const ae::TrainingSummary s = ae::train_minibatch(model, cost, x, Matrix<double>(), options, stop_at(2, seen));
    CHECK(s.termination == ae::Termination::user_callback);
    CHECK(s.iterations == 2);
    CHECK(seen == std::vector<int>{1, 2});
    const std::string report = s.brief_report();
    CHECK(report.find("stopped by the callback") != std::string::npos);
    CHECK(report.find("2 iterations") != std::string::npos);
  }
  {  // Without a stop, the budget ends training and the report says which.
    ae::Model model(ae::Architecture{9, 4, ae::Activation::sigmoid, ae::Decoder::sigmoid, ae::Tying::untied});
    model.initialize(3);
    ae::MinibatchOptions options;
    options.epochs = 2;
    const ae::TrainingSummary s = ae::train_minibatch(model, cost, x, Matrix<double>(), options);
    CHECK(s.termination == ae::Termination::epochs);
    CHECK(s.brief_report().find("stopped (epoch budget used up)") != std::string::npos);
  }
}
