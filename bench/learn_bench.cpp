// Benchmark driver for the online learner: timed partial_fit over a file's mini-batches with held-out
// checkpoints, exact held-out evaluation of any dictionary (used for scikit-learn's too), and the time of
// just encoding the same samples (the learner's floor).
#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <type_traits>

#include "sparsecode/sparse/encoder.hpp"
#include "sparsecode/sparse/learner_setup.hpp"
#include "sparsecode/io/npy.hpp"
#include "sparsecode/sparse/online_learner.hpp"

namespace sp = sparsecode::sparse;

namespace {

// Mean ½‖x − Da‖² + λ‖a‖₁ over the held-out samples, codes exact (LARS, the default coding).
double heldout_objective(const sparsecode::Matrix<double>& dictionary, const sparsecode::Matrix<double>& heldout, double lambda,
                         int threads) {
  sp::EncodeOptions o = sp::default_coding();
  o.penalty.lambda = lambda;
  o.threads = threads;
  sparsecode::Matrix<double> d = dictionary;
  sp::normalize_atoms(d);
  sparsecode::Matrix<double> codes;
  return sp::encode(d, heldout, codes, o).mean_objective;
}

int usage() {
  std::fprintf(stderr,
               "usage: learn_bench train X.npy H.npy ATOMS LAMBDA BATCH SAMPLES EVAL_EVERY THREADS OUT_PREFIX [key=value...]\n"
               "       keys: sweeps (BCD sweeps per mini-batch, default 1), rho (beta_t = (1 - 1/t)^rho\n"
               "       weighting instead of the mini-batch rule), replace (unused-atom window, -1 never), seed,\n"
               "       chunk (the coder's chunk size), float32 (1: learn in single precision, as learn --float32)\n"
               "       learn_bench eval D.npy H.npy LAMBDA THREADS\n"
               "       learn_bench encode D.npy X.npy LAMBDA SAMPLES THREADS [float32]  (seconds and CPU seconds of\n"
               "       coding the first SAMPLES rows of X with the learner's solver: the learner's floor)\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "eval" && argc == 6) {
      const auto d = sparsecode::io::load_samples<double>(argv[2], sparsecode::io::NpyConversion::allow_float_conversion);
      const auto h = sparsecode::io::load_samples<double>(argv[3], sparsecode::io::NpyConversion::allow_float_conversion);
      std::printf("%.10g\n", heldout_objective(d, h, std::atof(argv[4]), std::atoi(argv[5])));
      return 0;
    }
    if (mode == "encode" && (argc == 7 || (argc == 8 && std::string(argv[7]) == "float32"))) {
      const auto d = sparsecode::io::load_samples<double>(argv[2], sparsecode::io::NpyConversion::allow_float_conversion);
      const auto x = sparsecode::io::load_samples<double>(argv[3], sparsecode::io::NpyConversion::allow_float_conversion);
      sp::EncodeOptions o = sp::default_coding();
      o.penalty.lambda = std::atof(argv[4]);
      o.threads = std::atoi(argv[6]);
      const long long samples = std::min<long long>(std::atoll(argv[5]), x.cols());
      const sparsecode::Matrix<double> first = x.leftCols(samples);
      // The coding alone is timed, in the inputs' precision (float32: converted before the clock).
      const auto timed = [&o](const auto& dictionary, const auto& signals) {
        std::decay_t<decltype(signals)> codes;
        const auto t0 = std::chrono::steady_clock::now();
        const std::clock_t c0 = std::clock();
        sp::encode(dictionary, signals, codes, o);
        const double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
        std::printf("%.6f,%.6f\n", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), cpu);
      };
      if (argc == 8) {
        timed(sparsecode::Matrix<float>(d.cast<float>()), sparsecode::Matrix<float>(first.cast<float>()));
      } else {
        timed(d, first);
      }
      return 0;
    }
    if (mode != "train" || argc < 11) return usage();
    const auto x = sparsecode::io::load_samples<double>(argv[2], sparsecode::io::NpyConversion::allow_float_conversion);
    const auto h = sparsecode::io::load_samples<double>(argv[3], sparsecode::io::NpyConversion::allow_float_conversion);
    sp::OnlineLearnerOptions o;
    o.atoms = std::atol(argv[4]);
    o.coding.penalty.lambda = std::atof(argv[5]);
    o.batch_size = std::atol(argv[6]);
    const long long samples = std::atoll(argv[7]);
    const long long eval_every = std::atoll(argv[8]);
    o.coding.threads = std::atoi(argv[9]);
    const std::string prefix = argv[10];
    o.seed = 1;
    for (int i = 11; i < argc; ++i) {
      const std::string arg = argv[i];
      const auto eq = arg.find('=');
      if (eq == std::string::npos) return usage();
      const std::string key = arg.substr(0, eq);
      const char* value = argv[i] + eq + 1;
      if (key == "sweeps") o.dictionary.max_sweeps = std::atoi(value);
      else if (key == "rho") {
        o.weighting = sp::PastWeighting::power;
        o.rho = std::atof(value);
      } else if (key == "replace") o.replace_window = std::atoll(value);
      else if (key == "seed") o.seed = std::strtoull(value, nullptr, 10);
      else if (key == "chunk") o.coding.chunk_size = std::atol(value);
      else if (key == "float32") {
        o.precision = std::atoi(value) != 0 ? sp::OnlineLearnerOptions::Precision::float32
                                            : sp::OnlineLearnerOptions::Precision::float64;
      } else {
        return usage();
      }
    }
    sp::OnlineLearner learner(o);
    learner.initialize(x);  // k random training patches, as the CLI's default
    std::printf("samples,seconds,cpu_seconds,heldout_objective,mean_nonzeros\n");
    double seconds = 0, cpu_seconds = 0;
    long long seen = 0, next_eval = eval_every;
    double nnz = 0;
    while (seen < samples) {
      const long long start = seen % x.cols();
      const long long m = std::min<long long>({o.batch_size, x.cols() - start, samples - seen});
      const sparsecode::Matrix<double> batch = x.middleCols(start, m);
      const auto t0 = std::chrono::steady_clock::now();
      const std::clock_t c0 = std::clock();
      nnz = learner.partial_fit(batch).mean_nonzeros;
      cpu_seconds += static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
      seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      seen += m;
      if (seen >= next_eval || seen == samples) {
        const double obj = heldout_objective(learner.dictionary(), h, o.coding.penalty.lambda, o.coding.threads);
        std::printf("%lld,%.6f,%.6f,%.10g,%.4f\n", seen, seconds, cpu_seconds, obj, nnz);
        std::fflush(stdout);
        next_eval += eval_every;
      }
    }
    sparsecode::io::save_samples<double>(prefix + "_D.npy", learner.dictionary());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "learn_bench: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
