// Replacing dictionary atoms that no code used by training samples (both learners).
#pragma once

#include <random>

#include "sparsecode/core/types.hpp"
#include "sparsecode/sparse/code_statistics.hpp"
#include "sparsecode/sparse/learner_setup.hpp"

namespace sparsecode::sparse {

/// Replaces atom j by sample x scaled to unit norm (absolute values for a non-negative
/// dictionary) and clears its statistics (CodeStatistics::clear_atom), which belonged to the
/// old atom. Returns false (and changes nothing) if x is zero.
bool replace_atom(Matrix<double>& dictionary, CodeStatistics& statistics, Index j,
                  const Eigen::Ref<const Vector<double>>& x, DictionarySign sign);

/// Every atom j with statistics.usage()(j) == 0, in increasing j, is replaced (replace_atom) by
/// the column of `samples` (d×n) at core::uniform_below(rng, n): one draw per unused atom, also
/// when the drawn sample is zero and the atom is kept. An unused atom does not enter the
/// objective of the coded samples, so replacing it leaves that objective unchanged. Returns the
/// number of atoms replaced.
long long replace_unused_atoms(Matrix<double>& dictionary, CodeStatistics& statistics,
                               const Matrix<double>& samples, DictionarySign sign, std::mt19937_64& rng);

}  // namespace sparsecode::sparse
