// Tests for image loading (PNG, JPEG, BMP, PGM/PPM; 8/16-bit; luma), directory reading and PNG writing.
#include <doctest/doctest.h>

#include <stb_image.h>
#include <stb_image_write.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "sparsecode/io/image_io.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using sparsecode::io::Image;
using sparsecode::io::load_image;
using sparsecode::io::load_image_directory;
using sparsecode::test::TempDir;

namespace {

// ITU-R BT.601 luma of stored values, scaled by the format's maximum (the documented rule).
double luma(double r, double g, double b, double maxval) {
  return (0.299 * r + 0.587 * g + 0.114 * b) / maxval;
}

// An RGB(A) test pattern with distinct channels: sample(r, c, ch) in 0..255.
unsigned char pattern(int r, int c, int ch) {
  return static_cast<unsigned char>((r * 37 + c * 101 + ch * 83 + 5) % 256);
}

std::vector<unsigned char> interleaved(int width, int height, int channels) {
  std::vector<unsigned char> data;
  for (int r = 0; r < height; ++r)
    for (int c = 0; c < width; ++c)
      for (int ch = 0; ch < channels; ++ch) data.push_back(pattern(r, c, ch));
  return data;
}

void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// Checks that loading fails with a std::runtime_error whose message contains every `parts`.
void check_error_mentions(const fs::path& path, const std::vector<std::string>& parts) {
  try {
    load_image(path);
    FAIL("no exception for " << path);
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    for (const std::string& part : parts) CHECK_MESSAGE(what.find(part) != std::string::npos, what);
  }
}

}  // namespace

TEST_CASE("image_io: 8-bit gray, RGB, RGBA PNG and RGB BMP load as BT.601 luma in [0, 1]") {
  const TempDir dir("image_io_8bit");
  const int w = 5;
  const int h = 3;
  for (int channels : {1, 2, 3, 4}) {
    const auto data = interleaved(w, h, channels);
    const fs::path png = dir / (std::to_string(channels) + "_channels.png");
    REQUIRE(stbi_write_png(png.c_str(), w, h, channels, data.data(), w * channels) != 0);
    const Image image = load_image(png);
    CHECK(image.name == png.string());
    REQUIRE(image.pixels.rows() == h);
    REQUIRE(image.pixels.cols() == w);
    for (int r = 0; r < h; ++r) {
      for (int c = 0; c < w; ++c) {
        // Gray and gray+alpha: the gray value; RGB(A): luma; alpha never matters.
        const double expected = channels >= 3
                                    ? luma(pattern(r, c, 0), pattern(r, c, 1), pattern(r, c, 2), 255)
                                    : pattern(r, c, 0) / 255.0;
        CHECK(image.pixels(r, c) == doctest::Approx(expected).epsilon(1e-12));
      }
    }
  }
  const auto rgb = interleaved(w, h, 3);
  const fs::path bmp = dir / "rgb.bmp";
  REQUIRE(stbi_write_bmp(bmp.c_str(), w, h, 3, rgb.data()) != 0);
  const Image image = load_image(bmp);
  for (int r = 0; r < h; ++r)
    for (int c = 0; c < w; ++c)
      CHECK(image.pixels(r, c) ==
            doctest::Approx(luma(pattern(r, c, 0), pattern(r, c, 1), pattern(r, c, 2), 255))
                .epsilon(1e-12));
}

TEST_CASE("image_io: white stays at most 1 and black is 0") {
  const TempDir dir("image_io_range");
  const std::vector<unsigned char> data = {255, 255, 255, 0, 0, 0};
  const fs::path png = dir / "bw.png";
  REQUIRE(stbi_write_png(png.c_str(), 2, 1, 3, data.data(), 6) != 0);
  const Image image = load_image(png);
  CHECK(image.pixels(0, 0) <= 1.0);
  CHECK(image.pixels(0, 0) == doctest::Approx(1.0).epsilon(1e-15));
  CHECK(image.pixels(0, 1) == 0.0);
}

