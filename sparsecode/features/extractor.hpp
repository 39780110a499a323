// The single-layer feature extractor: fitted normalization, ZCA and dictionary; fused patch→code→pool transform.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "sparsecode/core/termination.hpp"
#include "sparsecode/core/types.hpp"
#include "sparsecode/features/fit_progress.hpp"
#include "sparsecode/features/options.hpp"
#include "sparsecode/io/idx.hpp"

namespace sparsecode::features {

/// What fit() reports.
struct FitSummary {
  Index patches = 0;            ///< random training patches used
  std::string dictionary;       ///< one line from the dictionary learner (objective, termination)
  /// The dictionary learner's termination; user_callback if fit's callback stopped it.
  core::Termination termination = core::Termination::iterations;
  double seconds = 0.0;
};

/// Images as the extractor reads them: (H·W)×N float, one image per column, without a copy of a
/// Matrix<float>, of a contiguous block of its columns or of a mapped buffer (a C-ordered N×H×W array).
using ImagesRef = Eigen::Ref<const Matrix<float>>;

/// Called as transform() progresses: images done so far and the total (from one thread at a time).
using TransformProgress = std::function<void(Index done, Index total)>;

/// The single-layer pipeline of Coates, Lee & Ng (2011), "An analysis of single-layer networks
/// in unsupervised feature learning": every p×p patch at stride s of an image is contrast-
/// normalized (preprocess::normalize_contrast), ZCA-whitened (W(x − μ), fitted on random training
/// patches), encoded on a learned dictionary (EncoderKind) and the codes are pooled over g×g
/// regions (pool_codes). Images are the columns of an (H·W)×N float matrix, pixel (r, c) at
/// r·W + c; features are F×N (F = feature_count(options)), one image per column.
class Extractor {
 public:
  Extractor() = default;

  /// Fits on `images` of `shape`: options.patches_count random patches (image, then position
  /// drawn uniformly with options.seed), their contrast normalization, ZCA (ε =
  /// options.zca_epsilon) and the dictionary (learn_dictionary). `threads` for the dictionary
  /// learner (0: all cores). Throws std::invalid_argument for invalid options, an empty image
  /// set, a row count other than H·W, a patch larger than the images, a pooling grid finer than
  /// the patch positions, or NaN/Inf pixels.
  /// `callback` (optional, see FitCallback) is called after every iteration of the dictionary
  /// learner (k-means pass, sparse-coding mini-batch, autoencoder L-BFGS iteration). A stop is
  /// reported as the learners report it, not as an error: fit returns a fitted extractor on the
  /// dictionary learned so far with summary->termination == core::Termination::user_callback.
  /// An exception thrown by the callback (e.g. a pending KeyboardInterrupt in the Python
  /// binding) propagates out of fit. Without a callback, or with one that always proceeds,
  /// the extractor is the same bits.
  static Extractor fit(const ImagesRef& images, ImageShape shape, const ExtractorOptions& options,
                       int threads = 0, FitSummary* summary = nullptr, const FitCallback& callback = {});

  /// Features (F×N) of images of the fitted shape: one OpenMP loop (dynamic schedule, `threads`,
  /// 0: all cores) over fixed chunks of images, each chunk going patches → normalize → whiten →
  /// encode → pool with single-threaded GEMMs (the soft encoder: whitening folded into the
  /// atoms and the codes pooled in registers, internal::SoftPool), so only one chunk's codes per
  /// thread exist at a time and the result does not depend on `threads`. Throws std::invalid_argument if not
  /// fitted, if `shape` differs from the fitted one (naming both), for an empty set or NaN/Inf.
  Matrix<float> transform(const ImagesRef& images, ImageShape shape, int threads = 0,
                          const TransformProgress& progress = {}) const;

  /// transform() into `features` (F×N, allocated by the caller), so that a caller transforming
  /// a large set block by block reuses one buffer. Also throws if `features` is not F×N.
  void transform_into(const ImagesRef& images, ImageShape shape, Eigen::Ref<Matrix<float>> features,
                      int threads = 0, const TransformProgress& progress = {}) const;

  /// fit() and transform() of an image stack as io::load_image_stack returns it.
  static Extractor fit(const io::ImageStack& stack, const ExtractorOptions& options, int threads = 0,
                       FitSummary* summary = nullptr, const FitCallback& callback = {}) {
    return fit(stack.pixels, ImageShape{stack.height, stack.width}, options, threads, summary, callback);
  }
  Matrix<float> transform(const io::ImageStack& stack, int threads = 0, const TransformProgress& progress = {}) const {
    return transform(stack.pixels, ImageShape{stack.height, stack.width}, threads, progress);
  }

  /// Codes (code_size()×M) of patches that are already normalized and whitened (d×M): the
  /// encoder step of transform(), exposed for tests and for users who pool differently.
  Matrix<float> encode_whitened(const Matrix<float>& whitened) const;

  /// One versioned binary file (io::Checkpoint container with kind "sparsecode-features-extractor"
  /// and a format version), written atomically. load() throws std::runtime_error with one line
  /// naming the file if it is unreadable, of another kind, of a newer version or inconsistent.
  void save(const std::filesystem::path& path) const;
  static Extractor load(const std::filesystem::path& path);

  bool fitted() const { return dictionary_.size() > 0; }
  const ExtractorOptions& options() const { return options_; }
  ImageShape shape() const { return shape_; }
  Index feature_count() const { return features::feature_count(options_); }
  Index patch_rows() const { return positions_along(shape_.height, options_.patch, options_.stride); }
  Index patch_cols() const { return positions_along(shape_.width, options_.patch, options_.stride); }
  const Vector<float>& whitening_mean() const { return zca_mean_; }    ///< μ (d)
  const Matrix<float>& whitening_matrix() const { return zca_; }       ///< W (d×d)
  const Matrix<float>& dictionary() const { return dictionary_; }      ///< d×K unit atoms
  const Matrix<float>& encoder_weights() const { return encoder_weights_; }  ///< K×d (sae only)
  const Vector<float>& encoder_bias() const { return encoder_bias_; }        ///< K (sae only)

  static constexpr const char* kKind = "sparsecode-features-extractor";
  static constexpr int kVersion = 1;

 private:
  struct Workspace;
  void transform_chunk(const ImagesRef& images, Index first, Index count, Eigen::Ref<Matrix<float>> features,
                       Workspace& work) const;
  void check_images(const ImagesRef& images, ImageShape shape) const;

  ExtractorOptions options_;
  ImageShape shape_;
  Vector<float> zca_mean_;
  Matrix<float> zca_;
  Matrix<float> dictionary_;
  Matrix<float> encoder_weights_;
  Vector<float> encoder_bias_;
};

}  // namespace sparsecode::features
