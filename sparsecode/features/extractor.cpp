// The feature extractor: fitting (patches, normalization, ZCA, dictionary) and the fused chunked transform.
#include "sparsecode/features/extractor.hpp"

#include <exception>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>

#include "sparsecode/core/internal/stopwatch.hpp"
#include "sparsecode/core/random.hpp"
#include "sparsecode/core/threads.hpp"
#include "sparsecode/features/dictionary.hpp"
#include "sparsecode/features/internal/soft_pool.hpp"
#include "sparsecode/features/pooling.hpp"
#include "sparsecode/preprocess/contrast.hpp"
#include "sparsecode/preprocess/zca.hpp"
#include "sparsecode/sparse/encoder.hpp"

namespace sparsecode::features {

namespace {

/// Images per unit of the transform's dynamic schedule: fixed, so results do not depend on threads.
constexpr Index kChunkImages = 8;

std::string shape_text(ImageShape s) { return std::to_string(s.height) + "x" + std::to_string(s.width); }

/// Copies the p×p patches at stride s of one image (row-major pixels, width `width`) into the
/// columns of `out`, positions row-major, each pixel v of the patch at position q written as
/// convert(q, v).
template <class T, class Convert>
void copy_patches(const float* image, Index width, int p, int s, Index rows, Index cols, T* out, Convert convert) {
  for (Index pr = 0; pr < rows; ++pr) {
    for (Index pc = 0; pc < cols; ++pc) {
      const float* top_left = image + pr * s * width + pc * s;
      const Index position = pr * cols + pc;
      for (int i = 0; i < p; ++i) {
        for (int j = 0; j < p; ++j) *out++ = convert(position, top_left[i * width + j]);
      }
    }
  }
}

template <class T>
void copy_patches(const float* image, Index width, int p, int s, Index rows, Index cols, T* out) {
  copy_patches(image, width, p, s, rows, cols, out, [](Index, float v) { return static_cast<T>(v); });
}

/// The contrast-normalized p×p patches at stride s of one image, as the columns of `out`
/// (p²×positions, positions row-major). At stride 1 the windows' means and scales come from
/// separable sums (O(p), not O(p²), per position) and are applied as the patches are copied.
void normalized_patches(const float* image, ImageShape shape, int p, int s, double epsilon, Index rows, Index cols,
                        Vector<double>& means, Vector<double>& scales, float* out) {
  const Index positions = rows * cols, d = static_cast<Index>(p) * p;
  if (s == 1) {
    means.resize(positions);
    scales.resize(positions);
    preprocess::window_contrast_stats(image, shape.height, shape.width, p, epsilon, means.data(), scales.data());
    copy_patches(image, shape.width, p, 1, rows, cols, out, [&](Index q, float v) {
      return static_cast<float>((static_cast<double>(v) - means(q)) * scales(q));
    });
    return;
  }
  copy_patches(image, shape.width, p, s, rows, cols, out);
  for (Index q = 0; q < positions; ++q) preprocess::normalize_contrast_column(out + q * d, d, epsilon);
}

/// The same patches position-major, as internal::SoftPool reads them: out is positions×p²,
/// out(q, i·p + j) pixel (i, j) of the patch at position q. At stride 1 every (i, j) is a
/// contiguous run of each image row, normalized in one vectorizable loop (in float, with the
/// means and scales rounded to float).
void position_major_patches(const float* image, ImageShape shape, int p, int s, double epsilon, Index rows,
                            Index cols, Vector<double>& means, Vector<double>& scales, Matrix<float>& by_patch,
                            Matrix<float>& out) {
  const Index positions = rows * cols, d = static_cast<Index>(p) * p;
  out.resize(positions, d);
  if (s != 1) {
    by_patch.resize(d, positions);
    normalized_patches(image, shape, p, s, epsilon, rows, cols, means, scales, by_patch.data());
    out = by_patch.transpose();
    return;
  }
  means.resize(positions);
  scales.resize(positions);
  preprocess::window_contrast_stats(image, shape.height, shape.width, p, epsilon, means.data(), scales.data());
  const Vector<float> m = means.cast<float>(), scale = scales.cast<float>();
  for (int i = 0; i < p; ++i) {
    for (int j = 0; j < p; ++j) {
      float* column = out.col(static_cast<Index>(i) * p + j).data();
      for (Index r = 0; r < rows; ++r) {
        const float* source = image + (r + i) * shape.width + j;
        const float* mr = m.data() + r * cols;
        const float* sr = scale.data() + r * cols;
        float* target = column + r * cols;
        for (Index c = 0; c < cols; ++c) target[c] = (source[c] - mr[c]) * sr[c];
      }
    }
  }
}

/// [max(0, a − α), max(0, −a − α)] stacked: the code split by sign.
Matrix<float> split_by_sign(const Matrix<float>& a, float alpha) {
  Matrix<float> out(2 * a.rows(), a.cols());
  out.topRows(a.rows()) = (a.array() - alpha).cwiseMax(0.0f);
  out.bottomRows(a.rows()) = (-a.array() - alpha).cwiseMax(0.0f);
  return out;
}

}  // namespace

struct Extractor::Workspace {
  Matrix<float> patches;
  Vector<double> means;   // per position of one image: its patch's mean
  Vector<double> scales;  // ... and 1/sqrt(var + ε)
  Matrix<float> whitened;
  Matrix<float> image;
  std::optional<internal::SoftPool> soft;  // built on the thread's first chunk
  std::vector<float> scratch;
};

void Extractor::check_images(const ImagesRef& images, ImageShape shape) const {
  if (shape.height < 1 || shape.width < 1) {
    throw std::invalid_argument("images: shape " + shape_text(shape) + " must be at least 1x1");
  }
  if (images.cols() == 0) throw std::invalid_argument("images: the image set is empty");
  if (images.rows() != shape.pixels()) {
    throw std::invalid_argument("images: " + std::to_string(images.rows()) + " pixels per image for shape " +
                                shape_text(shape));
  }
  if (!images.allFinite()) throw std::invalid_argument("images: pixels contain NaN or Inf");
}

Extractor Extractor::fit(const ImagesRef& images, ImageShape shape, const ExtractorOptions& options, int threads,
                         FitSummary* summary, const FitCallback& callback) {
  const core::internal::Stopwatch start;
  options.validate();
  Extractor e;
  e.check_images(images, shape);
  e.options_ = options;
  e.shape_ = shape;
  const Index rows = e.patch_rows(), cols = e.patch_cols();  // throws for a patch larger than the images
  for (int g : options.grids) {
    if (g > rows || g > cols) {
      throw std::invalid_argument("ExtractorOptions::grids: grid " + std::to_string(g) + " is finer than the " +
                                  std::to_string(rows) + "x" + std::to_string(cols) + " patch positions");
    }
  }
  const int p = options.patch;
  const Index d = static_cast<Index>(p) * p;
  Matrix<double> patches(d, options.patches_count);
  std::mt19937_64 rng(options.seed);
  for (Index k = 0; k < patches.cols(); ++k) {
    const auto image = static_cast<Index>(core::uniform_below(rng, static_cast<std::uint64_t>(images.cols())));
    const auto r = static_cast<Index>(core::uniform_below(rng, static_cast<std::uint64_t>(shape.height - p + 1)));
    const auto c = static_cast<Index>(core::uniform_below(rng, static_cast<std::uint64_t>(shape.width - p + 1)));
    copy_patches(images.col(image).data() + r * shape.width + c, shape.width, p, 1, 1, 1, patches.col(k).data());
  }
  preprocess::normalize_contrast(patches, options.contrast_epsilon);
  preprocess::ZcaWhitening zca;
  zca.fit(patches, options.zca_epsilon);
  const LearnedDictionary dict = learn_dictionary(zca.transform(patches), options, threads, callback);
  e.zca_mean_ = zca.mean().cast<float>();
  e.zca_ = zca.matrix().cast<float>();
  e.dictionary_ = dict.atoms.cast<float>();
  e.encoder_weights_ = dict.encoder_weights.cast<float>();
  e.encoder_bias_ = dict.encoder_bias.cast<float>();
  if (summary) {
    summary->patches = patches.cols();
    summary->dictionary = dict.report;
    summary->termination = dict.termination;
    summary->seconds = start.seconds();
  }
  return e;
}

Matrix<float> Extractor::encode_whitened(const Matrix<float>& whitened) const {
  if (!fitted()) throw std::invalid_argument("Extractor: not fitted");
  if (whitened.rows() != dictionary_.rows()) {
    throw std::invalid_argument("Extractor::encode_whitened: patches have " + std::to_string(whitened.rows()) +
                                " values, the atoms " + std::to_string(dictionary_.rows()));
  }
  const auto alpha = static_cast<float>(options_.alpha);
  switch (options_.encoder) {
    case EncoderKind::soft: {
      const Matrix<float> z = dictionary_.transpose() * whitened;
      return split_by_sign(z, alpha);
    }
    case EncoderKind::triangle: {
      Matrix<float> z = dictionary_.transpose() * whitened;  // becomes the distances ‖x − d_k‖
      const Vector<float> x2 = whitened.colwise().squaredNorm().transpose();
      const Vector<float> d2 = dictionary_.colwise().squaredNorm().transpose();
      for (Index i = 0; i < z.cols(); ++i) {
        z.col(i) = ((d2.array() + x2(i)) - 2.0f * z.col(i).array()).cwiseMax(0.0f).sqrt();
        const float mean = z.col(i).mean();
        z.col(i) = (mean - z.col(i).array()).cwiseMax(0.0f);
      }
      return z;
    }
    case EncoderKind::lasso:
    case EncoderKind::omp: {
      sparse::EncodeOptions o;
      o.threads = 1;
      if (options_.encoder == EncoderKind::omp) {
        solvers::OmpOptions omp;
        omp.max_atoms = options_.omp_atoms;
        o.solver = omp;
      } else {
        o.penalty.lambda = options_.lambda;
      }
      Matrix<float> codes;
      sparse::encode(dictionary_, whitened, codes, o);
      return split_by_sign(codes, 0.0f);
    }
    case EncoderKind::sae: {
      Matrix<float> h = encoder_weights_ * whitened;
      h.colwise() += encoder_bias_;
      return h.unaryExpr([](float v) { return 1.0f / (1.0f + std::exp(-v)); });
    }
  }
  throw std::logic_error("Extractor: unknown encoder");
}

void Extractor::transform_chunk(const ImagesRef& images, Index first, Index count,
                                Eigen::Ref<Matrix<float>> features, Workspace& work) const {
  const int p = options_.patch;
  const Index d = static_cast<Index>(p) * p;
  const Index rows = patch_rows(), cols = patch_cols(), positions = rows * cols;
  if (options_.encoder == EncoderKind::soft) {
    // Dᵀ W (x − μ) = (WᵀD)ᵀ x − (WᵀD)ᵀ μ: whitening folded into the projection, and the split
    // codes pooled as they are computed (internal::SoftPool).
    if (!work.soft) {
      const Matrix<float> projection = zca_.transpose() * dictionary_;
      const Vector<float> offset = projection.transpose() * zca_mean_;
      work.soft.emplace(projection, offset, static_cast<float>(options_.alpha), rows, cols, options_.grids,
                        options_.pool);
    }
    for (Index i = 0; i < count; ++i) {
      position_major_patches(images.col(first + i).data(), shape_, p, options_.stride, options_.contrast_epsilon, rows,
                             cols, work.means, work.scales, work.patches, work.image);
      work.soft->pool(work.image.data(), features.col(first + i), work.scratch);
    }
    return;
  }
  work.patches.resize(d, count * positions);
  for (Index i = 0; i < count; ++i) {
    normalized_patches(images.col(first + i).data(), shape_, p, options_.stride, options_.contrast_epsilon, rows, cols,
                       work.means, work.scales, work.patches.col(i * positions).data());
  }
  work.whitened.noalias() = zca_ * work.patches;
  work.whitened.colwise() -= zca_ * zca_mean_;
  for (Index i = 0; i < count; ++i) {  // image by image: one image's codes stay in cache for pooling
    work.image = work.whitened.middleCols(i * positions, positions);
    pool_codes(encode_whitened(work.image), rows, cols, options_.grids, options_.pool, features.col(first + i));
  }
}

Matrix<float> Extractor::transform(const ImagesRef& images, ImageShape shape, int threads,
                                   const TransformProgress& progress) const {
  Matrix<float> features(feature_count(), images.cols());
  transform_into(images, shape, features, threads, progress);
  return features;
}

void Extractor::transform_into(const ImagesRef& images, ImageShape shape, Eigen::Ref<Matrix<float>> features,
                               int threads, const TransformProgress& progress) const {
  if (!fitted()) throw std::invalid_argument("Extractor: not fitted");
  if (shape.height != shape_.height || shape.width != shape_.width) {
    throw std::invalid_argument("images are " + shape_text(shape) + " but the extractor was fitted on " +
                                shape_text(shape_) + " images");
  }
  check_images(images, shape);
  const Index n = images.cols();
  if (features.rows() != feature_count() || features.cols() != n) {
    throw std::invalid_argument("features: " + std::to_string(features.rows()) + "x" +
                                std::to_string(features.cols()) + " for " + std::to_string(feature_count()) +
                                " features of " + std::to_string(n) + " images");
  }
  const Index chunks = (n + kChunkImages - 1) / kChunkImages;
  const int team = core::threads_for_work(threads, chunks);
  core::SingleThreadedBlas single_blas;
  std::exception_ptr failure;
  Index done = 0;
#pragma omp parallel num_threads(team)
  {
    Workspace work;
#pragma omp for schedule(dynamic)
    for (Index c = 0; c < chunks; ++c) {
      const Index first = c * kChunkImages;
      const Index count = std::min(kChunkImages, n - first);
      try {
        transform_chunk(images, first, count, features, work);
      } catch (...) {
#pragma omp critical(sparsecode_features_failure)
        if (!failure) failure = std::current_exception();
      }
      if (progress) {
#pragma omp critical(sparsecode_features_progress)
        {
          done += count;
          progress(done, n);
        }
      }
    }
  }
  if (failure) std::rethrow_exception(failure);
}

}  // namespace sparsecode::features
