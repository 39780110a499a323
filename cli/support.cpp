// Helpers shared by the subcommands: strict number validators, HxW parsing, image loading, paired outputs.
#include "cli/support.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <limits>
#include <sstream>
#include <system_error>

#include <unistd.h>

#include "cli/commands.hpp"
#include "sparsecode/core/atomic_file.hpp"
#include "sparsecode/io/npy.hpp"
#include "sparsecode/io/npz.hpp"

namespace sparsecode::cli {

namespace {

/// Parses all of `text` as a base-10 number of type T; false on any leftover or overflow.
template <class T>
bool parse_decimal(const std::string& text, T& value) {
  const char* first = text.data();
  const char* last = first + text.size();
  if (first != last && *first == '+') {
    ++first;  // from_chars rejects a leading '+', people still write it
  }
  const auto [end, error] = std::from_chars(first, last, value);
  return error == std::errc() && end == last && first != last;
}

/// Shortest natural decimal form ("0", "0.5"), unlike std::to_string's "0.000000".
std::string format_number(double value) {
  std::ostringstream text;
  text << value;
  return text.str();
}

}  // namespace

CLI::Validator integer_in(std::int64_t min, std::int64_t max) {
  const bool unbounded = max == std::numeric_limits<int>::max() ||
                         max == std::numeric_limits<std::int64_t>::max();
  const std::string description = unbounded ? ">= " + std::to_string(min)
                                            : "in [" + std::to_string(min) + ", " +
                                                  std::to_string(max) + "]";
  return CLI::Validator(
      [min, max](std::string& input) -> std::string {
        std::int64_t value = 0;
        if (!parse_decimal(input, value) || value < min || value > max) {
          return "must be an integer in [" + std::to_string(min) + ", " + std::to_string(max) +
                 "], got '" + input + "'";
        }
        input = std::to_string(value);  // CLI11 would read "010" as octal
        return {};
      },
      description);
}

CLI::Validator unsigned_integer() {
  return CLI::Validator(
      [](std::string& input) -> std::string {
        std::uint64_t value = 0;
        if (input.empty() || input.front() == '-' || !parse_decimal(input, value)) {
          return "must be an unsigned 64-bit decimal integer, got '" + input + "'";
        }
        input = std::to_string(value);
        return {};
      },
      "");
}

CLI::Validator real_at_least(double min) {
  return CLI::Validator(
      [min](std::string& input) -> std::string {
        double value = 0.0;
        if (!parse_decimal(input, value) || !std::isfinite(value) || value < min) {
          return "must be a finite number >= " + format_number(min) + ", got '" + input + "'";
        }
        return {};
      },
      ">= " + format_number(min));
}

PatchShape parse_patch_shape(const std::string& text, const std::string& option) {
  const auto x = text.find('x');
  PatchShape shape;
  if (x == std::string::npos || !parse_decimal(text.substr(0, x), shape.height) ||
      !parse_decimal(text.substr(x + 1), shape.width) || shape.height < 1 || shape.width < 1) {
    throw UsageError(option + ": expected HxW with positive integers (e.g. 8x8), got '" + text +
                     "'");
  }
  return shape;
}

io::ImageSet load_images_reporting(const std::filesystem::path& dir, bool quiet,
                                   const io::ImageReadOptions& options) {
  io::ImageSet set = io::load_image_directory(dir, options);
  if (!quiet) {
    for (const std::string& warning : set.warnings) {
      std::cerr << "sparsecode: warning: " << warning << '\n';
    }
  }
  return set;
}

void add_max_pixels_option(CLI::App* cmd, io::ImageReadOptions& options) {
  cmd->add_option("--max-pixels", options.max_pixels,
                  "Refuse images whose header declares more than N pixels (width × height), "
                  "before decoding them")
      ->capture_default_str()
      ->type_name("N")
      ->check(integer_in(1, std::numeric_limits<std::int64_t>::max()));
}

void write_with_companion(
    const std::filesystem::path& main,
    const std::function<void(const std::filesystem::path&)>& write_main,
    const std::filesystem::path& companion,
    const std::function<void(const std::filesystem::path&)>& write_companion) {
  if (companion.empty()) {
    write_main(main);
    return;
  }
  core::write_atomically(companion, [&](const std::filesystem::path& tmp) {
    write_companion(tmp);
    write_main(main);
  });
}

namespace {

/// The same file: equivalent when both exist (links included), else equal canonical paths.
bool same_file(const std::filesystem::path& a, const std::filesystem::path& b) {
  std::error_code error;
  if (std::filesystem::exists(a, error) && std::filesystem::exists(b, error)) {
    return std::filesystem::equivalent(a, b, error);
  }
  return std::filesystem::weakly_canonical(a, error) == std::filesystem::weakly_canonical(b, error);
}

bool is_stream(const std::filesystem::path& p) {
  std::error_code error;
  const auto type = std::filesystem::status(p, error).type();
  return type == std::filesystem::file_type::character || type == std::filesystem::file_type::fifo;
}

}  // namespace

void check_output_paths(const NamedPaths& outputs, const NamedPaths& inputs) {
  namespace fs = std::filesystem;
  NamedPaths seen;
  for (const auto& [option, path] : outputs) {
    if (path.empty()) continue;
    if (path.filename().empty()) throw UsageError(option + ": '" + path.string() + "' does not name a file");
    std::error_code error;
    const fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
    if (!fs::is_directory(dir, error)) {
      throw UsageError(option + ": directory '" + dir.string() + "' does not exist");
    }
    if (fs::is_directory(path, error)) throw UsageError(option + ": '" + path.string() + "' is a directory");
    if (::access(dir.c_str(), W_OK) != 0) {
      throw UsageError(option + ": cannot write into directory '" + dir.string() + "'");
    }
    for (const auto& [input_option, input] : inputs) {
      if (!input.empty() && same_file(path, input)) {
        throw UsageError(option + " '" + path.string() + "' would overwrite the input " + input_option + " '" +
                         input.string() + "'");
      }
    }
    if (!is_stream(path)) {
      for (const auto& [other, other_path] : seen) {
        if (same_file(path, other_path)) {
          throw UsageError(option + " and " + other + " name the same file: " + path.string());
        }
      }
    }
    seen.emplace_back(option, path);
  }
}

core::Index npy_row_length(const std::filesystem::path& path) {
  const io::NpyHeader header = io::read_npy_header(path);
  return header.shape.size() == 2 ? static_cast<core::Index>(header.shape[1]) : 0;
}

void check_square_patches(const std::string& option, core::Index d) {
  const auto side = static_cast<core::Index>(std::llround(std::sqrt(static_cast<double>(d))));
  if (d > 0 && side * side != d) {
    throw UsageError(option + " needs square patches, but d = " + std::to_string(d) + " is not a perfect square");
  }
}

namespace {

void write_from(const std::vector<std::pair<std::filesystem::path, OutputWriter>>& files, std::size_t next) {
  if (next == files.size()) return;
  if (files[next].first.empty()) {
    write_from(files, next + 1);
    return;
  }
  core::write_atomically(files[next].first, [&](const std::filesystem::path& tmp) {
    files[next].second(tmp);
    write_from(files, next + 1);
  });
}

}  // namespace

void write_all_or_nothing(const std::vector<std::pair<std::filesystem::path, OutputWriter>>& files) {
  write_from(files, 0);
}

std::string percent_and_eta(double fraction, double start_fraction, double elapsed_seconds) {
  char text[64];
  std::snprintf(text, sizeof text, "  %.1f%%", 100.0 * fraction);
  std::string line = text;
  if (fraction > start_fraction && elapsed_seconds > 0.0 && fraction < 1.0) {
    const double remaining = elapsed_seconds * (1.0 - fraction) / (fraction - start_fraction);
    const auto s = static_cast<long long>(std::llround(std::min(remaining, 1e9)));
    if (s < 60) std::snprintf(text, sizeof text, "  ETA %llds", s);
    else if (s < 3600) std::snprintf(text, sizeof text, "  ETA %lldm%02llds", s / 60, s % 60);
    else std::snprintf(text, sizeof text, "  ETA %lldh%02lldm", s / 3600, (s % 3600) / 60);
    line += text;
  }
  return line;
}

bool is_npz_path(const std::filesystem::path& path) {
  std::string extension = path.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension == ".npz";
}

template <class T>
void save_codes(const std::filesystem::path& path, const core::Matrix<T>& codes) {
  if (is_npz_path(path)) {
    io::save_csr_npz(path, codes, io::NpzOptions{});
  } else {
    io::save_samples(path, codes);
  }
}

template void save_codes<float>(const std::filesystem::path&, const core::Matrix<float>&);
template void save_codes<double>(const std::filesystem::path&, const core::Matrix<double>&);

}  // namespace sparsecode::cli
