// Tests for the checkpoint container: round trip, CRC-32 refusal of damage, clear messages; data fingerprints.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "sparsecode/io/checkpoint.hpp"
#include "sparsecode/io/checksum.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using sparsecode::Matrix;
using sparsecode::io::Checkpoint;
using sparsecode::io::CheckpointError;

namespace {

std::vector<char> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& path, const std::vector<char>& bytes) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

Checkpoint sample_checkpoint() {
  Checkpoint c;
  c.set_matrix("D", Matrix<double>::Random(6, 4));
  c.set_int("iteration", 42);
  c.set_real("lambda", 0.3);
  c.set_string("method", "online");
  return c;
}

}  // namespace

TEST_CASE("checkpoint: round trip is bit for bit") {
  const sparsecode::test::TempDir dir("ckpt_roundtrip");
  const Checkpoint c = sample_checkpoint();
  c.save(dir / "a.ckpt");
  const Checkpoint back = Checkpoint::load(dir / "a.ckpt");
  CHECK(back.matrix("D") == c.matrix("D"));
  CHECK(back.integer("iteration") == 42);
  CHECK(back.real("lambda") == 0.3);
  CHECK(back.string("method") == "online");
}

TEST_CASE("checkpoint: any single flipped bit is refused as corrupt") {
  const sparsecode::test::TempDir dir("ckpt_flip");
  sample_checkpoint().save(dir / "a.ckpt");
  const std::vector<char> good = read_bytes(dir / "a.ckpt");
  // Every bit after the magic, among them the exponent bits of the stored doubles.
  for (std::size_t byte = 16; byte < good.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::vector<char> bad = good;
      bad[byte] = static_cast<char>(bad[byte] ^ (1 << bit));
      write_bytes(dir / "b.ckpt", bad);
      CHECK_THROWS_WITH_AS(Checkpoint::load(dir / "b.ckpt"), doctest::Contains("is corrupt"), CheckpointError);
    }
  }
}

TEST_CASE("checkpoint: a directory, a missing file and a truncated file are named") {
  const sparsecode::test::TempDir dir("ckpt_errors");
  fs::create_directories(dir / "d.ckpt");
  CHECK_THROWS_WITH_AS(Checkpoint::load(dir / "d.ckpt"),
                       doctest::Contains(((dir / "d.ckpt").string() + "' is a directory").c_str()), CheckpointError);
  CHECK_THROWS_WITH_AS(sample_checkpoint().save(dir / "d.ckpt"), doctest::Contains("is a directory"),
                       std::runtime_error);
  CHECK_THROWS_WITH_AS(Checkpoint::load(dir / "missing.ckpt"), doctest::Contains("missing.ckpt"), CheckpointError);
  sample_checkpoint().save(dir / "a.ckpt");
  std::vector<char> bytes = read_bytes(dir / "a.ckpt");
  bytes.resize(bytes.size() / 2);
  write_bytes(dir / "t.ckpt", bytes);
  CHECK_THROWS_AS(Checkpoint::load(dir / "t.ckpt"), CheckpointError);
  // A model file in the same container is named by its role, not as a checkpoint.
  write_bytes(dir / "m.bin", std::vector<char>(40, 'x'));
  const std::string expected = "classifier model '" + (dir / "m.bin").string() + "' is invalid";
  CHECK_THROWS_WITH_AS(Checkpoint::load(dir / "m.bin", "classifier model"), doctest::Contains(expected.c_str()),
                       CheckpointError);
}

TEST_CASE("checkpoint: a failing write (full disk) throws and leaves no file") {
  const sparsecode::test::TempDir dir("ckpt_full");
  CHECK_THROWS_WITH_AS(sample_checkpoint().save("/dev/full"), doctest::Contains("/dev/full"), std::runtime_error);
}

TEST_CASE("fingerprint: equal for equal data and views, different after any change of a value or the shape") {
  const Matrix<double> x = Matrix<double>::Random(7, 5);
  const std::uint64_t f = sparsecode::io::fingerprint(x);
  CHECK(sparsecode::io::fingerprint(Matrix<double>(x)) == f);
  const Matrix<double> wide = Matrix<double>::Random(9, 8);
  Matrix<double> block = wide.block(1, 2, 7, 5);
  CHECK(sparsecode::io::fingerprint(wide.block(1, 2, 7, 5)) == sparsecode::io::fingerprint(block));
  for (sparsecode::Index i = 0; i < x.size(); ++i) {
    Matrix<double> y = x;
    y(i) = std::nextafter(y(i), 2.0);  // the smallest possible change
    CHECK(sparsecode::io::fingerprint(y) != f);
  }
  const Matrix<double> reshaped = Eigen::Map<const Matrix<double>>(x.data(), 5, 7);
  CHECK(sparsecode::io::fingerprint(reshaped) != f);
  Matrix<double> zeros = Matrix<double>::Zero(3, 3);
  Matrix<double> negative_zero = zeros;
  negative_zero(4) = -0.0;
  CHECK(sparsecode::io::fingerprint(zeros) != sparsecode::io::fingerprint(negative_zero));
}

TEST_CASE("sample_fingerprint: parts over any split add up to the whole, any change of a value or the order shows") {
  using sparsecode::io::sample_fingerprint;
  const Matrix<double> x = Matrix<double>::Random(6, 11);
  const std::uint64_t whole = sample_fingerprint(x, 0);
  for (sparsecode::Index a = 0; a <= x.cols(); ++a) {
    for (sparsecode::Index b = a; b <= x.cols(); ++b) {
      const std::uint64_t parts = sample_fingerprint(x.leftCols(a), 0) + sample_fingerprint(x.middleCols(a, b - a), a) +
                                  sample_fingerprint(x.rightCols(x.cols() - b), b);
      CHECK(parts == whole);
    }
  }
  for (sparsecode::Index i = 0; i < x.size(); ++i) {
    Matrix<double> y = x;
    y(i) = std::nextafter(y(i), 2.0);
    CHECK(sample_fingerprint(y, 0) != whole);
  }
  Matrix<double> swapped = x;
  swapped.col(2).swap(swapped.col(7));
  CHECK(sample_fingerprint(swapped, 0) != whole);
  CHECK(sample_fingerprint(x, 1) != whole);
  CHECK(sample_fingerprint(Eigen::Map<const Matrix<double>>(x.data(), 11, 6), 0) != whole);
}

TEST_CASE("crc32: zlib's CRC-32, chunked or not") {
  const std::string text = "123456789";
  CHECK(sparsecode::io::crc32(text.data(), text.size()) == 0xCBF43926u);  // the CRC-32 check value
  const std::uint32_t first = sparsecode::io::crc32(text.data(), 4);
  CHECK(sparsecode::io::crc32(text.data() + 4, 5, first) == 0xCBF43926u);
}
