// Sparse code files: CSR .npz round trips, scipy.sparse.load_npz reads them, bad archives are named.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <utility>

#include "sparsecode/io/npy.hpp"
#include "sparsecode/io/npz.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using sparsecode::Index;
using sparsecode::Matrix;

namespace {

/// k×N codes with about `density` of the entries non-zero (seeded).
Matrix<double> sparse_codes(Index k, Index n, double density, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::normal_distribution<double> normal;
  Matrix<double> codes(k, n);
  for (Index j = 0; j < n; ++j) {
    for (Index i = 0; i < k; ++i) codes(i, j) = uniform(rng) < density ? normal(rng) : 0.0;
  }
  return codes;
}

bool python_has_scipy() {
  return std::system("/usr/bin/python3 -c 'import scipy.sparse' >/dev/null 2>&1") == 0;
}

}  // namespace

TEST_CASE("npz: codes gathered block by block (CsrCodes) make the same CSR matrix as the whole dense codes") {
  const sparsecode::test::TempDir dir("npz_blocks");
  Matrix<double> codes = sparse_codes(12, 37, 0.2, 5);
  codes.col(0).setZero();
  codes.col(36).setZero();
  codes(4, 9) = std::numeric_limits<double>::quiet_NaN();  // kept by either threshold
  for (const double threshold : {0.0, 0.5}) {  // the compacting path (exact zeros) and the general one
    CAPTURE(threshold);
    sparsecode::io::NpzOptions cut;
    cut.threshold = threshold;
    sparsecode::io::CsrCodes<double> gathered(12, cut, 37);  // with the hint of the rows to come
    // Uneven blocks, one of them empty, the last a single sample.
    for (const auto& [first, count] : {std::pair<Index, Index>{0, 10}, {10, 0}, {10, 26}, {36, 1}}) {
      gathered.append(codes.middleCols(first, count));
    }
    CHECK(gathered.rows() == 37);
    CHECK(gathered.cols() == 12);
    REQUIRE(gathered.row_starts().size() == 38);
    const auto kept = codes.array().isNaN() || codes.array().abs() > threshold;
    CHECK(static_cast<Index>(gathered.nonzeros()) == kept.count());
    CHECK(gathered.row_starts().back() == static_cast<std::int64_t>(gathered.nonzeros()));
    sparsecode::io::save_csr_npz(dir / "blocks.npz", gathered);
    sparsecode::io::save_csr_npz(dir / "whole.npz", codes, cut);
    Matrix<double> from_blocks = sparsecode::io::load_csr_npz(dir / "blocks.npz");
    Matrix<double> from_whole = sparsecode::io::load_csr_npz(dir / "whole.npz");
    CHECK(std::isnan(from_blocks(4, 9)));
    from_blocks(4, 9) = from_whole(4, 9) = 0.0;
    CHECK(from_blocks == from_whole);
    Matrix<double> expected = kept.select(codes, 0.0);
    expected(4, 9) = 0.0;
    CHECK(from_blocks == expected);
  }
  sparsecode::io::CsrCodes<double> gathered(12);
  CHECK_THROWS_AS(gathered.append(Matrix<double>::Zero(11, 2)), std::invalid_argument);
  CHECK_THROWS_AS(sparsecode::io::CsrCodes<double>(-1), std::invalid_argument);
  CHECK_THROWS_AS(sparsecode::io::CsrCodes<double>(12, {}, -5), std::invalid_argument);
}

