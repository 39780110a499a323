// Olshausen–Field check at small size: atoms learned from whitened natural images are localized,
// oriented and band-pass compared with random atoms (measured, not only looked at).
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "sparsecode/core/random.hpp"
#include "sparsecode/viz/atom_statistics.hpp"
#include "sparsecode/io/image_io.hpp"
#include "sparsecode/sparse/online_learner.hpp"
#include "sparsecode/preprocess/patches.hpp"
#include "sparsecode/preprocess/whitening.hpp"

using namespace sparsecode::sparse;
using namespace sparsecode::core;
using namespace sparsecode::io;
using namespace sparsecode::preprocess;
using namespace sparsecode::viz;

namespace {

template <class F>
double median_of(const std::vector<AtomShape>& shapes, F field) {
  std::vector<double> v;
  for (const auto& s : shapes) v.push_back(field(s));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

}  // namespace

TEST_CASE("online learner: atoms from whitened natural images are localized, oriented and band-pass") {
  const int side = 8;
  const auto set = load_image_directory(SPARSECODE_DATA_DIR);
  const auto white = whiten_images(set.images);
  PatchOptions po;
  po.size = side;
  po.count = 6000;
  po.seed = 11;
  const Matrix<double> patches = extract_patches(white, po);

  OnlineLearnerOptions o;
  o.atoms = 32;
  // λ scaled from the 12×12 example (0.6, about 5% non-zeros) by the patch side.
  o.coding.penalty.lambda = 0.4;
  o.batch_size = 128;
  o.seed = 2;
  o.stop.epochs = 2;
  o.dictionary.max_sweeps = 3;
  OnlineLearner learner(o);
  learner.fit(patches, Matrix<double>());
  const auto learned = atom_shapes(learner.dictionary(), side);

  std::mt19937_64 rng(99);
  Matrix<double> random(side * side, 128);
  for (Index i = 0; i < random.size(); ++i) random.data()[i] = standard_normal(rng);
  const auto reference = atom_shapes(random, side);

  const auto spread = [](const AtomShape& s) { return s.spatial_spread; };
  const auto orient = [](const AtomShape& s) { return s.orientation_concentration; };
  const auto band = [](const AtomShape& s) { return s.band_fraction; };
  MESSAGE("spatial spread " << median_of(learned, spread) << " vs random " << median_of(reference, spread));
  MESSAGE("orientation " << median_of(learned, orient) << " vs random " << median_of(reference, orient));
  MESSAGE("band fraction " << median_of(learned, band) << " vs random " << median_of(reference, band));
  CHECK(median_of(learned, spread) < 0.9 * median_of(reference, spread));
  CHECK(median_of(learned, orient) > 2.0 * median_of(reference, orient));
  CHECK(median_of(learned, band) > 1.3 * median_of(reference, band));
}