TEST_CASE("image_io: JPEG loads close to the luma of what was encoded") {
  const TempDir dir("image_io_jpeg");
  const int w = 16;
  const int h = 16;
  std::vector<unsigned char> data;  // smooth gradient: JPEG at quality 100 keeps it closely
  for (int r = 0; r < h; ++r)
    for (int c = 0; c < w; ++c)
      for (int ch = 0; ch < 3; ++ch) data.push_back(static_cast<unsigned char>(40 + 8 * r + 4 * c + 20 * ch));
  const fs::path jpg = dir / "grad.jpg";
  REQUIRE(stbi_write_jpg(jpg.c_str(), w, h, 3, data.data(), 100) != 0);
  const Image image = load_image(jpg);
  REQUIRE(image.pixels.rows() == h);
  REQUIRE(image.pixels.cols() == w);
  double worst = 0.0;
  for (int r = 0; r < h; ++r) {
    for (int c = 0; c < w; ++c) {
      const unsigned char* p = &data[static_cast<std::size_t>((r * w + c) * 3)];
      worst = std::max(worst, std::abs(image.pixels(r, c) - luma(p[0], p[1], p[2], 255)));
    }
  }
  CHECK(worst < 4.0 / 255.0);
}

TEST_CASE("image_io: 16-bit PNG (gray and RGBA, written by an independent encoder) scale by 65535") {
  const fs::path fixtures = SPARSECODE_FIXTURE_DIR;
  const Image gray = load_image(fixtures / "gray16.png");  // see tests/fixtures/make_image_fixtures.py
  REQUIRE(gray.pixels.rows() == 3);
  REQUIRE(gray.pixels.cols() == 4);
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 4; ++c)
      CHECK(gray.pixels(r, c) == doctest::Approx(((4 * r + c) * 5461 + 7) / 65535.0).epsilon(1e-12));
  const Image rgba = load_image(fixtures / "rgba16.png");
  REQUIRE(rgba.pixels.rows() == 2);
  REQUIRE(rgba.pixels.cols() == 3);
  for (int r = 0; r < 2; ++r) {
    for (int c = 0; c < 3; ++c) {
      const auto s = [&](int ch) { return static_cast<double>(((3 * r + c) * 9001 + 1000 * ch + 11) % 65536); };
      CHECK(rgba.pixels(r, c) == doctest::Approx(luma(s(0), s(1), s(2), 65535)).epsilon(1e-12));
    }
  }
}