TEST_CASE("npz: CSR round trip is exact, with an empty code, float32, compression and a threshold") {
  const sparsecode::test::TempDir dir("npz_roundtrip");
  Matrix<double> codes = sparse_codes(16, 40, 0.15, 3);
  codes.col(7).setZero();  // a sample with no active atom: an empty CSR row
  codes(3, 5) = std::numeric_limits<double>::quiet_NaN();  // kept, never taken for a zero
  sparsecode::io::save_csr_npz(dir / "c.npz", codes);
  Matrix<double> back = sparsecode::io::load_csr_npz(dir / "c.npz");
  REQUIRE(back.rows() == 16);
  REQUIRE(back.cols() == 40);
  CHECK(std::isnan(back(3, 5)));
  codes(3, 5) = back(3, 5) = 0.0;
  CHECK(back == codes);

  sparsecode::io::NpzOptions packed;
  packed.compress = true;
  const Matrix<float> single = codes.cast<float>();
  sparsecode::io::save_csr_npz(dir / "f.npz", single, packed);
  CHECK(sparsecode::io::load_csr_npz(dir / "f.npz") == single.cast<double>());

  sparsecode::io::NpzOptions cut;
  cut.threshold = 0.5;
  sparsecode::io::save_csr_npz(dir / "t.npz", codes, cut);
  const Matrix<double> expected = (codes.array().abs() > 0.5).select(codes, 0.0);
  CHECK(sparsecode::io::load_csr_npz(dir / "t.npz") == expected);
  CHECK(fs::file_size(dir / "t.npz") < fs::file_size(dir / "c.npz"));

  cut.threshold = -1;
  CHECK_THROWS_AS(sparsecode::io::save_csr_npz(dir / "x.npz", codes, cut), std::invalid_argument);
  CHECK_FALSE(fs::exists(dir / "x.npz"));
}

TEST_CASE("npz: scipy.sparse.load_npz reads the file as the N×k matrix of the codes") {
  if (!python_has_scipy()) {
    MESSAGE("skipped: /usr/bin/python3 has no scipy");
    return;
  }
  const sparsecode::test::TempDir dir("npz_scipy");
  const Matrix<double> codes = sparse_codes(24, 30, 0.1, 9);
  sparsecode::io::save_csr_npz(dir / "c.npz", codes);
  sparsecode::io::NpzOptions packed;
  packed.compress = true;
  sparsecode::io::save_csr_npz(dir / "z.npz", Matrix<float>(codes.cast<float>()), packed);
  sparsecode::io::save_samples<double>(dir / "dense.npy", codes);  // N×k, the same matrix dense
  const std::string script =
      "import numpy as np, scipy.sparse as sp, sys\n"
      "d = np.load(sys.argv[3])\n"
      "for name, dtype in ((sys.argv[1], np.float64), (sys.argv[2], np.float32)):\n"
      "    m = sp.load_npz(name)\n"
      "    assert m.format == 'csr' and m.shape == d.shape and m.dtype == dtype, (m.format, m.shape, m.dtype)\n"
      "    assert m.nnz == np.count_nonzero(d), m.nnz\n"
      "    assert m.has_sorted_indices\n"
      "    assert np.array_equal(m.toarray(), d.astype(dtype))\n";
  std::ofstream(dir / "check.py") << script;
  const std::string command = "/usr/bin/python3 \"" + (dir / "check.py").string() + "\" \"" + (dir / "c.npz").string() +
                              "\" \"" + (dir / "z.npz").string() + "\" \"" + (dir / "dense.npy").string() + "\"";
  CHECK(std::system(command.c_str()) == 0);

  // And the reverse: a file scipy wrote reads back.
  const std::string write = "/usr/bin/python3 -c \"import numpy as np, scipy.sparse as sp; "
                            "sp.save_npz('" + (dir / "s.npz").string() + "', sp.csr_matrix(np.load('" +
                            (dir / "dense.npy").string() + "')))\"";
  REQUIRE(std::system(write.c_str()) == 0);
  CHECK(sparsecode::io::load_csr_npz(dir / "s.npz") == codes);
}

TEST_CASE("npz: a file that is not a CSR archive is refused, naming the file") {
  const sparsecode::test::TempDir dir("npz_errors");
  std::ofstream(dir / "junk.npz") << "not a zip archive";
  CHECK_THROWS_WITH_AS(sparsecode::io::load_csr_npz(dir / "junk.npz"), doctest::Contains("junk.npz"),
                       sparsecode::io::NpzError);
  sparsecode::io::save_samples<double>(dir / "dense.npy", Matrix<double>::Ones(2, 2));
  CHECK_THROWS_AS(sparsecode::io::load_csr_npz(dir / "dense.npy"), sparsecode::io::NpzError);
  CHECK_THROWS_WITH_AS(sparsecode::io::load_csr_npz(dir.path()), doctest::Contains("is a directory"),
                       sparsecode::io::NpzError);
  CHECK_THROWS_WITH_AS(sparsecode::io::save_csr_npz("/dev/full", Matrix<double>(Matrix<double>::Ones(3, 3))),
                       doctest::Contains("/dev/full"), std::runtime_error);
}
