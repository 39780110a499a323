// `sparsecode features fit|transform`: single-layer convolutional features (patches, ZCA, dictionary, encoder, pooling).
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <iostream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/support.hpp"
#include "sparsecode/core/atomic_file.hpp"
#include "sparsecode/features/extractor.hpp"
#include "sparsecode/io/idx.hpp"
#include "sparsecode/io/npy.hpp"
#include "sparsecode/viz/montage.hpp"

namespace sparsecode::cli {

namespace {

namespace fs = std::filesystem;

/// Images per block of `features transform`: 1,024 images of 8,192 features are 32 MB per buffer.
constexpr Index kTransformBlock = 1024;

struct FitArgs {
  std::string images, out, png, dictionary, encoder, pool, grid;
  int patch = 0, stride = 0, threads = 0;
  long long atoms = 0, patches_count = 0;
  double lambda = -1.0, alpha = -1.0;
  std::uint64_t seed = 0;
  bool quiet = false;
};

struct TransformArgs {
  std::string model, images, out;
  int threads = 0;
  bool quiet = false;
};

features::ExtractorOptions to_options(const FitArgs& a) {
  features::ExtractorOptions o;
  if (a.patch > 0) o.patch = a.patch;
  if (a.stride > 0) o.stride = a.stride;
  if (a.atoms > 0) o.atoms = a.atoms;
  if (!a.dictionary.empty()) o.dictionary = features::parse_dictionary_kind(a.dictionary);
  if (a.lambda >= 0.0) o.lambda = a.lambda;
  if (!a.encoder.empty()) o.encoder = features::parse_encoder_kind(a.encoder);
  if (a.alpha >= 0.0) o.alpha = a.alpha;
  if (!a.pool.empty()) o.pool = features::parse_pool_kind(a.pool);
  if (a.patches_count > 0) o.patches_count = a.patches_count;
  o.seed = a.seed;
  try {
    if (!a.grid.empty()) o.grids = features::parse_grids(a.grid);
    o.validate();
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  return o;
}

std::string number_text(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

/// A progress line on stderr, only when it is a terminal and not --quiet.
features::TransformProgress progress_line(bool quiet) {
  if (quiet || isatty(STDERR_FILENO) == 0) return {};
  return [last = -1](Index done, Index total) mutable {
    const int percent = static_cast<int>(100 * done / total);
    if (percent == last && done != total) return;
    last = percent;
    std::fprintf(stderr, "\rtransform: %lld/%lld images (%d%%)", static_cast<long long>(done),
                 static_cast<long long>(total), percent);
    if (done == total) std::fputc('\n', stderr);
  };
}

void say(bool quiet, const std::string& line) {
  if (!quiet && isatty(STDERR_FILENO) != 0) std::cerr << line << '\n';
}

void run_fit(const FitArgs& a) {
  const features::ExtractorOptions options = to_options(a);
  check_output_paths({{"--out", a.out}, {"--png", a.png}}, {{"--images", a.images}});
  say(a.quiet, "loading " + a.images);
  const io::ImageStack stack = io::load_image_stack(a.images);
  say(a.quiet, "fitting: " + std::to_string(options.patches_count) + " patches, " + std::to_string(options.atoms) +
                   " atoms (" + features::to_string(options.dictionary) + ")");
  features::FitSummary summary;
  const features::Extractor extractor = features::Extractor::fit(stack, options, a.threads, &summary);
  write_with_companion(
      a.out, [&](const fs::path& tmp) { extractor.save(tmp); }, a.png,
      [&](const fs::path& tmp) {
        viz::MontageOptions m;
        m.scale = 4;
        viz::write_montage_png(tmp, extractor.dictionary(), m);
      });
  if (!a.quiet) {
    std::printf("images                  %lld (%lldx%lld)\n", static_cast<long long>(stack.count),
                static_cast<long long>(stack.height), static_cast<long long>(stack.width));
    std::printf("patches                 %lld of %dx%d\n", static_cast<long long>(summary.patches), options.patch,
                options.patch);
    std::printf("dictionary              %s\n", summary.dictionary.c_str());
    std::printf("encoder                 %s, pooling %s over %s grid(s), stride %d\n",
                features::to_string(options.encoder).c_str(), features::to_string(options.pool).c_str(),
                features::grids_text(options.grids).c_str(), options.stride);
    std::printf("features per image      %lld\n", static_cast<long long>(extractor.feature_count()));
    std::printf("seconds                 %.2f\n", summary.seconds);
  }
}

void run_transform(const TransformArgs& a) {
  check_output_paths({{"--out", a.out}}, {{"--images", a.images}, {"--model", a.model}});
  const features::Extractor extractor = features::Extractor::load(a.model);
  say(a.quiet, "loading " + a.images);
  const io::ImageStack stack = io::load_image_stack(a.images);
  const features::ImageShape shape{stack.height, stack.width};
  if (shape.height != extractor.shape().height || shape.width != extractor.shape().width) {
    throw std::runtime_error(a.images + ": images are " + std::to_string(shape.height) + "x" +
                             std::to_string(shape.width) + " but " + a.model + " was fitted on " +
                             std::to_string(extractor.shape().height) + "x" + std::to_string(extractor.shape().width) +
                             " images");
  }
  // Blocks of images transformed into two reused buffers, each written while the next is
  // computed: memory stays at two blocks of features whatever N, and the writing (the .npy
  // is 32 KB per image at the defaults) overlaps the transform instead of following it.
  const Index n = stack.count, f = extractor.feature_count();
  const Index block = std::min<Index>(n, kTransformBlock);
  const features::TransformProgress progress = progress_line(a.quiet);
  const auto start = std::chrono::steady_clock::now();
  double transform_seconds = 0.0;
  core::write_file_atomically(a.out, [&](core::OutputFile& out) {
    out.write(io::format_npy_header(io::NpyDType::float32, false,
                                    {static_cast<std::size_t>(n), static_cast<std::size_t>(f)}));
    std::array<Matrix<float>, 2> buffers{Matrix<float>(f, block), Matrix<float>(f, block)};
    std::future<void> written;
    for (Index first = 0, b = 0; first < n; first += block, ++b) {
      const Index count = std::min(block, n - first);
      auto features = buffers[static_cast<std::size_t>(b % 2)].leftCols(count);
      features::TransformProgress block_progress;
      if (progress) block_progress = [&](Index done, Index) { progress(first + done, n); };
      const auto t = std::chrono::steady_clock::now();
      extractor.transform_into(stack.pixels.middleCols(first, count), shape, features, a.threads, block_progress);
      transform_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
      if (written.valid()) written.get();  // the other buffer is free again (rethrows a write error)
      written = std::async(std::launch::async, [&out, data = features.data(), bytes = sizeof(float) * count * f] {
        out.write(data, bytes);
      });
    }
    written.get();
  });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!a.quiet) {
    std::printf("images                  %lld\n", static_cast<long long>(n));
    std::printf("features per image      %lld\n", static_cast<long long>(f));
    std::printf("seconds                 %.3f\n", transform_seconds);
    std::printf("seconds with writing    %.3f\n", seconds);
    std::printf("images/s                %.1f\n", seconds > 0 ? static_cast<double>(n) / seconds : 0.0);
  }
}

}  // namespace

void add_features_command(CLI::App& app) {
  CLI::App* features = app.add_subcommand(
      "features", "Single-layer convolutional features for classifiers (Coates, Lee & Ng 2011)");
  features->require_subcommand(1);
  const features::ExtractorOptions defaults;

  auto f = std::make_shared<FitArgs>();
  CLI::App* fit = features->add_subcommand(
      "fit",
      "Fit a feature extractor on training images: random patches, per-patch contrast normalization, ZCA "
      "whitening and a dictionary; saves everything transform needs in one file. The defaults are the "
      "Fashion-MNIST configuration of the README.");
  fit->add_option("--images", f->images, "Training images: IDX (optionally .gz) or .npy N×H×W")->required();
  fit->add_option("--patch", f->patch, "Patch side P (default " + std::to_string(defaults.patch) + ")")
      ->check(integer_in(1, 256));
  fit->add_option("--stride", f->stride, "Step between encoded patches (default " + std::to_string(defaults.stride) + ")")
      ->check(integer_in(1, 256));
  fit->add_option("--atoms", f->atoms, "Dictionary size K (default " + std::to_string(defaults.atoms) + ")")
      ->check(integer_in(1, 1 << 20));
  fit->add_option("--dictionary", f->dictionary,
                  "sparse-coding | kmeans | autoencoder (default " + features::to_string(defaults.dictionary) + ")")
      ->check(CLI::IsMember({"sparse-coding", "kmeans", "autoencoder"}));
  fit->add_option("--lambda", f->lambda,
                  "L1 weight of the sparse-coding dictionary and the lasso encoder (default " +
                      number_text(defaults.lambda) + ")")
      ->check(real_at_least(0.0));
  fit->add_option("--encoder", f->encoder,
                  "soft | lasso | omp | triangle | sae (default " + features::to_string(defaults.encoder) + ")")
      ->check(CLI::IsMember({"soft", "lasso", "omp", "triangle", "sae"}));
  fit->add_option("--alpha", f->alpha, "Soft threshold alpha (default " + number_text(defaults.alpha) + ")")
      ->check(real_at_least(0.0));
  fit->add_option("--pool", f->pool, "sum | max | mean (default " + features::to_string(defaults.pool) + ")")
      ->check(CLI::IsMember({"sum", "max", "mean"}));
  fit->add_option("--grid", f->grid,
                  "Pooling grid G (GxG regions), or a pyramid G1,G2,... (default " + features::grids_text(defaults.grids) + ")");
  fit->add_option("--patches-count", f->patches_count,
                  "Random training patches (default " + std::to_string(defaults.patches_count) + ")")
      ->check(integer_in(1, 1LL << 40));
  fit->add_option("--seed", f->seed, "Seed of patch sampling and dictionary initialisation")->check(unsigned_integer());
  fit->add_option("--threads", f->threads, "Threads (0: all cores)")->check(integer_in(0, 4096));
  fit->add_flag("--quiet", f->quiet, "Print nothing");
  fit->add_option("--out", f->out, "Output extractor file")->required();
  fit->add_option("--png", f->png, "Also write the dictionary's filters as a PNG montage");
  fit->callback([f] { run_fit(*f); });

  auto t = std::make_shared<TransformArgs>();
  CLI::App* transform = features->add_subcommand(
      "transform", "Features of images with a fitted extractor: writes an N×F float32 .npy");
  transform->add_option("--model", t->model, "Extractor file from `features fit`")->required();
  transform->add_option("--images", t->images, "Images: IDX (optionally .gz) or .npy N×H×W")->required();
  transform->add_option("--threads", t->threads, "Threads (0: all cores)")->check(integer_in(0, 4096));
  transform->add_flag("--quiet", t->quiet, "Print nothing");
  transform->add_option("--out", t->out, "Output features .npy, shape (N, F), float32")->required();
  transform->callback([t] { run_transform(*t); });
}

}  // namespace sparsecode::cli
