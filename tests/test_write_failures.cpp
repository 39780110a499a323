// Every writer checks its writes: a full disk (/dev/full) fails with the file's name and leaves no file.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "sparsecode/io/image_io.hpp"
#include "sparsecode/io/npy.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;

namespace {

std::size_t entries(const fs::path& dir) {
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}));
}

/// Runs the CLI with stderr captured; returns the exit status.
int run_cli(const std::string& args, const fs::path& err_log) {
  const std::string command = std::string("\"") + SPARSECODE_CLI_PATH + "\" " + args + " >/dev/null 2>\"" +
                              err_log.string() + "\"";
  const int raw = std::system(command.c_str());
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("PNG and NPY writers fail on a full disk, naming the file") {
  const sparsecode::test::TempDir dir("write_full");
  fs::create_symlink("/dev/full", dir / "full.png");
  fs::create_symlink("/dev/full", dir / "full.npy");
  const std::vector<unsigned char> pixels(64 * 64, 128);
  CHECK_THROWS_WITH_AS(sparsecode::io::write_png_gray8(dir / "full.png", 64, 64, pixels),
                       doctest::Contains("full.png"), std::runtime_error);
  CHECK_THROWS_WITH_AS(sparsecode::io::save_samples<double>(dir / "full.npy", sparsecode::Matrix<double>::Ones(8, 8)),
                       doctest::Contains("full.npy"), std::runtime_error);
  CHECK(entries(dir.path()) == 2);  // the two links, nothing else
}

TEST_CASE("cli whiten: a PNG preview that cannot be written fails with exit 1 and leaves no output") {
  const sparsecode::test::TempDir dir("write_full_cli");
  fs::create_directories(dir / "images");
  std::vector<unsigned char> pixels(32 * 32);
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<unsigned char>(i * 37);
  sparsecode::io::write_png_gray8(dir / "images" / "a.png", 32, 32, pixels);
  fs::create_symlink("/dev/full", dir / "preview.png");
  const std::string args = "whiten --images \"" + (dir / "images").string() + "\" --out \"" +
                           (dir / "w.npy").string() + "\" --png \"" + (dir / "preview.png").string() + "\"";
  CHECK(run_cli(args, dir / "err.txt") == 1);
  CHECK(read_text(dir / "err.txt").find("preview.png") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "w.npy"));
  CHECK(fs::is_symlink(dir / "preview.png"));
  CHECK(entries(dir.path()) == 3);  // images/, preview.png, err.txt

  // The outputs may be devices: written directly, and the device stays one.
  CHECK(run_cli("whiten --images \"" + (dir / "images").string() + "\" --out /dev/null --png /dev/null",
                dir / "err.txt") == 0);
  CHECK(fs::is_character_file("/dev/null"));
}
