// `sparsecode whiten`: Olshausen–Field whitening of every image of a directory into one .npy file (+ PNG preview).
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/support.hpp"
#include "sparsecode/viz/montage.hpp"
#include "sparsecode/io/npy.hpp"
#include "sparsecode/preprocess/whitening.hpp"

namespace sparsecode::cli {

namespace {

struct WhitenArgs {
  std::string images;
  std::string out;
  std::string png;
  bool quiet = false;
  io::ImageReadOptions image_read;
};

/// Throws a data error naming the first image whose size differs from the first one's.
void require_one_size(const std::vector<io::Image>& images) {
  const core::Matrix<double>& first = images.front().pixels;
  for (const io::Image& image : images) {
    if (image.pixels.rows() != first.rows() || image.pixels.cols() != first.cols()) {
      throw std::runtime_error(image.name + ": size " + std::to_string(image.pixels.rows()) + "x" +
                               std::to_string(image.pixels.cols()) + " differs from " +
                               images.front().name + " (" + std::to_string(first.rows()) + "x" +
                               std::to_string(first.cols()) + "); whiten needs images of one size");
    }
  }
}

/// Stacks equally sized images as the columns of an (H·W)×n matrix, each image row-major, so
/// that save_samples writes the n×(H·W) array documented in --help.
core::Matrix<double> stack_row_major(const std::vector<io::Image>& images) {
  const core::Index h = images.front().pixels.rows();
  const core::Index w = images.front().pixels.cols();
  core::Matrix<double> stacked(h * w, static_cast<core::Index>(images.size()));
  for (std::size_t i = 0; i < images.size(); ++i) {
    // The transpose of a column-major H×W matrix has the row-major layout.
    const core::Matrix<double> transposed = images[i].pixels.transpose();
    stacked.col(static_cast<core::Index>(i)) =
        Eigen::Map<const core::Vector<double>>(transposed.data(), h * w);
  }
  return stacked;
}

void run_whiten(const WhitenArgs& a) {
  check_output_paths({{"--out", a.out}, {"--png", a.png}});
  const io::ImageSet set = load_images_reporting(a.images, a.quiet, a.image_read);
  require_one_size(set.images);
  const std::vector<io::Image> whitened = preprocess::whiten_images(set.images);
  const core::Matrix<double> stacked = stack_row_major(whitened);
  viz::MontageOptions preview;
  preview.patch_height = static_cast<int>(whitened.front().pixels.rows());
  preview.patch_width = static_cast<int>(whitened.front().pixels.cols());
  write_with_companion(
      a.out, [&](const std::filesystem::path& path) { io::save_samples(path, stacked); },
      a.png,
      [&](const std::filesystem::path& path) {
        viz::write_montage_png(path, stacked, preview);
      });
}

}  // namespace

void add_whiten_command(CLI::App& app) {
  auto args = std::make_shared<WhitenArgs>();
  CLI::App* cmd =
      app.add_subcommand("whiten", "Whiten whole images (Olshausen & Field) into one .npy file");
  cmd->footer(
      "Each image has its mean removed, its 2-D spectrum multiplied by R(f) = f·exp(-(f/f0)^4) "
      "with f in cycles/image and f0 = 0.4·N (N the image side), and all images are scaled by "
      "one common factor to pooled pixel variance 0.1 (Olshausen & Field 1996). All images must "
      "have the same size H×W. W.npy is a float64 array of shape (n_images, H*W): row i is "
      "image i (sorted file-name order) in row-major order, the samples-as-rows layout of every "
      "sparsecode .npy file; `sparsecode montage --dict W.npy --patch-shape HxW` displays it.");
  cmd->add_option("--images", args->images, "Directory of images (PNG, JPEG, PGM, PPM, BMP)")
      ->required()
      ->type_name("DIR");
  cmd->add_option("--out", args->out, "Output .npy file, shape (n_images, H*W)")
      ->required()
      ->type_name("W.npy");
  cmd->add_option("--png", args->png,
                  "Also write a preview: the whitened images on a grid, each scaled to its own "
                  "max |value| with zero at mid-grey")
      ->type_name("FILE.png");
  add_max_pixels_option(cmd, args->image_read);
  cmd->add_flag("--quiet", args->quiet, "Do not print warnings about skipped files");
  cmd->callback([args] { run_whiten(*args); });
}

}  // namespace sparsecode::cli
