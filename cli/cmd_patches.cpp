// `sparsecode patches`: sample (optionally whitened) image patches into an N×P² .npy file, with optional ZCA.
#include <filesystem>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>

#include "cli/commands.hpp"
#include "cli/support.hpp"
#include "sparse/npy.hpp"
#include "sparse/patches.hpp"
#include "sparse/whitening.hpp"
#include "sparse/zca.hpp"

namespace sparsecode::cli {

namespace {

struct PatchesArgs {
  std::string images;
  std::string out;
  std::string whiten = "of";
  std::string zca_out;
  std::string zca_in;
  double zca_epsilon = 0.0;
  sparse::PatchOptions patch;
  bool grid = false;
  bool no_mean_removal = false;
  bool float32 = false;
  bool quiet = false;
  CLI::Option* count = nullptr;
  CLI::Option* zca = nullptr;
};

void run_patches(PatchesArgs& a) {
  if (!a.grid && a.count->count() == 0) {
    throw UsageError("--count is required (unless --grid is given)");
  }
  a.patch.sampling = a.grid ? sparse::PatchSampling::grid : sparse::PatchSampling::random;
  a.patch.remove_mean = !a.no_mean_removal;
  try {
    a.patch.validate();
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  // A saved transform is read first so that a bad file fails before the sampling work.
  sparse::ZcaWhitening zca;
  if (!a.zca_in.empty()) {
    zca = sparse::ZcaWhitening::load(a.zca_in);
    const auto d = static_cast<sparse::Index>(a.patch.size) * a.patch.size;
    if (zca.matrix().rows() != d) {
      throw std::runtime_error(a.zca_in + ": ZCA transform is for d = " +
                               std::to_string(zca.matrix().rows()) + ", but --size " +
                               std::to_string(a.patch.size) + " gives d = " + std::to_string(d));
    }
  }
  sparse::ImageSet set = load_images_reporting(a.images, a.quiet);
  if (a.whiten == "of") {
    set.images = sparse::whiten_images(set.images);
  }
  sparse::Matrix<double> patches = sparse::extract_patches(set.images, a.patch);
  if (a.zca->count() > 0) {
    zca.fit(patches, a.zca_epsilon);
  }
  if (zca.fitted()) {
    patches = zca.transform(patches);
  }
  const auto write_patches = [&](const std::filesystem::path& path) {
    if (a.float32) {
      sparse::save_samples<float>(path, patches.cast<float>());
    } else {
      sparse::save_samples<double>(path, patches);
    }
  };
  write_with_companion(a.out, write_patches, a.zca_out,
                       [&](const std::filesystem::path& path) { zca.save(path); });
}

}  // namespace

void add_patches_command(CLI::App& app) {
  auto args = std::make_shared<PatchesArgs>();
  PatchesArgs& a = *args;
  CLI::App* cmd = app.add_subcommand(
      "patches",
      "Sample P×P patches from the images of a directory into an N×P² .npy file (samples as "
      "rows, each patch row-major; float64 unless --float32). By default the images are first "
      "whitened as Olshausen & Field (1996) do and each patch has its mean removed.");
  constexpr std::int64_t int_max = std::numeric_limits<int>::max();
  cmd->add_option("--images", a.images, "Directory of images (PNG, JPEG, PGM, BMP)")->required();
  cmd->add_option("--out", a.out, "Output .npy file (N×P²)")->required();
  cmd->add_option("--size", a.patch.size, "Patch side P (patches are P×P)")
      ->required()
      ->check(integer_in(1, int_max));
  a.count = cmd->add_option("--count", a.patch.count, "Number of random patches N")
                ->check(integer_in(1, std::numeric_limits<std::int64_t>::max()));
  cmd->add_option("--whiten", a.whiten, "Whole-image whitening before sampling: of | none")
      ->capture_default_str()
      ->check(CLI::IsMember({"of", "none"}));
  a.zca = cmd->add_option("--zca", a.zca_epsilon,
                          "Fit ZCA whitening with regulariser EPS on the sampled patches and "
                          "apply it")
              ->check(real_at_least(0.0));
  cmd->add_option("--zca-out", a.zca_out, "Save the fitted ZCA transform ((d+1)×d .npy: mean, W)")
      ->needs(a.zca);
  cmd->add_option("--zca-in", a.zca_in, "Apply a ZCA transform saved with --zca-out")
      ->excludes(a.zca);
  cmd->add_option("--border", a.patch.border, "Pixels excluded at every image edge")
      ->capture_default_str()
      ->check(integer_in(0, int_max));
  cmd->add_option("--seed", a.patch.seed, "Random sampling seed")
      ->capture_default_str()
      ->check(unsigned_integer());
  CLI::Option* grid =
      cmd->add_flag("--grid", a.grid, "Take every patch on a stride grid instead of --count random ones");
  a.count->excludes(grid);
  cmd->add_option("--stride", a.patch.stride, "Grid step in pixels (with --grid)")
      ->capture_default_str()
      ->check(integer_in(1, int_max))
      ->needs(grid);
  cmd->add_flag("--no-mean-removal", a.no_mean_removal, "Keep each patch's mean");
  cmd->add_flag("--contrast", a.patch.normalize_contrast,
                "Contrast normalisation: divide each patch by sqrt(variance + (10/255)²)");
  cmd->add_flag("--float32", a.float32, "Write float32 instead of float64");
  cmd->add_flag("--quiet", a.quiet, "Do not print warnings about skipped files");
  cmd->callback([args] { run_patches(*args); });
}

}  // namespace sparsecode::cli
