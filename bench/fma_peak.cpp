// The machine's float32 multiply-add peak: independent FMA chains in registers, one per OpenMP thread.
//
//   fma_peak [THREADS]   (default: all cores)
//
// Twelve independent accumulators per thread hide the FMA latency, so the loop runs at the
// throughput of the FMA units: the ceiling against which bench/run_fashion_transform.sh's
// transform (97.5 GFLOP for the 10,000 Fashion-MNIST test images) is judged. Best of five runs.
#include <omp.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#if defined(__AVX512F__) || defined(__FMA__)
#include <immintrin.h>
#endif

namespace {

constexpr long kIterations = 100'000'000;
constexpr int kChains = 12;

#if defined(__AVX512F__)
constexpr int kLanes = 16;
using Packet = __m512;
Packet set1(float v) { return _mm512_set1_ps(v); }
Packet fma(Packet a, Packet b, Packet c) { return _mm512_fmadd_ps(a, b, c); }
float first_lane(Packet a) { return _mm512_cvtss_f32(a); }
#elif defined(__FMA__)
constexpr int kLanes = 8;
using Packet = __m256;
Packet set1(float v) { return _mm256_set1_ps(v); }
Packet fma(Packet a, Packet b, Packet c) { return _mm256_fmadd_ps(a, b, c); }
float first_lane(Packet a) { return _mm256_cvtss_f32(a); }
#endif

}  // namespace

int main(int argc, char** argv) {
#if defined(__AVX512F__) || defined(__FMA__)
  const int threads = argc > 1 ? std::atoi(argv[1]) : omp_get_max_threads();
  if (threads < 1) {
    std::fprintf(stderr, "fma_peak: THREADS must be at least 1\n");
    return 2;
  }
  double best = 1e300;
  float sink = 0.0f;
  for (int run = 0; run < 5; ++run) {
    const auto start = std::chrono::steady_clock::now();
#pragma omp parallel num_threads(threads) reduction(+ : sink)
    {
      Packet chain[kChains];
      const Packet scale = set1(1.0000001f), shift = set1(1e-9f);
      for (int c = 0; c < kChains; ++c) chain[c] = set1(static_cast<float>(c + omp_get_thread_num()));
      for (long i = 0; i < kIterations / kChains; ++i) {
#pragma GCC unroll 12
        for (int c = 0; c < kChains; ++c) chain[c] = fma(chain[c], scale, shift);
      }
      for (int c = 0; c < kChains; ++c) sink += first_lane(chain[c]);
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (seconds < best) best = seconds;
  }
  const double flops = 2.0 * kLanes * static_cast<double>(kIterations / kChains * kChains) * threads;
  std::printf("%d thread(s), %d-lane FMA: %.1f GFLOP/s float32 (best of 5; checksum %g)\n", threads, kLanes,
              flops / best / 1e9, static_cast<double>(sink));
  return 0;
#else
  (void)argc;
  (void)argv;
  std::printf("fma_peak: built without FMA instructions (configure with SPARSECODE_NATIVE on an FMA CPU)\n");
  return 0;
#endif
}
