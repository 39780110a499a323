// Chunked float32 GEMMs for the scores and the gradient of the classifier objective, summed in a fixed order.
#include "sparsecode/classify/objective.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "sparsecode/core/threads.hpp"

namespace sparsecode::classify {

Objective::Objective(Eigen::Ref<const Matrix<float>> features, std::span<const int> labels, int classes,
                     Loss loss, double l2, std::span<const double> weights, int threads)
    : features_(features), labels_(labels), classes_(classes), loss_(loss), l2_(l2),
      weights_(weights), weight_total_(0.0), threads_(core::resolve_threads(threads)) {
  if (features_.cols() == 0 || features_.rows() == 0) {
    throw std::invalid_argument("classifier objective: features are empty (" +
                                std::to_string(features_.rows()) + " features × " +
                                std::to_string(features_.cols()) + " samples)");
  }
  if (classes < 2) {
    throw std::invalid_argument("classifier objective: classes must be >= 2, got " + std::to_string(classes));
  }
  if (static_cast<Index>(labels_.size()) != features_.cols()) {
    throw std::invalid_argument("classifier objective: " + std::to_string(labels_.size()) + " labels for " +
                                std::to_string(features_.cols()) + " samples");
  }
  for (const int y : labels_) {
    if (y < 0 || y >= classes) {
      throw std::invalid_argument("classifier objective: label " + std::to_string(y) + " outside [0, " +
                                  std::to_string(classes) + ")");
    }
  }
  if (!weights_.empty()) {
    if (static_cast<Index>(weights_.size()) != features_.cols()) {
      throw std::invalid_argument("classifier objective: " + std::to_string(weights_.size()) +
                                  " sample weights for " + std::to_string(features_.cols()) + " samples");
    }
    for (const double w : weights_) {
      if (!(w >= 0.0) || !std::isfinite(w)) {
        throw std::invalid_argument("classifier objective: sample weights must be finite and >= 0");
      }
      weight_total_ += w;
    }
    if (!(weight_total_ > 0.0)) {
      throw std::invalid_argument("classifier objective: all sample weights are zero");
    }
  } else {
    weight_total_ = static_cast<double>(features_.cols());
  }
  set_l2(l2);
}

void Objective::set_l2(double l2) {
  if (!(l2 >= 0.0) || !std::isfinite(l2)) {
    throw std::invalid_argument("classifier objective: l2 must be finite and >= 0, got " + std::to_string(l2));
  }
  l2_ = l2;
}

double Objective::operator()(const Vector<double>& theta, Vector<double>& gradient) const {
  return evaluate(theta, &gradient);
}

double Objective::data_loss(const Vector<double>& theta) const { return evaluate(theta, nullptr); }

double Objective::evaluate(const Vector<double>& theta, Vector<double>* gradient) const {
  const Index f = features_.rows();
  const Index n = features_.cols();
  const int c = classes_;
  if (theta.size() != parameter_count()) {
    throw std::invalid_argument("classifier objective: theta has " + std::to_string(theta.size()) +
                                " entries, expected " + std::to_string(parameter_count()));
  }
  const Eigen::Map<const Matrix<double>> w_double(theta.data(), f, c);
  const Matrix<float> w = w_double.cast<float>();
  const Vector<double> b = theta.tail(c);
  const Index chunks = (n + kSampleChunk - 1) / kSampleChunk;
  std::vector<double> chunk_loss(static_cast<std::size_t>(chunks), 0.0);
  std::vector<Matrix<float>> chunk_grad(gradient ? static_cast<std::size_t>(chunks) : 0);
  std::vector<Vector<double>> chunk_bias(gradient ? static_cast<std::size_t>(chunks) : 0);
  const double inv_total = 1.0 / weight_total_;
  // Within a chunk, blocks of about 1 MB of features: the gradient's GEMM reads the block the
  // scores' GEMM has just brought into cache, so the features stream from memory once per call.
  const Index block = std::clamp<Index>(262144 / std::max<Index>(f, 1), 16, kSampleChunk);
  {
    core::SingleThreadedBlas single_blas;
#pragma omp parallel for schedule(static) num_threads(core::threads_for_work(threads_, chunks))
    for (Index k = 0; k < chunks; ++k) {
      const Index chunk_begin = k * kSampleChunk;
      const Index chunk_end = std::min(n, chunk_begin + kSampleChunk);
      Matrix<float> scores(c, block);
      Matrix<float> residual(c, block);
      Matrix<float> grad_sum = Matrix<float>::Zero(f, gradient ? c : 0);
      Vector<double> s(c), d(c), bias_sum = Vector<double>::Zero(c);
      double loss = 0.0;
      for (Index begin = chunk_begin; begin < chunk_end; begin += block) {
        const Index count = std::min(block, chunk_end - begin);
        const auto x = features_.middleCols(begin, count);
        scores.leftCols(count).noalias() = w.transpose() * x;
        for (Index j = 0; j < count; ++j) {
          const Index i = begin + j;
          const double weight = weights_.empty() ? 1.0 : weights_[static_cast<std::size_t>(i)];
          for (int r = 0; r < c; ++r) s(r) = static_cast<double>(scores(r, j)) + b(r);
          loss += weight * sample_loss(loss_, s.data(), c, labels_[static_cast<std::size_t>(i)], d.data());
          if (gradient) {
            d *= weight * inv_total;
            bias_sum += d;
            residual.col(j) = d.cast<float>();
          }
        }
        if (gradient) grad_sum.noalias() += x * residual.leftCols(count).transpose();
      }
      chunk_loss[static_cast<std::size_t>(k)] = loss;
      if (gradient) {
        chunk_grad[static_cast<std::size_t>(k)] = std::move(grad_sum);
        chunk_bias[static_cast<std::size_t>(k)] = bias_sum;
      }
    }
  }
  double loss = 0.0;
  for (const double l : chunk_loss) loss += l;
  loss *= inv_total;
  if (!gradient) return loss;
  gradient->setZero(parameter_count());
  Eigen::Map<Matrix<double>> g(gradient->data(), f, c);
  for (Index k = 0; k < chunks; ++k) {
    g += chunk_grad[static_cast<std::size_t>(k)].cast<double>();
    gradient->tail(c) += chunk_bias[static_cast<std::size_t>(k)];
  }
  g += l2_ * w_double;
  return loss + 0.5 * l2_ * w_double.squaredNorm();
}

Matrix<float> linear_scores(const Matrix<float>& weights, const Vector<float>& bias,
                            Eigen::Ref<const Matrix<float>> features, int threads) {
  if (weights.rows() != features.rows() || bias.size() != weights.cols()) {
    throw std::invalid_argument("linear_scores: weights are " + std::to_string(weights.rows()) + "×" +
                                std::to_string(weights.cols()) + ", features have " +
                                std::to_string(features.rows()) + " rows, bias " +
                                std::to_string(bias.size()) + " entries");
  }
  const Index n = features.cols();
  Matrix<float> scores(weights.cols(), n);
  const Index chunks = (n + kSampleChunk - 1) / kSampleChunk;
  core::SingleThreadedBlas single_blas;
#pragma omp parallel for schedule(static) num_threads(core::threads_for_work(threads, chunks))
  for (Index k = 0; k < chunks; ++k) {
    const Index begin = k * kSampleChunk;
    const Index count = std::min(kSampleChunk, n - begin);
    scores.middleCols(begin, count).noalias() = weights.transpose() * features.middleCols(begin, count);
    scores.middleCols(begin, count).colwise() += bias;
  }
  return scores;
}

}  // namespace sparsecode::classify
