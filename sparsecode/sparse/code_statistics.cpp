// Sparse accumulation of the learners' statistics A and B.
#include "sparsecode/sparse/code_statistics.hpp"

#include <cstddef>
#include <string>

#include "sparsecode/core/allocation.hpp"

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

void CodeStatistics::add(const Matrix<double>& samples, const Matrix<double>& codes, double weight) {
  const Index atoms = codes.rows();
  support_.reserve(static_cast<std::size_t>(atoms));
  for (Index i = 0; i < codes.cols(); ++i) {
    support_.clear();
    for (Index j = 0; j < atoms; ++j) {
      if (codes(j, i) != 0.0) support_.push_back(j);
    }
    for (const Index p : support_) {
      const double ap = weight * codes(p, i);
      for (const Index q : support_) a_(q, p) += ap * codes(q, i);
      b_.col(p) += ap * samples.col(i);
      usage_(p) += 1.0;
    }
  }
}

void CodeStatistics::accumulate(const Eigen::Ref<const Matrix<double>>& a, const Eigen::Ref<const Matrix<double>>& b,
                                const Eigen::Ref<const Vector<double>>& usage) {
  a_ += a;
  b_ += b;
  usage_ += usage;
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
