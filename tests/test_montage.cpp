// Tests for the dictionary montage: exact pixels from the documented rule, shapes, options, PNG.
#include <doctest/doctest.h>

#include <stb_image.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "sparsecode/viz/montage.hpp"
#include "temp_dir.hpp"

using sparsecode::viz::GrayImage;
using sparsecode::Matrix;
using sparsecode::viz::MontageOptions;
using sparsecode::viz::render_montage;
using sparsecode::viz::write_montage_png;

namespace {

struct Geometry {
  int patch_h;
  int patch_w;
  int columns;
  int rows;
};

// The documented rule, evaluated independently for one output pixel (x, y): borders and unused
// cells are 0; otherwise the atom's value v maps to round(127.5 + 127.5·v/max|v|) (128 if zero).
int expected_pixel(const Matrix<double>& atoms, const Geometry& g, const MontageOptions& o, int x,
                   int y) {
  const int stride_x = g.patch_w * o.scale + o.border;
  const int stride_y = g.patch_h * o.scale + o.border;
  const int in_x = x % stride_x;
  const int in_y = y % stride_y;
  if (in_x < o.border || in_y < o.border) return 0;
  const int cell = (y / stride_y) * g.columns + x / stride_x;
  if (cell >= atoms.cols()) return 0;
  const int pr = (in_y - o.border) / o.scale;
  const int pc = (in_x - o.border) / o.scale;
  const double peak = atoms.col(cell).cwiseAbs().maxCoeff();
  if (peak == 0.0) return 128;
  return static_cast<int>(std::lround(127.5 + 127.5 * atoms(pr * g.patch_w + pc, cell) / peak));
}

void check_against_rule(const Matrix<double>& atoms, const Geometry& g, const MontageOptions& o) {
  const GrayImage image = render_montage(atoms, o);
  REQUIRE(image.width == g.columns * (g.patch_w * o.scale + o.border) + o.border);
  REQUIRE(image.height == g.rows * (g.patch_h * o.scale + o.border) + o.border);
  REQUIRE(image.pixels.size() == static_cast<std::size_t>(image.width * image.height));
  int mismatches = 0;
  for (int y = 0; y < image.height; ++y)
    for (int x = 0; x < image.width; ++x)
      if (image.pixels[static_cast<std::size_t>(y * image.width + x)] != expected_pixel(atoms, g, o, x, y))
        ++mismatches;
  CHECK(mismatches == 0);
}

Matrix<double> random_atoms(int d, int k, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Matrix<double> atoms(d, k);
  for (int j = 0; j < k; ++j)
    for (int i = 0; i < d; ++i) atoms(i, j) = static_cast<double>(rng() >> 11) * 0x1.0p-52 - 1.0;
  return atoms;
}

}  // namespace

TEST_CASE("montage: two 2x2 atoms, exact pixels worked out by hand from the rule") {
  Matrix<double> atoms(4, 2);
  atoms.col(0) << 1.0, -1.0, 0.0, 0.5;     // max |v| = 1
  atoms.col(1) << 0.25, -0.5, 0.0, -0.25;  // max |v| = 0.5
  const GrayImage image = render_montage(atoms);
  // ceil(sqrt(2)) = 2 columns, 1 row; 2·(2 + 1) + 1 = 7 wide, 1·(2 + 1) + 1 = 4 high.
  REQUIRE(image.width == 7);
  REQUIRE(image.height == 4);
  // 0.5/1 -> 127.5 + 63.75 = 191.25 -> 191; 0.25/0.5 -> 191.25 -> 191; -0.25/0.5 -> 63.75 -> 64.
  const std::vector<unsigned char> expected = {
      0, 0,   0,   0, 0,   0,   0,  //
      0, 255, 0,   0, 191, 0,   0,  //
      0, 128, 191, 0, 128, 64,  0,  //
      0, 0,   0,   0, 0,   0,   0};
  CHECK(image.pixels == expected);
}

TEST_CASE("montage: random atoms on a partly filled grid with up-scaling match the rule") {
  MontageOptions options;
  options.scale = 2;
  check_against_rule(random_atoms(9, 5, 3), {3, 3, 3, 2}, options);  // 5 atoms: 3 columns, 2 rows
  options.scale = 3;
  options.border = 0;
  check_against_rule(random_atoms(16, 10, 4), {4, 4, 4, 3}, options);
  options = MontageOptions{};
  options.border = 2;
  check_against_rule(random_atoms(4, 1, 5), {2, 2, 1, 1}, options);
}

