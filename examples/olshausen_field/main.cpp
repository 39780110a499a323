// Olshausen & Field (1996) reproduction: whitened natural-image patches -> sparse dictionary of localized,
// oriented, band-pass filters; writes D.npy, filters.png, the learning curve and the atom statistics.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "sparsecode/core/random.hpp"
#include "sparsecode/viz/atom_statistics.hpp"
#include "sparsecode/sparse/learning_curve.hpp"
#include "sparsecode/io/image_io.hpp"
#include "sparsecode/sparse/learner_progress.hpp"
#include "sparsecode/viz/montage.hpp"
#include "sparsecode/io/npy.hpp"
#include "sparsecode/sparse/online_learner.hpp"
#include "sparsecode/preprocess/patches.hpp"
#include "sparsecode/preprocess/whitening.hpp"

namespace sp = sparsecode::sparse;

namespace {

struct Medians {
  double spread, orientation, band;
};

Medians medians(const std::vector<sparsecode::viz::AtomShape>& shapes) {
  auto median = [&](auto field) {
    std::vector<double> v;
    for (const auto& s : shapes) v.push_back(field(s));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
    return v[v.size() / 2];
  };
  return {median([](const sparsecode::viz::AtomShape& s) { return s.spatial_spread; }),
          median([](const sparsecode::viz::AtomShape& s) { return s.orientation_concentration; }),
          median([](const sparsecode::viz::AtomShape& s) { return s.band_fraction; })};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Olshausen-Field reproduction: learn a sparse dictionary from whitened natural-image patches"};
  std::string images = SPARSECODE_DATA_DIR;
  std::string out = "out/olshausen_field";
  int side = 12;
  long long atoms = 144;
  long long count = 100000;
  long long epochs = 3;
  double lambda = 0;
  app.add_option("--images", images, "Image directory")->capture_default_str();
  app.add_option("--out", out, "Output directory")->capture_default_str();
  app.add_option("--patch", side, "Patch side (12 or 16 in the README)")->capture_default_str()->check(CLI::Range(2, 64));
  app.add_option("--atoms", atoms, "Number of atoms")->capture_default_str()->check(CLI::Range(1LL, 100000LL));
  app.add_option("--count", count, "Number of patches")->capture_default_str()->check(CLI::Range(1LL, 100000000LL));
  app.add_option("--epochs", epochs, "Passes over the patches")->capture_default_str()->check(CLI::Range(1LL, 1000LL));
  app.add_option("--lambda", lambda, "λ (default: 0.05 · side, see README)")->check(CLI::NonNegativeNumber);
  CLI11_PARSE(app, argc, argv);
  // λ: with images whitened to pixel variance 0.1, λ = 0.6 for 12×12 patches gives about 5% of
  // 144 atoms active per code (we scanned λ ∈ {0.3, 0.6}: 16 vs 7.8 non-zeros). Patch norms grow
  // like the side, so λ is scaled with it: λ = 0.05 · side.
  if (lambda == 0) lambda = 0.05 * side;

  try {
    std::filesystem::create_directories(out);
    const auto set = sparsecode::io::load_image_directory(images);
    const auto white = sparsecode::preprocess::whiten_images(set.images);
    sparsecode::preprocess::PatchOptions po;
    po.size = side;
    po.count = count;
    po.seed = 1;
    sparsecode::Matrix<double> patches = sparsecode::preprocess::extract_patches(white, po);
    const sparsecode::Index heldout_count = std::min<sparsecode::Index>(5000, patches.cols() / 10);
    const sparsecode::Matrix<double> heldout = patches.rightCols(heldout_count);
    const sparsecode::Matrix<double> train = patches.leftCols(patches.cols() - heldout_count);

    sp::OnlineLearnerOptions o;
    o.atoms = atoms;
    o.coding.penalty.lambda = lambda;
    o.batch_size = 256;
    o.seed = 1;
    o.stop.epochs = epochs;
    o.dictionary.max_sweeps = 3;
    o.evaluate_every = std::max<long long>(1, train.cols() / (10 * o.batch_size));
    sp::OnlineLearner learner(o);
    std::vector<sp::LearnerProgress> rows;
    const auto summary = learner.fit(train, heldout, [&](const sp::LearnerProgress& p) {
      rows.push_back(p);
      if (!std::isnan(p.heldout_objective)) {
        std::printf("iter %6lld  samples %9lld  held-out %.5f  nnz %.2f  replaced %lld  %.1fs\n", p.iteration,
                    p.samples_seen, p.heldout_objective, p.mean_nonzeros, p.atoms_replaced, p.seconds);
      }
      return sp::CallbackResult::proceed;
    });
    const std::filesystem::path dir(out);
    sparsecode::io::save_samples<double>(dir / "D.npy", learner.dictionary());
    sparsecode::viz::MontageOptions m;
    m.scale = 3;
    sparsecode::viz::write_montage_png(dir / "filters.png", learner.dictionary(), m);
    sp::write_progress_csv(dir / "curve.csv", rows);
    sp::write_learning_curve_png(dir / "curve.png", rows);

    std::mt19937_64 rng(7);
    sparsecode::Matrix<double> random(side * side, atoms);
    for (sparsecode::Index i = 0; i < random.size(); ++i) random.data()[i] = sparsecode::core::standard_normal(rng);
    const Medians learned = medians(sparsecode::viz::atom_shapes(learner.dictionary(), side));
    const Medians reference = medians(sparsecode::viz::atom_shapes(random, side));
    std::printf("\n%dx%d patches, k = %lld, lambda = %.3f: %s after %lld samples, %.1f s\n", side, side, atoms,
                lambda, sp::to_string(summary.termination).c_str(), summary.last.samples_seen, summary.last.seconds);
    std::printf("held-out objective %.5f, mean non-zeros %.2f, atoms replaced %lld\n",
                summary.best_heldout_objective, summary.last.mean_nonzeros, summary.last.atoms_replaced);
    std::printf("median atom statistic      learned   random\n");
    std::printf("spatial spread (lower=localized)  %.3f   %.3f\n", learned.spread, reference.spread);
    std::printf("orientation concentration  %.3f   %.3f\n", learned.orientation, reference.orientation);
    std::printf("mid-band energy fraction   %.3f   %.3f\n", learned.band, reference.band);
    std::printf("wrote %s/{D.npy, filters.png, curve.csv, curve.png}\n", out.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "olshausen_field: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
