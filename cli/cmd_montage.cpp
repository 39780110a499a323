// `sparsecode montage`: render a dictionary (k×d .npy, atoms as rows) as a grid of patches in a PNG.
#include <cmath>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "cli/commands.hpp"
#include "cli/support.hpp"
#include "sparsecode/viz/montage.hpp"
#include "sparsecode/io/npy.hpp"

namespace sparsecode::cli {

namespace {

struct MontageArgs {
  std::string dict;
  std::string out;
  std::string patch_shape;
  int scale = 1;
};

void run_montage(const MontageArgs& a) {
  check_output_paths({{"--out", a.out}}, {{"--dict", a.dict}});
  viz::MontageOptions options;
  options.scale = a.scale;
  if (!a.patch_shape.empty()) {
    const PatchShape shape = parse_patch_shape(a.patch_shape, "--patch-shape");
    options.patch_height = shape.height;
    options.patch_width = shape.width;
  }
  // load_samples gives the d×k matrix whose columns are the atoms.
  const core::Matrix<double> atoms =
      io::load_samples<double>(a.dict, io::NpyConversion::allow_float_conversion);
  const core::Index d = atoms.rows();
  if (a.patch_shape.empty()) {
    const auto side = static_cast<core::Index>(std::llround(std::sqrt(static_cast<double>(d))));
    if (side * side != d) {
      throw std::runtime_error(a.dict + ": atoms have d = " + std::to_string(d) +
                               ", not a perfect square; give --patch-shape HxW");
    }
  } else if (static_cast<core::Index>(options.patch_height) * options.patch_width != d) {
    throw std::runtime_error(a.dict + ": atoms have d = " + std::to_string(d) +
                             ", which --patch-shape " + a.patch_shape + " does not match");
  }
  viz::write_montage_png(a.out, atoms, options);
}

}  // namespace

void add_montage_command(CLI::App& app) {
  auto args = std::make_shared<MontageArgs>();
  CLI::App* cmd = app.add_subcommand("montage", "Render a dictionary's atoms as a PNG grid");
  cmd->footer(
      "D.npy is k×d (atoms as rows, float64 or float32), each atom a patch stored row-major. "
      "Atoms are drawn on a near-square grid with 1-pixel black borders, each scaled to its own "
      "max |value| with zero at mid-grey, as Olshausen & Field display filters. d must be a "
      "perfect square unless --patch-shape is given.");
  cmd->add_option("--dict", args->dict, "Dictionary .npy file, shape (k, d)")
      ->required()
      ->type_name("D.npy");
  cmd->add_option("--out", args->out, "Output PNG file")->required()->type_name("FILE.png");
  cmd->add_option("--scale", args->scale, "Integer up-scaling of every patch pixel")
      ->capture_default_str()
      ->type_name("K")
      ->check(integer_in(1, 64));
  cmd->add_option("--patch-shape", args->patch_shape,
                  "Patch height and width (default: square, sqrt(d) on each side)")
      ->type_name("HxW");
  cmd->callback([args] { run_montage(*args); });
}

}  // namespace sparsecode::cli
