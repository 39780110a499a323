// The regularized empirical risk of a linear classifier on standardized features, with its gradient.
#pragma once

#include <span>
#include <vector>

#include "sparsecode/classify/loss.hpp"
#include "sparsecode/core/types.hpp"

namespace sparsecode::classify {

/// Number of samples in the fixed column chunks of every reduction: sums run chunk by chunk
/// in index order, so results are identical for any thread count.
inline constexpr Index kSampleChunk = 2048;

/// J(W, b) = Σ_i w_i ℓ(Wᵀx_i + b, y_i) / Σ_i w_i + (l2 / 2)‖W‖²_F  (the bias is not penalized).
/// x_i are the columns of the F×N float matrix `features`; ℓ is the Loss; w_i are sample
/// weights (all 1 when empty; bootstrap counts for bagging). Parameters θ = [vec(W); b] with
/// W F×C column-major, so θ has (F + 1)·C entries. Scores and the gradient's GEMMs run in
/// float32 per chunk of kSampleChunk samples (OpenMP over chunks, single-threaded BLAS inside);
/// losses and sums of chunks are accumulated in double.
/// The object keeps references: `features`, `labels` and `weights` must outlive it.
class Objective {
 public:
  /// Throws std::invalid_argument if sizes disagree, a label is outside [0, classes), there are
  /// no samples, a weight is negative or all weights are zero.
  Objective(Eigen::Ref<const Matrix<float>> features, std::span<const int> labels, int classes,
            Loss loss, double l2, std::span<const double> weights = {}, int threads = 0);

  /// J(θ); fills `gradient` (resized to θ's size).
  double operator()(const Vector<double>& theta, Vector<double>& gradient) const;
  /// J(θ) without the penalty and without a gradient (e.g. a validation loss).
  double data_loss(const Vector<double>& theta) const;

  Index parameter_count() const { return (features_.rows() + 1) * classes_; }
  /// Number of leading entries of θ that are weights (the ones L1/L2 penalize): F·C.
  Index weight_count() const { return features_.rows() * classes_; }
  Index sample_count() const { return features_.cols(); }
  int classes() const { return classes_; }
  double l2() const { return l2_; }
  void set_l2(double l2);

 private:
  double evaluate(const Vector<double>& theta, Vector<double>* gradient) const;

  Eigen::Ref<const Matrix<float>> features_;
  std::span<const int> labels_;
  int classes_;
  Loss loss_;
  double l2_;
  std::span<const double> weights_;
  double weight_total_;
  int threads_;
};

/// Scores Wᵀx + b (C×N, float) of every column of `features`, chunked as above.
Matrix<float> linear_scores(const Matrix<float>& weights, const Vector<float>& bias,
                            Eigen::Ref<const Matrix<float>> features, int threads);

}  // namespace sparsecode::classify
