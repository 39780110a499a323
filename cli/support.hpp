// Helpers shared by the subcommands: strict number validators, HxW parsing, image loading, paired outputs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "sparsecode/core/types.hpp"
#include "sparsecode/io/image_io.hpp"

namespace sparsecode::cli {

/// A decimal integer in [min, max] (no octal/hex, no sign for unsigned use); CLI11 reports a
/// violation as a usage error naming the option. The string is rewritten in canonical form.
CLI::Validator integer_in(std::int64_t min, std::int64_t max);

/// A decimal unsigned 64-bit integer (e.g. a seed); "-1" is rejected instead of wrapping.
CLI::Validator unsigned_integer();

/// A finite real number >= min.
CLI::Validator real_at_least(double min);

/// A patch shape "HxW" with H, W >= 1.
struct PatchShape {
  int height = 0;
  int width = 0;
};

/// Parses "HxW" (e.g. "8x12"); throws UsageError naming `option` on bad syntax or a value < 1.
PatchShape parse_patch_shape(const std::string& text, const std::string& option);

/// Loads every image of `dir`, printing each skipped-file warning on stderr unless `quiet`.
io::ImageSet load_images_reporting(const std::filesystem::path& dir, bool quiet,
                                   const io::ImageReadOptions& options = {});

/// Adds `--max-pixels N` (the largest image decoded, io::ImageReadOptions::max_pixels) to a
/// command that reads images.
void add_max_pixels_option(CLI::App* cmd, io::ImageReadOptions& options);

/// Writes a main output and an optional companion file so that on any failure neither is
/// left behind (or replaced): the companion is written to a temporary file, the main output
/// is written atomically, then the companion is renamed into place. `companion` may be empty.
/// The two paths were checked before the work (check_output_paths).
void write_with_companion(
    const std::filesystem::path& main, const std::function<void(const std::filesystem::path&)>& write_main,
    const std::filesystem::path& companion,
    const std::function<void(const std::filesystem::path&)>& write_companion);

/// (option name, path) pairs of one command, e.g. {"--out", "codes.npy"}; empty paths are skipped.
using NamedPaths = std::vector<std::pair<std::string, std::filesystem::path>>;

/// Checks, before any work, that every non-empty output path can be written: it names a file,
/// its directory exists and is writable, it is not a directory itself, no two outputs name the
/// same file and no output names an input (also through a symbolic or hard link). Character
/// devices and FIFOs (e.g. /dev/null) may be named more than once. Throws UsageError naming
/// the options.
void check_output_paths(const NamedPaths& outputs, const NamedPaths& inputs = {});

/// The row length d of an N×d .npy file, read from its header (0 if the array is not 2-D);
/// throws std::runtime_error naming the file if it cannot be read.
core::Index npy_row_length(const std::filesystem::path& path);

/// Throws UsageError naming `option` unless d (> 0) is a perfect square, i.e. atoms or weight
/// rows of d values can be shown as square patches (d = 0, unknown, passes).
void check_square_patches(const std::string& option, core::Index d);

/// Writes every file whose path is non-empty, all or nothing: each is written to a temporary
/// file and renamed into place only after all later ones were written (nested
/// core::write_atomically). A writer receives the temporary path.
using OutputWriter = std::function<void(const std::filesystem::path&)>;
void write_all_or_nothing(const std::vector<std::pair<std::filesystem::path, OutputWriter>>& files);

/// The tail of a progress line: "  42.0%  ETA 1m05s" for `fraction` done (in [0, 1]), the
/// remaining time estimated from the rate since this process started (`start_fraction` done
/// then, `elapsed_seconds` ago); only the percentage until that rate is known.
std::string percent_and_eta(double fraction, double start_fraction, double elapsed_seconds);

/// True when `path` ends in ".npz" (any case): codes are then written as scipy CSR.
bool is_npz_path(const std::filesystem::path& path);

/// Writes codes (k×N, one per column) as an N×k file chosen by the extension of `path`:
/// scipy's sparse CSR .npz (io::save_csr_npz) for ".npz", a dense .npy otherwise. Atomic.
template <class T>
void save_codes(const std::filesystem::path& path, const core::Matrix<T>& codes);

}  // namespace sparsecode::cli
