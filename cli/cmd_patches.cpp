// `sparsecode patches`: sample (optionally whitened) image patches into an N×P² .npy file, with optional ZCA.
#include <filesystem>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>

#include "cli/commands.hpp"
#include "cli/support.hpp"
#include "sparsecode/core/allocation.hpp"
#include "sparsecode/io/npy.hpp"
#include "sparsecode/preprocess/patches.hpp"
#include "sparsecode/preprocess/whitening.hpp"
#include "sparsecode/preprocess/zca.hpp"

namespace sparsecode::cli {

namespace {

struct PatchesArgs {
  std::string images;
  std::string out;
  std::string whiten = "of";
  std::string zca_out;
  std::string zca_in;
  double zca_epsilon = 0.0;
  preprocess::PatchOptions patch;
  bool grid = false;
  bool no_mean_removal = false;
  bool float32 = false;
  bool quiet = false;
  io::ImageReadOptions image_read;
  CLI::Option* count = nullptr;
  CLI::Option* zca = nullptr;
};

void run_patches(PatchesArgs& a) {
  check_output_paths({{"--out", a.out}, {"--zca-out", a.zca_out}}, {{"--zca-in", a.zca_in}});
  if (!a.grid && a.count->count() == 0) {
    throw UsageError("--count is required (unless --grid is given)");
  }
  a.patch.sampling = a.grid ? preprocess::PatchSampling::grid : preprocess::PatchSampling::random;
  a.patch.remove_mean = !a.no_mean_removal;
  try {
    a.patch.validate();
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  // A saved transform is read first so that a bad file fails before the sampling work.
  preprocess::ZcaWhitening zca;
  if (!a.zca_in.empty()) {
    zca = preprocess::ZcaWhitening::load(a.zca_in);
    const auto d = static_cast<core::Index>(a.patch.size) * a.patch.size;
    if (zca.matrix().rows() != d) {
      throw std::runtime_error(a.zca_in + ": ZCA transform is for d = " +
                               std::to_string(zca.matrix().rows()) + ", but --size " +
                               std::to_string(a.patch.size) + " gives d = " + std::to_string(d));
    }
  }
  io::ImageSet set = load_images_reporting(a.images, a.quiet, a.image_read);
  if (a.whiten == "of") {
    set.images = preprocess::whiten_images(set.images);
  }
  core::Matrix<double> patches;
  try {
    patches = preprocess::extract_patches(set.images, a.patch);
  } catch (const std::invalid_argument& e) {
    // The options were validated above: what remains is images too small for --size/--border.
    throw std::runtime_error(a.images + ": " + e.what() + " (see --size, --border)");
  } catch (const core::AllocationError& e) {
    throw std::runtime_error(std::string(e.what()) + "; reduce --count (or --size)");
  }
  if (a.zca->count() > 0) {
    zca.fit(patches, a.zca_epsilon);
  }
  if (zca.fitted()) {
    patches = zca.transform(patches);
  }
  const auto write_patches = [&](const std::filesystem::path& path) {
    if (a.float32) {
      io::save_samples<float>(path, patches.cast<float>());
    } else {
      io::save_samples<double>(path, patches);
    }
  };
  write_with_companion(a.out, write_patches, a.zca_out,
                       [&](const std::filesystem::path& path) { zca.save(path); });
}

}  // namespace

void add_patches_command(CLI::App& app) {
  auto args = std::make_shared<PatchesArgs>();
  PatchesArgs& a = *args;
  CLI::App* cmd = app.add_subcommand("patches", "Sample image patches into an N×P² .npy file");
  cmd->footer(
      "Writes X.npy of shape (N, P*P), samples as rows, each patch row-major, float64 unless "
      "--float32. Random sampling picks an image uniformly (among those that can hold a patch), "
      "then a top-left corner uniformly inside the border; --grid takes every position on the "
      "stride grid instead (images in sorted order, row-major). By default the images are first "
      "whitened as Olshausen & Field (1996) do (see `sparsecode whiten --help`) and each patch "
      "has its own mean removed. --zca EPS fits x -> W(x - mean), W = U (L + EPS I)^(-1/2) U^T, "
      "on the sampled patches and applies it; --zca-out saves it as a (d+1)×d float64 .npy (row "
      "0 the mean, then W) that --zca-in applies to new patches.");
  constexpr std::int64_t int_max = std::numeric_limits<int>::max();
  cmd->add_option("--images", a.images, "Directory of images (PNG, JPEG, PGM, PPM, BMP)")
      ->required()
      ->type_name("DIR");
  cmd->add_option("--out", a.out, "Output .npy file, shape (N, P*P)")
      ->required()
      ->type_name("X.npy");
  cmd->add_option("--size", a.patch.size, "Patch side (patches are P×P)")
      ->required()
      ->type_name("P")
      ->check(integer_in(1, int_max));
  a.count = cmd->add_option("--count", a.patch.count, "Number of random patches (required unless --grid)")
                ->type_name("N")
                ->check(integer_in(1, std::numeric_limits<std::int64_t>::max()));
  cmd->add_option("--whiten", a.whiten, "Whole-image whitening before sampling: of (Olshausen-Field) or none")
      ->capture_default_str()
      ->type_name("MODE")
      ->check(CLI::IsMember({"of", "none"}));
  a.zca = cmd->add_option("--zca", a.zca_epsilon,
                          "Fit ZCA whitening with regulariser EPS on the patches and apply it")
              ->type_name("EPS")
              ->check(real_at_least(0.0));
  cmd->add_option("--zca-out", a.zca_out, "Save the fitted ZCA transform (with --zca)")
      ->type_name("T.npy")
      ->needs(a.zca);
  cmd->add_option("--zca-in", a.zca_in, "Apply a ZCA transform saved with --zca-out")
      ->type_name("T.npy")
      ->excludes(a.zca);
  cmd->add_option("--border", a.patch.border, "Pixels excluded at every image edge")
      ->capture_default_str()
      ->type_name("B")
      ->check(integer_in(0, int_max));
  cmd->add_option("--seed", a.patch.seed, "Random sampling seed (unsigned 64-bit)")
      ->capture_default_str()
      ->type_name("S")
      ->check(unsigned_integer());
  CLI::Option* grid =
      cmd->add_flag("--grid", a.grid, "Take every patch on a stride grid instead of --count random ones");
  a.count->excludes(grid);
  cmd->add_option("--stride", a.patch.stride, "Grid step in pixels (with --grid)")
      ->capture_default_str()
      ->type_name("S")
      ->check(integer_in(1, int_max))
      ->needs(grid);
  cmd->add_flag("--no-mean-removal", a.no_mean_removal, "Keep each patch's mean");
  cmd->add_flag("--contrast", a.patch.normalize_contrast,
                "Contrast normalisation: divide each patch by sqrt(variance + (10/255)^2)");
  cmd->add_flag("--float32", a.float32, "Write float32 instead of float64");
  add_max_pixels_option(cmd, a.image_read);
  cmd->add_flag("--quiet", a.quiet, "Do not print warnings about skipped files");
  cmd->callback([args] { run_patches(*args); });
}

}  // namespace sparsecode::cli
