// The first position of a value in an array, compared a 512-bit register at a time where AVX-512 is available.
#pragma once

#include <type_traits>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "sparsecode/core/types.hpp"

namespace sparsecode::solvers::internal {

/// The smallest j < n with v[j] == value; n if there is none. LARS looks up the atom that
/// attains the minimum step this way at every path step, and a scalar compare-and-branch loop
/// over k ~ 256 atoms was a quarter of its entry scan.
template <class T>
core::Index find_first(const T* v, core::Index n, T value) {
  core::Index j = 0;
#if defined(__AVX512F__)
  if constexpr (std::is_same_v<T, double>) {
    const __m512d target = _mm512_set1_pd(value);
    for (; j + 8 <= n; j += 8) {
      const __mmask8 equal = _mm512_cmp_pd_mask(_mm512_loadu_pd(v + j), target, _CMP_EQ_OQ);
      if (equal != 0) return j + __builtin_ctz(static_cast<unsigned>(equal));
    }
  } else if constexpr (std::is_same_v<T, float>) {
    const __m512 target = _mm512_set1_ps(value);
    for (; j + 16 <= n; j += 16) {
      const __mmask16 equal = _mm512_cmp_ps_mask(_mm512_loadu_ps(v + j), target, _CMP_EQ_OQ);
      if (equal != 0) return j + __builtin_ctz(static_cast<unsigned>(equal));
    }
  }
#endif
  for (; j < n; ++j) {
    if (v[j] == value) return j;
  }
  return n;
}

}  // namespace sparsecode::solvers::internal
