// CRC-32 through zlib; matrix fingerprints with xxHash64's round function over 8-byte words.
#include "sparsecode/io/checksum.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <limits>

#include <zlib.h>

namespace sparsecode::io {
namespace {

constexpr std::uint64_t kPrime1 = 0x9E3779B185EBCA87ULL;  // xxHash64's primes
constexpr std::uint64_t kPrime2 = 0xC2B2AE3D27D4EB4FULL;
constexpr std::uint64_t kPrime3 = 0x165667B19E3779F9ULL;
constexpr std::uint64_t kPrime4 = 0x85EBCA77C2B2AE63ULL;

std::uint64_t mix(std::uint64_t acc, std::uint64_t word) {
  return std::rotl(acc + word * kPrime2, 31) * kPrime1;
}

/// Four lanes of xxHash64 rounds fed one 8-byte word at a time, in order.
class WordHasher {
 public:
  void add(std::uint64_t word) {
    lanes_[count_ & 3] = mix(lanes_[count_ & 3], word);
    ++count_;
  }
  /// The same as add() for each value's bit pattern in turn, four lanes a step where aligned.
  void add(const double* values, std::size_t n) {
    std::size_t i = 0;
    for (; i < n && (count_ & 3) != 0; ++i) add(std::bit_cast<std::uint64_t>(values[i]));
    std::uint64_t a = lanes_[0], b = lanes_[1], c = lanes_[2], d = lanes_[3];
    for (; i + 4 <= n; i += 4) {
      a = mix(a, std::bit_cast<std::uint64_t>(values[i]));
      b = mix(b, std::bit_cast<std::uint64_t>(values[i + 1]));
      c = mix(c, std::bit_cast<std::uint64_t>(values[i + 2]));
      d = mix(d, std::bit_cast<std::uint64_t>(values[i + 3]));
      count_ += 4;
    }
    lanes_ = {a, b, c, d};
    for (; i < n; ++i) add(std::bit_cast<std::uint64_t>(values[i]));
  }
  std::uint64_t finish() const {
    std::uint64_t h = std::rotl(lanes_[0], 1) + std::rotl(lanes_[1], 7) + std::rotl(lanes_[2], 12) +
                      std::rotl(lanes_[3], 18);
    for (const std::uint64_t lane : lanes_) h = (h ^ mix(0, lane)) * kPrime1 + kPrime4;
    h ^= count_;
    h ^= h >> 33;  // xxHash64's avalanche
    h *= kPrime2;
    h ^= h >> 29;
    h *= kPrime3;
    h ^= h >> 32;
    return h;
  }

 private:
  std::array<std::uint64_t, 4> lanes_ = {kPrime1 + kPrime2, kPrime2, 0, 0 - kPrime1};
  std::uint64_t count_ = 0;
};

}  // namespace

std::uint32_t crc32(const void* data, std::size_t bytes, std::uint32_t crc) {
  const auto* p = static_cast<const Bytef*>(data);
  uLong value = crc;
  while (bytes > 0) {  // zlib takes uInt lengths
    const std::size_t chunk = std::min<std::size_t>(bytes, std::numeric_limits<uInt>::max());
    value = ::crc32(value, p, static_cast<uInt>(chunk));
    p += chunk;
    bytes -= chunk;
  }
  return static_cast<std::uint32_t>(value);
}

void append_crc32(std::vector<char>& bytes) {
  const std::uint32_t crc = crc32(bytes.data(), bytes.size());
  const std::size_t old = bytes.size();
  bytes.resize(old + sizeof(crc));
  std::memcpy(bytes.data() + old, &crc, sizeof(crc));
}

bool strip_crc32(std::vector<char>& bytes) {
  std::uint32_t stored = 0;
  if (bytes.size() < sizeof(stored)) return false;
  const std::size_t content = bytes.size() - sizeof(stored);
  std::memcpy(&stored, bytes.data() + content, sizeof(stored));
  if (crc32(bytes.data(), content) != stored) return false;
  bytes.resize(content);
  return true;
}

std::uint64_t fingerprint(const Eigen::Ref<const Matrix<double>>& values) {
  WordHasher hasher;
  hasher.add(static_cast<std::uint64_t>(values.rows()));
  hasher.add(static_cast<std::uint64_t>(values.cols()));
  if (values.outerStride() == values.rows()) {  // contiguous: one stream
    hasher.add(values.data(), static_cast<std::size_t>(values.size()));
  } else {
    for (Index j = 0; j < values.cols(); ++j) hasher.add(values.col(j).data(), static_cast<std::size_t>(values.rows()));
  }
  return hasher.finish();
}

namespace {

// SplitMix64's finaliser: a bijective mix of a 64-bit word.
std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

std::uint64_t sample_fingerprint(const Eigen::Ref<const Matrix<double>>& samples, std::uint64_t first_index) {
  std::uint64_t sum = 0;
  for (Index j = 0; j < samples.cols(); ++j) {
    const std::uint64_t index = first_index + static_cast<std::uint64_t>(j);
    sum += mix64(fingerprint(samples.col(j)) ^ mix64(index + 0x9e3779b97f4a7c15ULL));
  }
  return sum;
}

}  // namespace sparsecode::io
