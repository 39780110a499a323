// Every writer checks its writes: a full disk (/dev/full) fails with the file's name and leaves no file.
#include <doctest/doctest.h>

#include <filesystem>
#include <iterator>
#include <string>
#include <vector>

#include "sparsecode/io/image_io.hpp"
#include "sparsecode/io/npy.hpp"
#include "cli_run.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;

namespace {

std::size_t entries(const fs::path& dir) {
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}));
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
  using sparsecode::test::quoted;
  const sparsecode::test::TempDir dir("write_full_cli");
  fs::create_directories(dir / "images");
  sparsecode::test::write_test_png(dir / "images" / "a.png", 32, 32);
  fs::create_symlink("/dev/full", dir / "preview.png");
  const auto r = sparsecode::test::run_cli("whiten --images " + quoted(dir / "images") + " --out " +
                                               quoted(dir / "w.npy") + " --png " + quoted(dir / "preview.png"),
                                           dir.path());
  CHECK(r.status == 1);
  CHECK(r.err.find("preview.png") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "w.npy"));
  CHECK(fs::is_symlink(dir / "preview.png"));
  CHECK(entries(dir.path()) == 2);  // images/ and preview.png

  // The outputs may be devices: written directly, and the device stays one.
  CHECK(sparsecode::test::run_cli("whiten --images " + quoted(dir / "images") + " --out /dev/null --png /dev/null",
                                  dir.path()).status == 0);
  CHECK(fs::is_character_file("/dev/null"));
}
