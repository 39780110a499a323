// The non-zeros of a vector listed in order (indices and values), with AVX-512 compresses for double.
#pragma once

#include <type_traits>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "sparsecode/core/types.hpp"

namespace sparsecode::core::internal {

/// How far past its count compact_support() may write (one AVX-512 vector of doubles).
inline constexpr Index compact_support_slack = 8;

/// Lists the support of a (length n): writes the j with a[j] ≠ 0 to `support` and a[j] to
/// `values`, in increasing j, and returns their number. Branch-free (the support of an iterate
/// changes from step to step, and a branch on a[j] ≠ 0 would often mispredict); with AVX-512,
/// doubles are compacted eight at a time. Slots past the returned count m may be overwritten:
/// every write lies below n and below m + compact_support_slack, so buffers of n entries, or of
/// m + compact_support_slack, suffice.
template <class T>
Index compact_support(const T* a, Index n, Index* support, T* values) {
  Index m = 0;
  Index j = 0;
#if defined(__AVX512F__)
  if constexpr (std::is_same_v<T, double> && sizeof(Index) == 8) {
    __m512i index = _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7);
    const __m512i eight = _mm512_set1_epi64(8);
    for (; j + 8 <= n; j += 8) {
      const __m512d v = _mm512_loadu_pd(a + j);
      const __mmask8 nonzero = _mm512_cmp_pd_mask(v, _mm512_setzero_pd(), _CMP_NEQ_UQ);
      // Compressed in registers, then stored whole: the compress with a memory operand is
      // microcoded on AMD's Zen 4 and 5 and cost more than the rest of the loop. The store's
      // eight slots [m, m + 8) lie within [0, n) because m ≤ j.
      _mm512_storeu_pd(values + m, _mm512_maskz_compress_pd(nonzero, v));
      _mm512_storeu_si512(support + m, _mm512_maskz_compress_epi64(nonzero, index));
      m += __builtin_popcount(static_cast<unsigned>(nonzero));
      index = _mm512_add_epi64(index, eight);
    }
  }
#endif
  for (; j < n; ++j) {
    support[m] = j;
    values[m] = a[j];
    m += a[j] != T(0) ? 1 : 0;
  }
  return m;
}

}  // namespace sparsecode::core::internal
