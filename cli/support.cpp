// Helpers shared by the subcommands: strict number validators, HxW parsing, image loading, paired outputs.
#include "cli/support.hpp"

#include <charconv>
#include <cmath>
#include <iostream>
#include <limits>
#include <sstream>
#include <system_error>

#include "cli/commands.hpp"
#include "sparsecode/core/atomic_file.hpp"

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
  std::error_code error;
  // Two outputs may both be a device such as /dev/null: those are written directly, not replaced.
  const auto type = std::filesystem::status(main, error).type();
  const bool device = type == std::filesystem::file_type::character ||
                      type == std::filesystem::file_type::fifo;
  if (!device && std::filesystem::weakly_canonical(main, error) ==
                     std::filesystem::weakly_canonical(companion, error)) {
    throw UsageError("two outputs name the same file: " + main.string());
  }
  core::write_atomically(companion, [&](const std::filesystem::path& tmp) {
    write_companion(tmp);
    write_main(main);
  });
}

}  // namespace sparsecode::cli
