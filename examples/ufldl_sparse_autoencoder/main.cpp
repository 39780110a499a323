// UFLDL sparse autoencoder exercise: 10,000 whitened 8×8 patches, 64–25–64, L-BFGS 400 iterations, filters.png.
//
// Usage: example_ufldl_sparse_autoencoder [OUTPUT_DIR] [IMAGE_DIR] [THREADS (0 = all cores)]
// Writes OUTPUT_DIR/filters.png (montage of the rows of W₁) and prints the final cost terms.
#include <time.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>

#include "sparsecode/autoencoder/lbfgs_trainer.hpp"
#include "sparsecode/autoencoder/model.hpp"
#include "ufldl_data.hpp"
#include "sparsecode/io/image_io.hpp"
#include "sparsecode/viz/montage.hpp"
#include "sparsecode/preprocess/whitening.hpp"

namespace ae = sparsecode::autoencoder;

namespace {

/// CPU time of all threads of this process: on a shared machine the wall time also measures
/// the other jobs.
double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::filesystem::path out_dir = argc > 1 ? argv[1] : ".";
    const std::filesystem::path image_dir = argc > 2 ? argv[2] : SPARSECODE_DATA_DIR;
    std::filesystem::create_directories(out_dir);

    const auto t0 = std::chrono::steady_clock::now();
    const sparsecode::io::ImageSet set = sparsecode::io::load_image_directory(image_dir);
    const std::vector<sparsecode::io::Image> white = sparsecode::preprocess::whiten_images(set.images);
    const sparsecode::Matrix<double> patches = ae::ufldl_patches(white, 10000, 8, 1);
    const double prep = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    ae::Architecture arch;
    arch.input_dim = 64;
    arch.hidden = 25;
    ae::Model model(arch);
    model.initialize(1);
    ae::CostOptions cost;  // ρ = 0.01, β = 3, λ = 1e-4 are the defaults (UFLDL's values)
    cost.threads = argc > 3 ? std::stoi(argv[3]) : 0;
    ae::LbfgsOptions lbfgs;
    lbfgs.max_iterations = 400;
    const double cpu0 = process_cpu_seconds();
    const ae::TrainingSummary s = ae::train_lbfgs(model, cost, patches, lbfgs);
    const double cpu = process_cpu_seconds() - cpu0;

    sparsecode::viz::MontageOptions montage;
    montage.scale = 4;
    sparsecode::viz::write_montage_png(out_dir / "filters.png", sparsecode::Matrix<double>(model.W1().transpose()),
                          montage);

    const ae::CostTerms& t = s.final_terms;
    std::printf("data: %zu images, %lld patches of 8x8 in %.2f s\n", set.images.size(),
                static_cast<long long>(patches.cols()), prep);
    std::printf("L-BFGS: %d iterations, %d evaluations, %.3f s (CPU of all threads %.3f s), stop: %s\n",
                s.iterations, s.evaluations, s.seconds, cpu, ae::to_string(s.termination).c_str());
    std::printf("cost %.6f -> %.6f  (reconstruction %.6f, weight decay %.6f, sparsity %.6f)\n",
                s.initial_cost, t.total(), t.reconstruction, t.weight_decay, t.sparsity);
    std::printf("mean rho_hat %.5f (target %.5f), min %.5f, max %.5f\n", t.mean_rho_hat(),
                cost.rho, t.rho_hat.minCoeff(), t.rho_hat.maxCoeff());
    std::printf("wrote %s\n", (out_dir / "filters.png").string().c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "example_ufldl_sparse_autoencoder: error: %s\n", e.what());
    return 1;
  }
}