TEST_CASE("image_io: PGM/PPM binary and ASCII, 8- and 16-bit, scaled by maxval") {
  const TempDir dir("image_io_pnm");
  // P5, 8-bit, with a comment in the header: 3x2 pixels.
  write_bytes(dir / "a.pgm", std::string("P5\n# made by hand\n3 2\n255\n") +
                                 std::string("\x00\x40\x80\xc0\xfe\xff", 6));
  const Image a = load_image(dir / "a.pgm");
  REQUIRE(a.pixels.rows() == 2);
  REQUIRE(a.pixels.cols() == 3);
  const int a_values[6] = {0x00, 0x40, 0x80, 0xc0, 0xfe, 0xff};
  for (int i = 0; i < 6; ++i) CHECK(a.pixels(i / 3, i % 3) == doctest::Approx(a_values[i] / 255.0).epsilon(1e-15));

  // P5, 16-bit big-endian: 2x1 pixels 0x0102 and 0xfffe.
  write_bytes(dir / "b.pgm", std::string("P5 2 1 65535\n") + std::string("\x01\x02\xff\xfe", 4));
  const Image b = load_image(dir / "b.pgm");
  CHECK(b.pixels(0, 0) == doctest::Approx(0x0102 / 65535.0).epsilon(1e-15));
  CHECK(b.pixels(0, 1) == doctest::Approx(0xfffe / 65535.0).epsilon(1e-15));

  // maxval 100 is the white level.
  write_bytes(dir / "c.pgm", std::string("P5 2 1 100\n") + std::string("\x32\x64", 2));
  const Image c = load_image(dir / "c.pgm");
  CHECK(c.pixels(0, 0) == doctest::Approx(0.5).epsilon(1e-15));
  CHECK(c.pixels(0, 1) == doctest::Approx(1.0).epsilon(1e-15));

  // P2 ASCII and P6 colour.
  write_bytes(dir / "d.pgm", "P2\n2 2\n15\n0 5\n10 15\n");
  const Image d = load_image(dir / "d.pgm");
  CHECK(d.pixels(1, 0) == doctest::Approx(10 / 15.0).epsilon(1e-15));
  write_bytes(dir / "e.ppm", std::string("P6 1 1 255\n") + std::string("\x10\x80\xf0", 3));
  const Image e = load_image(dir / "e.ppm");
  CHECK(e.pixels(0, 0) == doctest::Approx(luma(0x10, 0x80, 0xf0, 255)).epsilon(1e-12));

  // Malformed: truncated raster, sample above maxval, bad maxval.
  write_bytes(dir / "short.pgm", std::string("P5 4 4 255\n") + std::string("\x01\x02", 2));
  check_error_mentions(dir / "short.pgm", {"short.pgm", "truncated"});
  write_bytes(dir / "over.pgm", "P2 1 1 10 11\n");
  check_error_mentions(dir / "over.pgm", {"over.pgm", "exceeds maxval"});
  write_bytes(dir / "maxval.pgm", "P5 1 1 70000\n\x01");
  check_error_mentions(dir / "maxval.pgm", {"maxval.pgm", "maxval"});
}

TEST_CASE("image_io: unreadable files are errors naming the file and stb's reason") {
  const TempDir dir("image_io_corrupt");
  // A real PNG cut in half: the signature is right, the compressed data is not complete.
  const std::vector<unsigned char> data = interleaved(8, 8, 3);
  const fs::path whole = dir / "whole.png";
  REQUIRE(stbi_write_png(whole.c_str(), 8, 8, 3, data.data(), 24) != 0);
  const auto size = static_cast<std::streamsize>(fs::file_size(whole));
  std::string bytes(static_cast<std::size_t>(size), '\0');
  std::ifstream(whole, std::ios::binary).read(bytes.data(), size);
  write_bytes(dir / "corrupt.png", bytes.substr(0, bytes.size() / 2));
  check_error_mentions(dir / "corrupt.png", {"corrupt.png", "cannot decode"});
  try {
    load_image(dir / "corrupt.png");
    FAIL("a truncated PNG must not load");
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    const std::string reason = stbi_failure_reason();  // what stb said, appended after ": "
    CHECK(what.size() > reason.size());
    CHECK(what.substr(what.size() - reason.size()) == reason);
  }
  // Unknown content is refused whatever the extension (stb's weak TGA test is never tried).
  write_bytes(dir / "text.png", "this is not a png file at all");
  check_error_mentions(dir / "text.png", {"text.png", "not a PNG, JPEG, BMP, PGM or PPM"});
  write_bytes(dir / "empty.png", "");
  check_error_mentions(dir / "empty.png", {"empty.png", "empty file"});
  check_error_mentions(dir / "missing.png", {"missing.png", "no such file"});
}

