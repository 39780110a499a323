// Times one sparse-autoencoder cost+gradient evaluation on the UFLDL setting; writes inputs/outputs as .npy.
//
// Usage: bench_autoencoder OUTPUT_DIR [REPEATS] [THREADS]
// Writes X.npy (N×64 patches), theta.npy, grad.npy, cost.npy (one value) and prints
// "seconds_per_eval <median wall time>" and "cpu_seconds_per_eval <mean CPU time, all threads>". bench/run_autoencoder.sh compares it with the numpy reference.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

#include "sparsecode/autoencoder/cost.hpp"
#include "sparsecode/autoencoder/model.hpp"
#include "ufldl_data.hpp"
#include "sparsecode/io/image_io.hpp"
#include "sparsecode/io/npy.hpp"
#include "sparsecode/preprocess/whitening.hpp"

namespace ae = sparsecode::autoencoder;

int main(int argc, char** argv) {
  try {
    if (argc < 2 || argv[1][0] == '-') {  // no options: "--help" is not a directory
      std::fprintf(stderr, "usage: bench_autoencoder OUTPUT_DIR [REPEATS] [THREADS]\n");
      return 2;
    }
    const std::filesystem::path out = argv[1];
    const int repeats = argc > 2 ? std::stoi(argv[2]) : 50;
    const int threads = argc > 3 ? std::stoi(argv[3]) : 0;
    std::filesystem::create_directories(out);
    const sparsecode::io::ImageSet set = sparsecode::io::load_image_directory(SPARSECODE_DATA_DIR);
    const sparsecode::Matrix<double> x = ae::ufldl_patches(sparsecode::preprocess::whiten_images(set.images), 10000, 8, 1);

    ae::Architecture arch;
    arch.input_dim = 64;
    arch.hidden = 25;
    ae::Model model(arch);
    model.initialize(7);
    model.b1().setConstant(-0.5);  // non-zero biases so that their gradient paths are exercised
    model.b2().setConstant(0.1);
    ae::CostOptions options;  // UFLDL: ρ = 0.01, β = 3, λ = 1e-4
    options.l1 = 1e-3;
    options.threads = threads;
    ae::Cost cost(arch, options);
    cost.check_data(x);

    sparsecode::Vector<double> grad;
    double j = cost.evaluate(model.parameters(), x, &grad);  // warm-up
    std::vector<double> times;
    timespec cpu0{}, cpu1{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu0);
    for (int r = 0; r < repeats; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      j = cost.evaluate(model.parameters(), x, &grad);
      times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu1);
    const double cpu = static_cast<double>(cpu1.tv_sec - cpu0.tv_sec) +
                       1e-9 * static_cast<double>(cpu1.tv_nsec - cpu0.tv_nsec);
    std::sort(times.begin(), times.end());
    sparsecode::io::save_samples<double>(out / "X.npy", x);
    sparsecode::io::save_vector<double>(out / "theta.npy", model.parameters());
    sparsecode::io::save_vector<double>(out / "grad.npy", grad);
    sparsecode::io::save_vector<double>(out / "cost.npy", sparsecode::Vector<double>::Constant(1, j));
    std::printf("seconds_per_eval %.6g\n", times[times.size() / 2]);
    std::printf("cpu_seconds_per_eval %.6g\n", cpu / repeats);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_autoencoder: error: %s\n", e.what());
    return 1;
  }
}
