// How a dictionary learner starts: the coding defaults, the initial dictionary and its sign constraint, input checks.
#pragma once

#include <functional>
#include <random>
#include <string>

#include "sparsecode/core/types.hpp"
#include "sparsecode/solvers/dictionary_qp.hpp"
#include "sparsecode/sparse/encoder.hpp"

namespace sparsecode::sparse {

/// How the first dictionary is chosen.
enum class DictionaryInit {
  data_patches,  ///< k distinct training samples drawn with the seed, scaled to unit norm (default)
  gaussian,      ///< i.i.d. standard normal entries, atoms scaled to unit norm
  given,         ///< a dictionary passed to initialize_with()
};

/// Whether dictionary atoms must be non-negative.
enum class DictionarySign { any, nonnegative };

solvers::DictionaryConstraint to_constraint(DictionarySign sign);

/// The learners' coding options: encode()'s defaults, i.e. LARS-Lasso, exact at λ (measured
/// faster than coordinate descent on mini-batches; see OnlineLearnerOptions::coding).
EncodeOptions default_coding();

/// The initial dictionary (d×k). data_patches: k distinct columns of `data` chosen with `rng`
/// (partial Fisher–Yates), non-zero ones required; gaussian: random normal atoms. Atoms are
/// scaled to unit norm; for a non-negative dictionary their absolute values are taken first.
/// Throws std::invalid_argument if data has fewer columns than k for data_patches (naming both
/// counts) or if a chosen sample is zero.
Matrix<double> initial_dictionary(const Matrix<double>& data, Index atoms, DictionaryInit init,
                                  DictionarySign sign, std::mt19937_64& rng);

/// The same from `samples` samples of dimension `dimension` that `sample(i)` returns (for a
/// training set not held in one matrix, e.g. spread over processes); the same draws and result.
Matrix<double> initial_dictionary(Index dimension, Index samples, const std::function<Vector<double>(Index)>& sample,
                                  Index atoms, DictionaryInit init, DictionarySign sign, std::mt19937_64& rng);

/// A user-given initial dictionary checked (finite, k atoms, no zero atom, norms ≤ 1 + 1e-6,
/// non-negative if asked) and projected onto the constraint set; throws std::invalid_argument
/// naming the problem and the atom.
Matrix<double> checked_initial_dictionary(const Matrix<double>& given, Index atoms, DictionarySign sign);

/// Throws std::invalid_argument naming `what` if the matrix is empty, contains NaN/Inf or a
/// sample whose squared norm overflows (core::check_samples_finite, naming the sample).
void check_finite_data(const Matrix<double>& data, const std::string& what);

}  // namespace sparsecode::sparse