TEST_CASE("image_io: a directory is read in sorted order, non-images skipped with a warning") {
  const TempDir dir("image_io_dir");
  const std::vector<unsigned char> one = {10};
  const std::vector<unsigned char> two = {20};
  const std::vector<unsigned char> three = {30};
  REQUIRE(stbi_write_png((dir / "b.png").c_str(), 1, 1, 1, two.data(), 1) != 0);
  REQUIRE(stbi_write_bmp((dir / "C.BMP").c_str(), 1, 1, 1, three.data()) != 0);
  write_bytes(dir / "a.pgm", std::string("P5 1 1 255\n") + static_cast<char>(one[0]));
  write_bytes(dir / "notes.txt", "not an image");
  fs::create_directories(dir / "sub.png");
  const auto set = load_image_directory(dir.path());
  REQUIRE(set.images.size() == 3);
  // Byte order of the file names: upper case sorts before lower case.
  CHECK(fs::path(set.images[0].name).filename() == "C.BMP");
  CHECK(fs::path(set.images[1].name).filename() == "a.pgm");
  CHECK(fs::path(set.images[2].name).filename() == "b.png");
  CHECK(set.images[0].pixels(0, 0) == doctest::Approx(30 / 255.0));
  CHECK(set.images[1].pixels(0, 0) == doctest::Approx(10 / 255.0));
  CHECK(set.images[2].pixels(0, 0) == doctest::Approx(20 / 255.0));
  REQUIRE(set.warnings.size() == 2);
  CHECK(set.warnings[0].find("notes.txt") != std::string::npos);
  CHECK(set.warnings[1].find("sub.png") != std::string::npos);

  write_bytes(dir / "d.jpg", "broken");
  try {
    load_image_directory(dir.path());
    FAIL("a corrupt image in the directory must be an error");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()).find("d.jpg") != std::string::npos);
  }
}

TEST_CASE("image_io: empty, image-less and missing directories are errors naming the directory") {
  const TempDir dir("image_io_emptydir");
  const auto check_dir_error = [](const fs::path& path, const std::string& part) {
    try {
      load_image_directory(path);
      FAIL("no exception for " << path);
    } catch (const std::runtime_error& e) {
      const std::string what = e.what();
      CHECK_MESSAGE(what.find(path.string()) != std::string::npos, what);
      CHECK_MESSAGE(what.find(part) != std::string::npos, what);
    }
  };
  check_dir_error(dir.path(), "no images");
  write_bytes(dir / "readme.md", "no images here");
  check_dir_error(dir.path(), "no images");
  check_dir_error(dir / "nonexistent", "does not exist");
  check_dir_error(dir / "readme.md", "not a directory");
}

TEST_CASE("image_io: the embedded images load (10 images, 512x512, in [0, 1], not constant)") {
  const auto set = load_image_directory(SPARSECODE_DATA_DIR);
  CHECK(set.images.size() == 10);
  CHECK(set.warnings.size() == 1);  // SOURCES.md travels with the images
  for (const Image& image : set.images) {
    CHECK(image.pixels.rows() == 512);
    CHECK(image.pixels.cols() == 512);
    CHECK(image.pixels.minCoeff() >= 0.0);
    CHECK(image.pixels.maxCoeff() <= 1.0);
    CHECK(image.pixels.maxCoeff() - image.pixels.minCoeff() > 0.25);
  }
}

TEST_CASE("image_io: write_png_gray8 round-trips and rejects mismatched sizes") {
  const TempDir dir("image_io_write");
  std::vector<unsigned char> pixels;
  for (int i = 0; i < 12; ++i) pixels.push_back(static_cast<unsigned char>(i * 23));
  const fs::path path = dir / "out.png";
  sparsecode::io::write_png_gray8(path, 4, 3, pixels);
  int w = 0;
  int h = 0;
  int n = 0;
  unsigned char* back = stbi_load(path.c_str(), &w, &h, &n, 0);
  REQUIRE(back != nullptr);
  CHECK(w == 4);
  CHECK(h == 3);
  CHECK(n == 1);
  CHECK(std::vector<unsigned char>(back, back + 12) == pixels);
  stbi_image_free(back);
  CHECK_THROWS_AS(sparsecode::io::write_png_gray8(dir / "bad.png", 5, 3, pixels),
                  std::invalid_argument);
  CHECK_THROWS_AS(sparsecode::io::write_png_gray8(dir / "bad.png", 0, 0, {}),
                  std::invalid_argument);
  CHECK_FALSE(fs::exists(dir / "bad.png"));
  CHECK_THROWS_AS(sparsecode::io::write_png_gray8(dir / "no" / "such" / "dir.png", 4, 3, pixels),
                  std::runtime_error);
}
