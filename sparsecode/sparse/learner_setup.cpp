// Initial dictionaries (data patches, Gaussian, given), the learners' coding defaults and finite-data checks.
#include "sparsecode/sparse/learner_setup.hpp"

#include <cmath>
#include <stdexcept>
#include <vector>

#include "sparsecode/core/random.hpp"

namespace sparsecode::sparse {

solvers::DictionaryConstraint to_constraint(DictionarySign sign) {
  return sign == DictionarySign::nonnegative ? solvers::DictionaryConstraint::nonnegative_unit_ball
                                             : solvers::DictionaryConstraint::unit_ball;
}

EncodeOptions default_coding() {
  EncodeOptions o;
  o.solver = solvers::LarsOptions{};
  return o;
}

void check_finite_data(const Matrix<double>& data, const std::string& what) {
  if (data.size() == 0) throw std::invalid_argument(what + " is empty");
  // A NaN or ±Inf entry makes the (vectorised) sum non-finite, so a finite sum proves the data
  // finite; only otherwise (or if the sum overflowed) are the entries scanned one by one.
  if (std::isfinite(data.sum())) return;
  if (!data.allFinite()) {
    Index row = 0;
    Index col = 0;
    for (Index j = 0; j < data.cols(); ++j)
      for (Index i = 0; i < data.rows(); ++i)
        if (!std::isfinite(data(i, j))) {
          row = i;
          col = j;
          i = data.rows();
          j = data.cols();
        }
    throw std::invalid_argument(what + " contains NaN or Inf (first at sample " + std::to_string(col) +
                                ", component " + std::to_string(row) + ")");
  }
}

Matrix<double> initial_dictionary(const Matrix<double>& data, Index atoms, DictionaryInit init,
                                  DictionarySign sign, std::mt19937_64& rng) {
  return initial_dictionary(
      data.rows(), data.cols(), [&data](Index i) -> Vector<double> { return data.col(i); }, atoms, init, sign, rng);
}

Matrix<double> initial_dictionary(Index dimension, Index samples, const std::function<Vector<double>(Index)>& sample,
                                  Index atoms, DictionaryInit init, DictionarySign sign, std::mt19937_64& rng) {
  if (atoms < 1) throw std::invalid_argument("number of atoms k must be >= 1, got " + std::to_string(atoms));
  const Index d = dimension;
  Matrix<double> dict(d, atoms);
  if (init == DictionaryInit::gaussian) {
    for (Index i = 0; i < dict.size(); ++i) dict.data()[i] = core::standard_normal(rng);
  } else if (init == DictionaryInit::data_patches) {
    const Index n = samples;
    if (n < atoms) {
      throw std::invalid_argument("patch initialisation needs at least as many samples as atoms: " +
                                  std::to_string(n) + " samples < k = " + std::to_string(atoms) +
                                  " atoms (use gaussian initialisation or fewer atoms)");
    }
    std::vector<Index> order(static_cast<std::size_t>(n));
    for (Index i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
    for (Index j = 0; j < atoms; ++j) {
      const auto pick = static_cast<std::size_t>(j) +
                        static_cast<std::size_t>(core::uniform_below(rng, static_cast<std::uint64_t>(n - j)));
      std::swap(order[static_cast<std::size_t>(j)], order[pick]);
      dict.col(j) = sample(order[static_cast<std::size_t>(j)]);
    }
  } else {
    throw std::invalid_argument("initial_dictionary: DictionaryInit::given needs the dictionary itself");
  }
  if (sign == DictionarySign::nonnegative) dict = dict.cwiseAbs();
  for (Index j = 0; j < atoms; ++j) {
    const double norm = dict.col(j).norm();
    if (!(norm > 0.0)) {
      throw std::invalid_argument("initial atom " + std::to_string(j) +
                                  " is zero (a zero training sample was drawn); remove zero samples");
    }
    dict.col(j) /= norm;
  }
  return dict;
}

Matrix<double> checked_initial_dictionary(const Matrix<double>& given, Index atoms, DictionarySign sign) {
  check_finite_data(given, "initial dictionary");
  if (given.cols() != atoms) {
    throw std::invalid_argument("initial dictionary has " + std::to_string(given.cols()) +
                                " atoms, expected k = " + std::to_string(atoms));
  }
  const double largest = given.colwise().norm().maxCoeff();
  if (largest > 1.0 + 1e-6) {
    throw std::invalid_argument("initial dictionary has an atom of norm " + std::to_string(largest) +
                                " > 1 (atoms must satisfy ||d_j|| <= 1)");
  }
  if (sign == DictionarySign::nonnegative && given.minCoeff() < 0.0) {
    throw std::invalid_argument("initial dictionary has negative entries but a non-negative dictionary was asked for");
  }
  Matrix<double> d = given;
  for (Index j = 0; j < d.cols(); ++j) solvers::project_atom<double>(d.col(j), to_constraint(sign));
  return d;
}

}  // namespace sparsecode::sparse
