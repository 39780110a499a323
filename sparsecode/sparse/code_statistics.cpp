// Sparse accumulation of the learners' statistics A and B.
#include "sparsecode/sparse/code_statistics.hpp"

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <string>

#include "sparsecode/core/allocation.hpp"
#include "sparsecode/core/internal/compact_support.hpp"
#include "sparsecode/core/threads.hpp"

namespace sparsecode::sparse {

void CodeStatistics::reset(Index dimension, Index atoms) {
  a_ = core::allocate_matrix<double>(atoms, atoms, "the statistics A (k x k) of " + std::to_string(atoms) + " atoms");
  a_.setZero();
  b_ = core::allocate_matrix<double>(dimension, atoms, "the statistics B (d x k)");
  b_.setZero();
  usage_ = Vector<double>::Zero(atoms);
}

void CodeStatistics::scale(double beta) {
  a_ *= beta;
  b_ *= beta;
}

void CodeStatistics::add(const Eigen::Ref<const Matrix<double>>& samples, const Eigen::Ref<const Matrix<double>>& codes,
                         double weight, int threads) {
  const Index atoms = codes.rows();
  const Index n = codes.cols();
  // First the support of every code (ascending atoms, column i's in slots [i·k, i·k + count_i)),
  // then one contiguous range of atoms per thread: a thread owns columns [lo, hi) of A and B and
  // walks the codes in column order. Every entry gets its terms in the serial loop's order
  // whatever the ranges are, so the ranges may follow the thread count (one thread: the serial loop).
  supports_.resize(static_cast<std::size_t>(atoms * n));
  values_.resize(static_cast<std::size_t>(atoms * n));
  counts_.resize(static_cast<std::size_t>(n));
  const int team = core::threads_for_work(threads, (atoms + 15) / 16);  // at most one thread per 16 atoms
  const Index range = (atoms + team - 1) / team;
#pragma omp parallel num_threads(team)
  {
#pragma omp for schedule(static)
    for (Index i = 0; i < n; ++i) {
      // Branch-free (compress-stores with AVX-512): a code's few non-zeros sit at unpredictable atoms.
      counts_[static_cast<std::size_t>(i)] = core::internal::compact_support(
          codes.col(i).data(), atoms, supports_.data() + i * atoms, values_.data() + i * atoms);
    }
#pragma omp for schedule(static)
    for (int t = 0; t < team; ++t) {
      const Index lo = static_cast<Index>(t) * range;
      const Index hi = std::min(atoms, lo + range);
      for (Index i = 0; i < n; ++i) {
        const Index* first = supports_.data() + i * atoms;
        const Index* last = first + counts_[static_cast<std::size_t>(i)];
        const double* values = values_.data() + i * atoms;
        for (const Index* p = lo == 0 ? first : std::lower_bound(first, last, lo); p != last && *p < hi; ++p) {
          const double ap = weight * values[p - first];
          double* a_column = a_.col(*p).data();
          for (const Index* q = first; q != last; ++q) a_column[*q] += ap * values[q - first];
          b_.col(*p) += ap * samples.col(i);
          usage_(*p) += 1.0;
        }
      }
    }
  }
}

void CodeStatistics::accumulate_outer(const Eigen::Ref<const Matrix<double>>& a,
                                      const Eigen::Ref<const Vector<double>>& usage) {
  a_ += a;
  usage_ += usage;
}

void CodeStatistics::accumulate_cross(const Eigen::Ref<const Matrix<double>>& b) { b_ += b; }

namespace {

// Calls code(i, s, support, values) for every code i of a pack_codes() stream (support: its s
// atoms, as Index), after checking that the code lies within the stream and its atoms within
// [0, atoms); returns the number of codes.
template <class Code>
Index for_each_packed_code(std::span<const double> packed, Index atoms, Code code) {
  std::vector<Index> support(static_cast<std::size_t>(atoms));
  Index i = 0;
  for (std::size_t at = 0; at < packed.size(); ++i) {
    const auto s = static_cast<std::size_t>(packed[at]);
    if (!(packed[at] >= 0.0) || s > static_cast<std::size_t>(atoms) || at + 1 + 2 * s > packed.size()) {
      throw std::invalid_argument("packed codes: truncated or malformed");
    }
    const double* indices = packed.data() + at + 1;
    for (std::size_t q = 0; q < s; ++q) {
      if (!(indices[q] >= 0.0 && indices[q] < static_cast<double>(atoms))) {
        throw std::invalid_argument("packed codes: atom index out of range");
      }
      support[q] = static_cast<Index>(indices[q]);
    }
    code(i, s, support.data(), indices + s);
    at += 1 + 2 * s;
  }
  return i;
}

}  // namespace

void add_outer(std::span<const double> packed, double weight, Eigen::Ref<Matrix<double>> a,
               Eigen::Ref<Vector<double>> usage) {
  for_each_packed_code(packed, a.cols(), [&](Index, std::size_t s, const Index* support, const double* values) {
    for (std::size_t p = 0; p < s; ++p) {
      // The same terms, in the same order, as CodeStatistics::add()'s for this code.
      const double ap = weight * values[p];
      double* a_column = a.col(support[p]).data();
      for (std::size_t q = 0; q < s; ++q) a_column[support[q]] += ap * values[q];
      usage(support[p]) += 1.0;
    }
  });
}

void add_cross(const Eigen::Ref<const Matrix<double>>& samples, std::span<const double> packed, double weight,
               Eigen::Ref<Matrix<double>> b) {
  const Index codes = for_each_packed_code(packed, b.cols(), [&](Index i, std::size_t s, const Index* support,
                                                                 const double* values) {
    if (i >= samples.cols()) throw std::invalid_argument("add_cross: more packed codes than samples");
    for (std::size_t p = 0; p < s; ++p) b.col(support[p]) += (weight * values[p]) * samples.col(i);
  });
  if (codes != samples.cols()) throw std::invalid_argument("add_cross: fewer packed codes than samples");
}

void pack_codes(const Eigen::Ref<const Matrix<double>>& codes, std::vector<double>& packed) {
  const Index atoms = codes.rows();
  std::vector<Index> support(static_cast<std::size_t>(atoms));
  std::vector<double> values(static_cast<std::size_t>(atoms));
  for (Index i = 0; i < codes.cols(); ++i) {
    const Index s = core::internal::compact_support(codes.col(i).data(), atoms, support.data(), values.data());
    packed.push_back(static_cast<double>(s));
    for (Index p = 0; p < s; ++p) packed.push_back(static_cast<double>(support[static_cast<std::size_t>(p)]));
    packed.insert(packed.end(), values.begin(), values.begin() + s);
  }
}

void CodeStatistics::clear_atom(Index j) {
  a_.row(j).setZero();
  a_.col(j).setZero();
  b_.col(j).setZero();
}

void CodeStatistics::assign(Matrix<double> a, Matrix<double> b, Vector<double> usage) {
  a_ = std::move(a);
  b_ = std::move(b);
  usage_ = std::move(usage);
}

}  // namespace sparsecode::sparse