TEST_CASE("montage: each atom on its own scale, zero atom at mid-grey, float equals double") {
  Matrix<double> atoms = random_atoms(9, 4, 6);
  atoms.col(1) *= std::ldexp(1.0, -20);  // exact rescaling: the same picture
  atoms.col(2).setZero();
  const Matrix<double> unscaled = [&] {
    Matrix<double> m = atoms;
    m.col(1) *= std::ldexp(1.0, 20);
    return m;
  }();
  const GrayImage image = render_montage(atoms);
  CHECK(image.pixels == render_montage(unscaled).pixels);
  const Geometry g{3, 3, 2, 2};
  check_against_rule(atoms, g, {});
  for (int y = 0; y < 3; ++y)  // atom 2: grid row 1, column 0
    for (int x = 0; x < 3; ++x) CHECK(image.pixels[static_cast<std::size_t>((5 + y) * image.width + 1 + x)] == 128);
  const Matrix<float> as_float = atoms.cast<float>();
  CHECK(render_montage(as_float).pixels == image.pixels);
}

TEST_CASE("montage: non-square d needs the patch shape, shapes that do not fit are rejected") {
  const Matrix<double> atoms = random_atoms(6, 3, 7);
  CHECK_THROWS_WITH_AS(render_montage(atoms), doctest::Contains("d = 6"), std::invalid_argument);
  MontageOptions options;
  options.patch_height = 2;
  check_against_rule(atoms, {2, 3, 2, 2}, options);
  options = MontageOptions{};
  options.patch_width = 2;
  check_against_rule(atoms, {3, 2, 2, 2}, options);
  options.patch_height = 3;
  check_against_rule(atoms, {3, 2, 2, 2}, options);
  options.patch_height = 2;  // 2x2 != 6
  CHECK_THROWS_WITH_AS(render_montage(atoms, options), doctest::Contains("d = 6"), std::invalid_argument);
  options = MontageOptions{};
  options.patch_width = 4;  // 6 is not divisible by 4
  CHECK_THROWS_WITH_AS(render_montage(atoms, options), doctest::Contains("d = 6"), std::invalid_argument);
}

TEST_CASE("montage: invalid options and dictionaries are rejected naming the problem") {
  const Matrix<double> atoms = random_atoms(4, 2, 8);
  const auto check_field = [&](const MontageOptions& options, const std::string& field) {
    CHECK_THROWS_WITH_AS(render_montage(atoms, options), doctest::Contains(field.c_str()), std::invalid_argument);
  };
  MontageOptions o;
  o.scale = 0;
  check_field(o, "scale");
  o = MontageOptions{};
  o.border = -1;
  check_field(o, "border");
  o = MontageOptions{};
  o.patch_height = -2;
  check_field(o, "patch_height");
  o = MontageOptions{};
  o.patch_width = -2;
  check_field(o, "patch_width");
  o = MontageOptions{};
  o.scale = 1 << 20;
  check_field(o, "scale");
  CHECK_THROWS_AS(render_montage(Matrix<double>(4, 0)), std::invalid_argument);
  CHECK_THROWS_AS(render_montage(Matrix<double>(0, 3)), std::invalid_argument);
  Matrix<double> bad = atoms;
  bad(1, 1) = std::nan("");
  CHECK_THROWS_WITH_AS(render_montage(bad), doctest::Contains("non-finite"), std::invalid_argument);
}

TEST_CASE("montage: the PNG holds exactly the rendered pixels, a failed write leaves no file") {
  const sparsecode::test::TempDir dir("montage_png");
  const Matrix<double> atoms = random_atoms(25, 7, 9);
  MontageOptions options;
  options.scale = 2;
  const GrayImage image = render_montage(atoms, options);
  const std::filesystem::path path = dir / "filters.png";
  write_montage_png(path, atoms, options);
  int w = 0;
  int h = 0;
  int n = 0;
  unsigned char* back = stbi_load(path.c_str(), &w, &h, &n, 0);
  REQUIRE(back != nullptr);
  CHECK(w == image.width);
  CHECK(h == image.height);
  CHECK(n == 1);
  CHECK(std::vector<unsigned char>(back, back + static_cast<std::ptrdiff_t>(w) * h) == image.pixels);
  stbi_image_free(back);

  options.scale = 0;
  CHECK_THROWS_AS(write_montage_png(dir / "bad.png", atoms, options), std::invalid_argument);
  CHECK_FALSE(std::filesystem::exists(dir / "bad.png"));
  const Matrix<float> as_float = atoms.cast<float>();
  CHECK_THROWS_AS(write_montage_png(dir / "missing" / "f.png", as_float), std::runtime_error);
}
