// Configure-time probe: prints the OpenBLAS kernel family chosen for this CPU and whether the CPU has AVX2 and AVX-512F.
#include <cblas.h>

#include <cstdio>

int main() {
  std::printf("%s;%d;%d\n", openblas_get_corename(), __builtin_cpu_supports("avx2") ? 1 : 0,
              __builtin_cpu_supports("avx512f") ? 1 : 0);
  return 0;
}
