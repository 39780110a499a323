// Initial dictionaries (data patches, Gaussian, given), the learners' coding defaults and finite-data checks.
#include "sparsecode/sparse/learner_setup.hpp"

#include <cmath>
#include <stdexcept>
#include <vector>

#include "sparsecode/core/allocation.hpp"
#include "sparsecode/core/random.hpp"
#include "sparsecode/core/sample_checks.hpp"

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
  core::check_samples_finite<double>(data, what);
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
  Matrix<double> dict = core::allocate_matrix<double>(
      d, atoms, "the dictionary of k = " + std::to_string(atoms) + " atoms (--atoms) of d = " + std::to_string(d));
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
  if (given.size() == 0) throw std::invalid_argument("initial dictionary is empty");
  core::check_samples_finite<double>(given, "initial dictionary", "atom");
  if (given.cols() != atoms) {
    throw std::invalid_argument("initial dictionary has " + std::to_string(given.cols()) +
                                " atoms, expected k = " + std::to_string(atoms));
  }
  for (Index j = 0; j < given.cols(); ++j) {
    const double norm = given.col(j).norm();
    if (norm == 0.0) {
      // A zero atom has a zero gradient: coding never uses it and the update never moves it.
      throw std::invalid_argument("initial dictionary: atom " + std::to_string(j) + " (row " + std::to_string(j) +
                                  ") is zero; a zero atom is never used nor updated (give a non-zero atom)");
    }
    if (norm > 1.0 + 1e-6) {
      throw std::invalid_argument("initial dictionary: atom " + std::to_string(j) + " has norm " +
                                  std::to_string(norm) + " > 1 (atoms must satisfy ||d_j|| <= 1)");
    }
  }
  if (sign == DictionarySign::nonnegative && given.minCoeff() < 0.0) {
    throw std::invalid_argument("initial dictionary has negative entries but a non-negative dictionary was asked for");
  }
  Matrix<double> d = given;
  for (Index j = 0; j < d.cols(); ++j) solvers::project_atom<double>(d.col(j), to_constraint(sign));
  return d;
}

}  // namespace sparsecode::sparse
