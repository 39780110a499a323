// Tests for patch extraction: determinism per seed, border, uniform positions, grid count, normalisation.
#include <doctest/doctest.h>

#include <omp.h>

#include <cmath>
#include <map>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "sparsecode/preprocess/patches.hpp"

using sparsecode::preprocess::extract_patches;
using sparsecode::io::Image;
using sparsecode::Index;
using sparsecode::Matrix;
using sparsecode::preprocess::PatchOptions;
using sparsecode::preprocess::PatchSampling;

namespace {

constexpr double sentinel = -1.0;

/// An image whose interior pixel (r, c) holds tag + r·1000 + c (so a patch's first value
/// tells which image and corner it came from) and whose `border` outer pixels hold `sentinel`.
Image coded_image(Index height, Index width, int border, double tag) {
  Image image{"coded", Matrix<double>(height, width)};
  for (Index r = 0; r < height; ++r) {
    for (Index c = 0; c < width; ++c) {
      const bool inside = r >= border && c >= border && r < height - border && c < width - border;
      image.pixels(r, c) = inside ? tag + static_cast<double>(r * 1000 + c) : sentinel;
    }
  }
  return image;
}

Image noise_image(Index height, Index width, unsigned seed) {
  Image image{"noise", Matrix<double>(height, width)};
  std::uint64_t state = seed;
  for (Index i = 0; i < image.pixels.size(); ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;  // LCG: test data only
    image.pixels(i) = static_cast<double>(state >> 11) / 9007199254740992.0;
  }
  return image;
}

struct Corner {
  int image;
  Index row;
  Index col;
  bool operator<(const Corner& o) const {
    return std::tie(image, row, col) < std::tie(o.image, o.row, o.col);
  }
};

Corner decode(double first_value) {
  const auto image = static_cast<int>(first_value / 1e6);
  const auto code = static_cast<Index>(std::llround(first_value - image * 1e6));
  return {image, code / 1000, code % 1000};
}

PatchOptions raw_options(int size, long long count, std::uint64_t seed) {
  PatchOptions o;
  o.size = size;
  o.count = count;
  o.seed = seed;
  o.remove_mean = false;
  return o;
}

}  // namespace

TEST_CASE("random patches are a function of the seed alone, and different seeds differ") {
  const std::vector<Image> images{noise_image(20, 30, 1), noise_image(25, 18, 2)};
  const PatchOptions o = raw_options(5, 200, 42);
  const Matrix<double> a = extract_patches(images, o);
  const Matrix<double> b = extract_patches(images, o);
  CHECK(a.rows() == 25);
  CHECK(a.cols() == 200);
  CHECK(a == b);
  PatchOptions other = o;
  other.seed = 43;
  CHECK(extract_patches(images, other) != a);
}

TEST_CASE("random patches are identical with 1 and 2 OpenMP threads") {
  const std::vector<Image> images{noise_image(40, 40, 3), noise_image(30, 50, 4)};
  PatchOptions o = raw_options(6, 500, 7);
  o.remove_mean = true;
  o.normalize_contrast = true;
  const int previous = omp_get_max_threads();
  omp_set_num_threads(1);
  const Matrix<double> one = extract_patches(images, o);
  omp_set_num_threads(2);
  const Matrix<double> two = extract_patches(images, o);
  omp_set_num_threads(previous);
  CHECK(one == two);
}

TEST_CASE("random patches respect the border and cover every allowed position about uniformly") {
  const int border = 2;
  const int p = 3;
  // Image 0: 8×9 → 2×3 corners; image 1: 9×8 → 3×2 corners; image 2 too small for any.
  const std::vector<Image> images{coded_image(8, 9, border, 0.0), coded_image(9, 8, border, 1e6),
                                  coded_image(6, 40, border, 2e6)};
  const long long n = 12000;
  PatchOptions o = raw_options(p, n, 11);
  o.border = border;
  const Matrix<double> patches = extract_patches(images, o);
  CHECK((patches.array() != sentinel).all());

  std::map<Corner, int> counts;
  bool inside = true;
  for (Index j = 0; j < patches.cols(); ++j) {
    const Corner at = decode(patches(0, j));
    counts[at] += 1;
    const Index height = images[static_cast<std::size_t>(at.image)].pixels.rows();
    const Index width = images[static_cast<std::size_t>(at.image)].pixels.cols();
    inside = inside && at.image < 2 && at.row >= border && at.col >= border &&
             at.row + p <= height - border && at.col + p <= width - border;
  }
  CHECK(inside);
  // 6 corners per eligible image, images chosen with probability 1/2: each corner has p = 1/12.
  // Binomial standard deviation sqrt(n·p·(1−p)) ≈ 30; allow 5 of them.
  CHECK(counts.size() == 12);
  for (const auto& [corner, count] : counts) {
    CHECK(std::abs(count - static_cast<double>(n) / 12.0) < 150.0);
  }
}

