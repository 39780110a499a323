// Runs the `sparsecode` executable for a test and captures its exit status and stderr; writes small test PNGs.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "sparsecode/io/image_io.hpp"

namespace sparsecode::test {

struct CliResult {
  int status = -1;  ///< exit status (-1 if killed by a signal)
  std::string err;  ///< everything written on stderr
};

/// Runs `sparsecode <args>` (args are passed to the shell as written), stdout discarded,
/// stderr captured through a file in `scratch`.
inline CliResult run_cli(const std::string& args, const std::filesystem::path& scratch) {
  const std::filesystem::path err_log = scratch / "cli_stderr.txt";
  const std::string command = std::string("\"") + SPARSECODE_CLI_PATH + "\" " + args + " >/dev/null 2>\"" +
                              err_log.string() + "\"";
  const int raw = std::system(command.c_str());
  CliResult result;
  result.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  std::ifstream in(err_log);
  result.err.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  std::filesystem::remove(err_log);
  return result;
}

/// A width × height 8-bit PNG of varied, deterministic pixels.
inline void write_test_png(const std::filesystem::path& path, int width, int height) {
  std::vector<unsigned char> pixels(static_cast<std::size_t>(width) * static_cast<std::size_t>(height));
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<unsigned char>((i * 7919) % 251);
  io::write_png_gray8(path, width, height, pixels);
}

/// `"path"` for a shell command line.
inline std::string quoted(const std::filesystem::path& path) {
  std::string text(1, '"');  // appending avoids GCC 12's false -Wrestrict on "\"" + string
  text.append(path.string());
  text.push_back('"');
  return text;
}

}  // namespace sparsecode::test
