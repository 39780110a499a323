// Decompression bombs: an image whose header declares too many pixels is refused before decoding.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "sparsecode/io/checksum.hpp"
#include "sparsecode/io/image_io.hpp"
#include "cli_run.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;

namespace {

std::vector<char> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void put_be32(std::vector<char>& bytes, std::size_t at, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<char>((value >> (24 - 8 * i)) & 0xff);
}

/// A small valid PNG whose IHDR is rewritten (with a correct CRC) to declare width × height.
void write_bomb(const fs::path& path, std::uint32_t width, std::uint32_t height) {
  sparsecode::io::write_png_gray8(path, 16, 16, std::vector<unsigned char>(256, 7));
  std::vector<char> png = read_bytes(path);
  put_be32(png, 16, width);   // 8-byte signature, chunk length, "IHDR", then width and height
  put_be32(png, 20, height);
  put_be32(png, 29, sparsecode::io::crc32(png.data() + 12, 17));  // CRC of "IHDR" + 13 data bytes
  std::ofstream(path, std::ios::binary).write(png.data(), static_cast<std::streamsize>(png.size()));
}

}  // namespace

TEST_CASE("images: a PNG declaring 20000x20000 pixels is refused from its header, at once") {
  const sparsecode::test::TempDir dir("image_bomb");
  write_bomb(dir / "bomb.png", 20000, 20000);
  const auto start = std::chrono::steady_clock::now();
  CHECK_THROWS_WITH_AS(sparsecode::io::load_image(dir / "bomb.png"),
                       doctest::Contains("declares 20000x20000 pixels, more than the limit of 268435456"),
                       std::runtime_error);
  MESSAGE("refused in " << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() << " s");
}

TEST_CASE("images: the pixel cap applies to every format and can be raised or lowered") {
  const sparsecode::test::TempDir dir("image_cap");
  sparsecode::io::write_png_gray8(dir / "a.png", 16, 8, std::vector<unsigned char>(128, 200));
  std::ofstream(dir / "b.pgm", std::ios::binary) << "P5\n16 8\n255\n" << std::string(128, 'x');
  sparsecode::io::ImageReadOptions small;
  small.max_pixels = 127;
  for (const char* name : {"a.png", "b.pgm"}) {
    CHECK_THROWS_WITH_AS(sparsecode::io::load_image(dir / name, small), doctest::Contains(name), std::runtime_error);
    small.max_pixels = 128;
    CHECK(sparsecode::io::load_image(dir / name, small).pixels.size() == 128);
    small.max_pixels = 127;
  }
  CHECK_THROWS_AS(sparsecode::io::load_image_directory(dir.path(), small), std::runtime_error);
  small.max_pixels = 0;
  CHECK_THROWS_WITH_AS(sparsecode::io::load_image(dir / "a.png", small), doctest::Contains("max_pixels"),
                       std::invalid_argument);
}

TEST_CASE("cli: --max-pixels caps the images read by patches and whiten (exit 1 naming the file)") {
  using sparsecode::test::quoted;
  const sparsecode::test::TempDir dir("image_cap_cli");
  fs::create_directories(dir / "images");
  sparsecode::test::write_test_png(dir / "images" / "a.png", 32, 32);
  for (const std::string command : {"patches --size 8 --count 5", "whiten"}) {
    const std::string base = command + " --images " + quoted(dir / "images") + " --out " + quoted(dir / "x.npy");
    const auto refused = sparsecode::test::run_cli(base + " --max-pixels 1000", dir.path());
    CHECK(refused.status == 1);
    CHECK(refused.err.find("a.png") != std::string::npos);
    CHECK(refused.err.find("1000") != std::string::npos);
    CHECK_FALSE(fs::exists(dir / "x.npy"));
    CHECK(sparsecode::test::run_cli(base + " --max-pixels 1024", dir.path()).status == 0);
    fs::remove(dir / "x.npy");
  }
}
