// Encoding benchmark: every solver on whitened 12×12 patches of the embedded images, k = 256 data atoms.
// Writes D.npy, X.npy, lambda.txt, codes A_<name>.npy and ours.tsv into --out for encode_vs_sklearn.py.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "sparsecode/sparse/encoder.hpp"
#include "sparsecode/io/image_io.hpp"
#include "sparsecode/io/npy.hpp"
#include "sparsecode/preprocess/patches.hpp"
#include "sparsecode/core/threads.hpp"
#include "sparsecode/preprocess/whitening.hpp"

namespace sp = sparsecode::sparse;

namespace {

struct Run {
  std::string name;
  sp::EncodeOptions options;
};

// Mean number of non-zeros of LARS codes of the first 1000 patches at `lambda`.
double mean_nonzeros(const sparsecode::Matrix<double>& dict, const sparsecode::Matrix<double>& x, double lambda) {
  sp::EncodeOptions o;
  o.solver = sparsecode::solvers::LarsOptions{};
  o.penalty.lambda = lambda;
  sparsecode::Matrix<double> a;
  const sparsecode::Matrix<double> head = x.leftCols(std::min<sparsecode::Index>(1000, x.cols()));
  return sp::encode(dict, head, a, o).mean_nonzeros;
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path out = "bench-encode-out";
  long long count = 20000;
  int threads = 0;
  std::string only;  // run only the solvers whose name starts with this
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--out") out = argv[i + 1];
    else if (flag == "--patches") count = std::atoll(argv[i + 1]);
    else if (flag == "--threads") threads = std::atoi(argv[i + 1]);
    else if (flag == "--only") only = argv[i + 1];
    else {
      std::fprintf(stderr, "usage: bench_encode [--out DIR] [--patches N] [--threads T] [--only PREFIX]\n");
      return 2;
    }
  }
  std::filesystem::create_directories(out);

  // Whitened images (Olshausen & Field), 12×12 patches: the signals, and 256 other patches,
  // normalised, as the dictionary.
  const sparsecode::io::ImageSet set = sparsecode::io::load_image_directory(SPARSECODE_DATA_DIR);
  const std::vector<sparsecode::io::Image> white = sparsecode::preprocess::whiten_images(set.images);
  sparsecode::preprocess::PatchOptions po;
  po.size = 12;
  po.count = count;
  po.seed = 1;
  const sparsecode::Matrix<double> x = sparsecode::preprocess::extract_patches(white, po);
  po.count = 256;
  po.seed = 2;
  sparsecode::Matrix<double> dict = sparsecode::preprocess::extract_patches(white, po);
  for (sparsecode::Index j = 0; j < dict.cols(); ++j) dict.col(j).normalize();

  // λ by bisection on the LARS non-zero count, aiming at 12 (within 10–15).
  double lo = 0.0;
  double hi = (dict.transpose() * x.leftCols(1000)).cwiseAbs().maxCoeff();
  double lambda = 0.5 * (lo + hi);
  for (int it = 0; it < 30; ++it) {
    lambda = 0.5 * (lo + hi);
    const double nnz = mean_nonzeros(dict, x, lambda);
    if (nnz > 12.5) lo = lambda;
    else if (nnz < 11.5) hi = lambda;
    else break;
  }
  sparsecode::io::save_samples(out / "D.npy", dict);
  sparsecode::io::save_samples(out / "X.npy", x);
  std::ofstream(out / "lambda.txt") << lambda << '\n';

  namespace so = sparsecode::solvers;
  std::vector<Run> runs;
  auto add = [&](const std::string& name, const so::SolverOptions& solver) {
    Run r{name, {}};
    r.options.solver = solver;
    r.options.penalty.lambda = lambda;
    r.options.threads = threads;
    runs.push_back(r);
  };
  auto cd = [](double tol) {
    so::CoordinateDescentOptions o;
    o.tolerance = tol;
    return o;
  };
  auto proximal = [](so::ProximalMethod method, double tol) {
    so::ProximalGradientOptions o;
    o.method = method;
    o.tolerance = tol;
    return o;
  };
  add("lars", so::LarsOptions{});
  // LARS with every path step in double (the default checks a float path's result in double).
  so::LarsOptions lars_full;
  lars_full.arithmetic = so::Arithmetic::full;
  add("lars_full", lars_full);
  add("fss", so::FeatureSignOptions{});
  add("cd", cd(1e-6));
  add("cd_tol1e-10", cd(1e-10));
  add("fista", proximal(so::ProximalMethod::fista, 1e-6));
  add("fista_tol1e-4", proximal(so::ProximalMethod::fista, 1e-4));
  // FISTA with its products in double throughout (the default computes them in float until the
  // gap nears the tolerance).
  so::ProximalGradientOptions fista_full = proximal(so::ProximalMethod::fista, 1e-4);
  fista_full.arithmetic = so::Arithmetic::full;
  add("fista_full_tol1e-4", fista_full);
  // Plain FISTA: no screening, no face polishing (what the two add, measured side by side).
  so::ProximalGradientOptions plain = proximal(so::ProximalMethod::fista, 1e-4);
  plain.screening = so::ScreeningRule::none;
  plain.polishing = so::FacePolishing::none;
  add("fista_plain_tol1e-4", plain);
  add("ista_tol1e-4", proximal(so::ProximalMethod::ista, 1e-4));
  so::OmpOptions omp;
  omp.max_atoms = 12;
  add("omp_L12", omp);

  std::ofstream tsv(out / "ours.tsv");
  tsv << "name\tseconds\tmean_objective\tmean_nonzeros\tnot_converged\tmax_relative_gap\tmean_iterations\n";
  std::printf("lambda %.6g, %lld patches, d = %lld, k = %lld, threads %d\n", lambda,
              static_cast<long long>(x.cols()), static_cast<long long>(x.rows()),
              static_cast<long long>(dict.cols()), sparsecode::core::resolve_threads(threads));
  for (const Run& r : runs) {
    if (r.name.rfind(only, 0) != 0) continue;
    sparsecode::Matrix<double> codes;
    sp::EncodeSummary best;
    // Best of three runs (the first also warms up caches and thread pools).
    const int reps = so::solver_name(r.options.solver) == "ista" ? 1 : 3;  // ISTA is slow
    for (int rep = 0; rep < reps; ++rep) {
      const sp::EncodeSummary s = sp::encode(dict, x, codes, r.options);
      if (rep == 0 || s.seconds < best.seconds) best = s;
    }
    sparsecode::io::save_samples(out / ("A_" + r.name + ".npy"), codes);
    double iterations = 0.0;
    for (const sp::SampleStatus& st : best.status) iterations += st.iterations;
    iterations /= static_cast<double>(best.status.size());
    tsv << r.name << '\t' << best.seconds << '\t' << best.mean_objective << '\t' << best.mean_nonzeros
        << '\t' << best.not_converged << '\t' << best.max_relative_gap << '\t' << iterations << '\n';
    std::printf("%-14s %8.3f s %10.0f patches/s  objective %.12g  nnz %.2f  not converged %lld  iterations %.1f\n",
                r.name.c_str(), best.seconds, static_cast<double>(x.cols()) / best.seconds,
                best.mean_objective, best.mean_nonzeros, static_cast<long long>(best.not_converged), iterations);
  }
  return 0;
}