TEST_CASE("grid patches: every stride position inside the border, images in order, row-major") {
  const int border = 1;
  const int p = 4;
  const int stride = 3;
  const std::vector<Image> images{coded_image(17, 12, border, 0.0), coded_image(9, 20, border, 1e6),
                                  coded_image(5, 5, border, 2e6)};
  PatchOptions o = raw_options(p, 0, 0);
  o.sampling = PatchSampling::grid;
  o.stride = stride;
  o.border = border;
  const Matrix<double> patches = extract_patches(images, o);

  std::vector<Corner> expected;
  for (int i = 0; i < static_cast<int>(images.size()); ++i) {
    const Index height = images[static_cast<std::size_t>(i)].pixels.rows();
    const Index width = images[static_cast<std::size_t>(i)].pixels.cols();
    for (Index r = border; r + p <= height - border; r += stride) {
      for (Index c = border; c + p <= width - border; c += stride) {
        expected.push_back({i, r, c});
      }
    }
  }
  // Closed form: Σ_images (⌊(H − 2b − p)/s⌋ + 1)(⌊(W − 2b − p)/s⌋ + 1) = 4·3 + 2·5 + 0.
  CHECK(expected.size() == (11 / 3 + 1) * (6 / 3 + 1) + (3 / 3 + 1) * (14 / 3 + 1));
  REQUIRE(patches.cols() == static_cast<Index>(expected.size()));
  for (Index j = 0; j < patches.cols(); ++j) {
    const Corner at = decode(patches(0, j));
    const Corner& want = expected[static_cast<std::size_t>(j)];
    CHECK(at.image == want.image);
    CHECK(at.row == want.row);
    CHECK(at.col == want.col);
    // The patch is row-major: element r·p + c is pixel (row + r, col + c).
    CHECK(decode(patches(p * (p - 1) + 1, j)).row == want.row + p - 1);
    CHECK(decode(patches(p * (p - 1) + 1, j)).col == want.col + 1);
  }
  CHECK((patches.array() != sentinel).all());
}

TEST_CASE("mean removal and contrast normalisation act on each patch separately") {
  const std::vector<Image> images{noise_image(30, 30, 5)};
  const PatchOptions raw = raw_options(5, 100, 9);
  const Matrix<double> x = extract_patches(images, raw);

  PatchOptions centred = raw;
  centred.remove_mean = true;
  const Matrix<double> m = extract_patches(images, centred);
  PatchOptions normalised = centred;
  normalised.normalize_contrast = true;
  normalised.contrast_epsilon = 0.01;
  const Matrix<double> c = extract_patches(images, normalised);

  for (Index j = 0; j < x.cols(); ++j) {
    const double mean = x.col(j).mean();
    const double variance = (x.col(j).array() - mean).square().mean();
    CHECK(std::abs(m.col(j).mean()) < 1e-14);
    CHECK((m.col(j).array() - (x.col(j).array() - mean)).abs().maxCoeff() < 1e-14);
    // (x − μ)/sqrt(σ² + ε) has variance σ²/(σ² + ε) and keeps its direction.
    CHECK(c.col(j).squaredNorm() / 25.0 == doctest::Approx(variance / (variance + 0.01)));
    CHECK((c.col(j) * std::sqrt(variance + 0.01) - m.col(j)).cwiseAbs().maxCoeff() < 1e-12);
  }
}

TEST_CASE("patch options are validated with messages naming the field") {
  const std::vector<Image> images{noise_image(10, 10, 1)};
  const auto throws_naming = [&](const PatchOptions& o, const std::string& field) {
    try {
      (void)extract_patches(images, o);
      FAIL("no exception for " << field);
    } catch (const std::invalid_argument& e) {
      CHECK(std::string(e.what()).find(field) != std::string::npos);
    }
  };
  PatchOptions o = raw_options(3, 10, 0);
  o.size = 0;
  throws_naming(o, "size");
  o = raw_options(3, 0, 0);
  throws_naming(o, "count");
  o = raw_options(3, 10, 0);
  o.stride = 0;
  throws_naming(o, "stride");
  o = raw_options(3, 10, 0);
  o.border = -1;
  throws_naming(o, "border");
  o = raw_options(3, 10, 0);
  o.normalize_contrast = true;
  o.contrast_epsilon = 0.0;
  throws_naming(o, "contrast_epsilon");
  o = raw_options(3, 10, 0);
  o.border = 4;  // 10 − 8 = 2 < 3: no room
  throws_naming(o, "border");
  o.sampling = PatchSampling::grid;
  throws_naming(o, "border");
  CHECK_THROWS_AS((void)extract_patches({}, raw_options(3, 10, 0)), std::invalid_argument);
  o = raw_options(10, 1, 0);  // exactly the image: one position
  CHECK(extract_patches(images, o).col(0) ==
        Eigen::Map<const Eigen::VectorXd>(Matrix<double>(images[0].pixels.transpose()).data(), 100));
}
