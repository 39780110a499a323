// Tests of the autoencoder model file: round trip, and clear errors for wrong, truncated or corrupt files.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "sparsecode/autoencoder/model_io.hpp"
#include "sparsecode/io/checksum.hpp"
#include "tests/autoencoder_test_support.hpp"
#include "tests/temp_dir.hpp"

namespace ae = sparsecode::autoencoder;
using sparsecode::Matrix;
using sparsecode::test::TempDir;

namespace {

std::vector<char> read_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::filesystem::path& p, const std::vector<char>& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

TEST_CASE("autoencoder model file round trip for every architecture") {
  TempDir dir("ae_io");
  for (const auto activation : {ae::Activation::sigmoid, ae::Activation::relu}) {
    for (const auto decoder : {ae::Decoder::sigmoid, ae::Decoder::linear}) {
      for (const auto tying : {ae::Tying::untied, ae::Tying::tied}) {
        ae::Model model(ae::Architecture{7, 3, activation, decoder, tying});
        model.initialize(9);
        model.b1().setConstant(0.25);
        ae::CostOptions cost;
        cost.rho = 0.07;
        cost.beta = 2.5;
        cost.weight_decay = 3e-3;
        cost.l1 = 0.125;
        ae::save_model(dir / "m.sae", model, cost);
        const ae::SavedModel back = ae::load_model(dir / "m.sae");
        const ae::Architecture& a = back.model.architecture();
        CHECK(a.input_dim == 7);
        CHECK(a.hidden == 3);
        CHECK(a.activation == activation);
        CHECK(a.decoder == decoder);
        CHECK(a.tying == tying);
        CHECK(back.cost.rho == cost.rho);
        CHECK(back.cost.beta == cost.beta);
        CHECK(back.cost.weight_decay == cost.weight_decay);
        CHECK(back.cost.l1 == cost.l1);
        CHECK(back.model.parameters() == model.parameters());
        const Matrix<double> x = sparsecode::test::uniform_data(7, 5, 0.0, 1.0, 3);
        CHECK(back.model.encode(x) == model.encode(x));
      }
    }
  }
}

TEST_CASE("autoencoder model loading rejects wrong, truncated and corrupt files naming the file") {
  TempDir dir("ae_io_bad");
  ae::Model model(ae::Architecture{4, 2});
  model.initialize(1);
  ae::save_model(dir / "good.sae", model, ae::CostOptions{});
  const std::vector<char> good = read_bytes(dir / "good.sae");
  // Structural problems are tested in files whose CRC-32 is made to match (as a buggy writer
  // would produce); damage alone is caught by the CRC, tested below.
  const auto expect_error = [&](std::vector<char> bytes, const std::string& problem) {
    if (bytes.size() > 4) {
      const std::uint32_t crc = sparsecode::io::crc32(bytes.data(), bytes.size() - 4);
      std::memcpy(bytes.data() + bytes.size() - 4, &crc, 4);
    }
    write_bytes(dir / "bad.sae", bytes);
    CHECK_THROWS_WITH_AS(ae::load_model(dir / "bad.sae"),
                         doctest::Contains((dir / "bad.sae").string().c_str()), ae::ModelFileError);
    CHECK_THROWS_WITH_AS(ae::load_model(dir / "bad.sae"), doctest::Contains(problem.c_str()),
                         ae::ModelFileError);
  };
  std::vector<char> bytes = good;
  bytes[0] = 'X';
  expect_error(bytes, "bad magic");
  bytes = good;
  bytes[8] = 3;  // version
  expect_error(bytes, "version 3 is not supported");
  bytes = good;
  bytes.erase(bytes.end() - 5);
  expect_error(bytes, "truncated or trailing");
  bytes = good;
  bytes.insert(bytes.end() - 4, 0);
  expect_error(bytes, "truncated or trailing");
  expect_error(std::vector<char>(good.begin(), good.begin() + 20), "truncated or malformed header");
  bytes = good;
  bytes[16 + 16] = 7;  // activation code
  expect_error(bytes, "unknown activation");
  bytes = good;
  bytes[16 + 8] = 0;  // h = 0
  expect_error(bytes, "hidden units h must be >= 1");
  bytes = good;
  for (int i = 0; i < 8; ++i) {
    bytes[bytes.size() - 5 - static_cast<std::size_t>(i)] = static_cast<char>(0xff);  // NaN
  }
  expect_error(bytes, "non-finite");
  CHECK_THROWS_WITH_AS(ae::load_model(dir / "missing.sae"), doctest::Contains("cannot open"),
                       ae::ModelFileError);
}

TEST_CASE("autoencoder model file: any flipped bit after the version is refused as corrupt") {
  TempDir dir("ae_io_crc");
  ae::Model model(ae::Architecture{3, 2});
  model.initialize(4);
  ae::save_model(dir / "good.sae", model, ae::CostOptions{});
  const std::vector<char> good = read_bytes(dir / "good.sae");
  for (std::size_t byte = 12; byte < good.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::vector<char> bad = good;
      bad[byte] = static_cast<char>(bad[byte] ^ (1 << bit));
      write_bytes(dir / "bad.sae", bad);
      CHECK_THROWS_WITH_AS(ae::load_model(dir / "bad.sae"), doctest::Contains("is corrupt"), ae::ModelFileError);
    }
  }
  // A version 1 file (no CRC) is still read.
  std::vector<char> v1(good.begin(), good.end() - 4);
  v1[8] = 1;
  write_bytes(dir / "v1.sae", v1);
  CHECK(ae::load_model(dir / "v1.sae").model.parameters() == model.parameters());
}
