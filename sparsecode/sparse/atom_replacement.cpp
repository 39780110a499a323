// Atom replacement by random training samples.
#include "sparsecode/sparse/atom_replacement.hpp"

#include <cstdint>

#include "sparsecode/core/random.hpp"

namespace sparsecode::sparse {

bool replace_atom(Matrix<double>& dictionary, CodeStatistics& statistics, Index j,
                  const Eigen::Ref<const Vector<double>>& x, DictionarySign sign) {
  Vector<double> atom = sign == DictionarySign::nonnegative ? Vector<double>(x.cwiseAbs()) : Vector<double>(x);
  const double norm = atom.norm();
  if (!(norm > 0.0)) return false;
  dictionary.col(j) = atom / norm;
  statistics.clear_atom(j);
  return true;
}

long long replace_unused_atoms(Matrix<double>& dictionary, CodeStatistics& statistics,
                               const Matrix<double>& samples, DictionarySign sign, std::mt19937_64& rng) {
  long long replaced = 0;
  for (Index j = 0; j < dictionary.cols(); ++j) {
    if (statistics.usage()(j) != 0.0) continue;
    const auto pick = static_cast<Index>(core::uniform_below(rng, static_cast<std::uint64_t>(samples.cols())));
    if (replace_atom(dictionary, statistics, j, samples.col(pick), sign)) replaced += 1;
  }
  return replaced;
}

}  // namespace sparsecode::sparse
