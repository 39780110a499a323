// Out of core: io::NpyRowReader blocks, `encode` in blocks and `learn --stream` / fit(TrainingSource) equal the in-memory results.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <algorithm>
#include <iterator>
#include <limits>
#include <random>
#include <vector>
#include <stdexcept>
#include <string>

#include "sparsecode/io/npy.hpp"
#include "sparsecode/io/npy_rows.hpp"
#include "sparsecode/sparse/encoder.hpp"
#include "sparsecode/sparse/online_learner.hpp"
#include "tests/lasso_test_support.hpp"
#include "tests/temp_dir.hpp"

namespace fs = std::filesystem;
namespace sc = sparsecode;
using namespace sc::test;

namespace {

// Writes the d×N samples as an N×d Fortran-order file (feature j of all samples contiguous).
void save_fortran(const fs::path& path, const Matrix<double>& samples) {
  const Matrix<double> file_order = samples.transpose();  // N×d column-major = Fortran N×d
  sc::io::NpyArray array;
  array.dtype = sc::io::NpyDType::float64;
  array.fortran_order = true;
  array.shape = {static_cast<std::size_t>(samples.cols()), static_cast<std::size_t>(samples.rows())};
  array.bytes.resize(static_cast<std::size_t>(file_order.size()) * sizeof(double));
  std::memcpy(array.bytes.data(), file_order.data(), array.bytes.size());
  sc::io::write_npy(path, array);
}

// Writes x as dir/c.npy (C order), dir/f.npy (Fortran order) and dir/f32.npy (float32); returns
// what load_samples<double> reads back from the float32 file.
Matrix<double> save_three_layouts(const fs::path& dir, const Matrix<double>& x) {
  sc::io::save_samples(dir / "c.npy", x);
  save_fortran(dir / "f.npy", x);
  sc::io::save_samples(dir / "f32.npy", Matrix<float>(x.cast<float>()));
  return sc::io::load_samples<double>(dir / "f32.npy", sc::io::NpyConversion::allow_float_conversion);
}

std::string file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The columns of a matrix, gathered on demand as a file-backed source would.
class MatrixSource final : public sc::sparse::TrainingSource {
 public:
  explicit MatrixSource(const Matrix<double>& data) : data_(data) {}
  Index dimension() const override { return data_.rows(); }
  Index samples() const override { return data_.cols(); }
  void gather(const Index* indices, Index count, Matrix<double>& out) const override {
    out.resize(data_.rows(), count);
    for (Index j = 0; j < count; ++j) out.col(j) = data_.col(indices[j]);
    ++calls;
  }
  mutable int calls = 0;

 private:
  const Matrix<double>& data_;
};

// A source whose reads fail from the `fail_at`-th gather on (a disk error mid-run).
class FailingSource final : public sc::sparse::TrainingSource {
 public:
  FailingSource(const Matrix<double>& data, int fail_at) : data_(data), fail_at_(fail_at) {}
  Index dimension() const override { return data_.rows(); }
  Index samples() const override { return data_.cols(); }
  void gather(const Index* indices, Index count, Matrix<double>& out) const override {
    if (++calls_ >= fail_at_) throw std::runtime_error("read error at gather " + std::to_string(calls_));
    out.resize(data_.rows(), count);
    for (Index j = 0; j < count; ++j) out.col(j) = data_.col(indices[j]);
  }

 private:
  const Matrix<double>& data_;
  int fail_at_;
  mutable int calls_ = 0;
};

// 12 atoms, λ = 0.2, mini-batches of 32, two epochs: the learners of the source tests.
sc::sparse::OnlineLearnerOptions two_epochs_of_32() {
  sc::sparse::OnlineLearnerOptions options;
  options.atoms = 12;
  options.coding.penalty.lambda = 0.2;
  options.batch_size = 32;
  options.seed = 9;
  options.stop.epochs = 2;
  return options;
}

int run_cli(const std::string& args) {
  const std::string command = std::string("\"") + SPARSECODE_CLI_PATH + "\" " + args + " >/dev/null 2>&1";
  const int raw = std::system(command.c_str());
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
}

}  // namespace

TEST_CASE("NpyRowReader: any block of rows equals those columns of load_samples, in C and Fortran order") {
  TempDir dir("npy_rows");
  const Matrix<double> x = gaussian_matrix(5, 37, 11);  // d×N
  const Matrix<double> whole32 = save_three_layouts(dir.path(), x);
  for (const char* name : {"c.npy", "f.npy"}) {
    const sc::io::NpyRowReader reader(dir / name);
    CHECK(reader.rows() == 37);
    CHECK(reader.row_length() == 5);
    for (const auto& [first, count] : {std::pair<Index, Index>{0, 37}, {0, 1}, {13, 7}, {36, 1}, {20, 0}}) {
      CHECK(reader.read<double>(first, count) == x.middleCols(first, count));
    }
  }
  const sc::io::NpyRowReader reader32(dir / "f32.npy");
  CHECK(reader32.read<double>(3, 11, sc::io::NpyConversion::allow_float_conversion) == whole32.middleCols(3, 11));
  CHECK_THROWS_AS(reader32.read<double>(0, 1), sc::io::NpyError);  // conversion not allowed
  const sc::io::NpyRowReader reader(dir / "c.npy");
  CHECK_THROWS_AS(reader.read<double>(30, 8), std::invalid_argument);
  CHECK_THROWS_AS(reader.read<double>(-1, 2), std::invalid_argument);
  CHECK_THROWS_AS(sc::io::NpyRowReader(dir / "missing.npy"), sc::io::NpyError);
}

TEST_CASE("NpyRowReader::gather: rows in any order, repeated or not, equal load_samples' columns, runs cover them") {
  TempDir dir("npy_gather");
  const Matrix<double> x = gaussian_matrix(6, 300, 12);  // d×N
  const Matrix<double> whole32 = save_three_layouts(dir.path(), x);
  std::mt19937_64 rng(5);
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<Index> rows(1 + rng() % 80);
    for (Index& r : rows) r = static_cast<Index>(rng() % 300);  // unsorted, with repeats and neighbours
    for (const char* name : {"c.npy", "f.npy", "f32.npy"}) {
      const Matrix<double>& whole = std::string(name) == "f32.npy" ? whole32 : x;
      const sc::io::NpyRowReader reader(dir / name);
      const Matrix<double> got = reader.gather<double>(rows.data(), static_cast<Index>(rows.size()),
                                                       sc::io::NpyConversion::allow_float_conversion);
      REQUIRE(got.cols() == static_cast<Index>(rows.size()));
      for (std::size_t j = 0; j < rows.size(); ++j) CHECK(got.col(static_cast<Index>(j)) == whole.col(rows[j]));
    }
    // The runs: ascending, disjoint, each row in one, gaps and lengths bounded.
    std::sort(rows.begin(), rows.end());
    for (const Index gap : {0, 1, 7}) {
      const auto runs = sc::io::row_runs(rows.data(), static_cast<Index>(rows.size()), gap, 16);
      for (std::size_t r = 0; r < runs.size(); ++r) {
        CHECK(runs[r].count >= 1);
        CHECK(runs[r].count <= 16);
        // A new run starts after a gap of more than `gap` rows, or where joining would exceed 16 rows.
        if (r > 0) {
          CHECK((runs[r].first > runs[r - 1].first + runs[r - 1].count - 1 + gap ||
                 runs[r].first + 1 - runs[r - 1].first > 16));
        }
      }
      for (const Index row : rows) {
        CHECK(std::count_if(runs.begin(), runs.end(), [&](const sc::io::RowRun& u) {
                return row >= u.first && row < u.first + u.count;
              }) == 1);
      }
    }
  }
  const Index consecutive[] = {40, 41, 42, 43, 44, 45};
  CHECK(sc::io::row_runs(consecutive, 6, 0, 100).size() == 1);
  const sc::io::NpyRowReader reader(dir / "c.npy");
  const Index outside[] = {3, 300};
  CHECK_THROWS_AS(reader.gather<double>(outside, 2), std::invalid_argument);
}

TEST_CASE("cli encode out of core: codes of tiny blocks equal the library's whole-matrix codes bit for bit") {
  TempDir dir("encode_blocks");
  const Matrix<double> dictionary = random_dictionary(8, 12, 5);  // d×k
  const Matrix<double> x = gaussian_matrix(8, 301, 6);            // N = 301: blocks of 64 and a partial one
  sc::io::save_samples(dir / "D.npy", dictionary);
  sc::io::save_samples(dir / "X.npy", x);
  save_fortran(dir / "XF.npy", x);
  const std::string base = "encode --quiet --lambda 0.2 --dict \"" + (dir / "D.npy").string() + "\" ";
  REQUIRE(run_cli(base + "--input \"" + (dir / "X.npy").string() + "\" --out \"" + (dir / "whole.npy").string() + "\"") == 0);
  REQUIRE(run_cli(base + "--block-rows 1 --input \"" + (dir / "X.npy").string() + "\" --out \"" +
                  (dir / "blocks.npy").string() + "\"") == 0);
  REQUIRE(run_cli(base + "--block-rows 100 --input \"" + (dir / "XF.npy").string() + "\" --out \"" +
                  (dir / "fortran.npy").string() + "\"") == 0);
  Matrix<double> expected;
  sc::sparse::EncodeOptions options;
  options.penalty.lambda = 0.2;
  sc::sparse::encode(dictionary, x, expected, options);
  CHECK(sc::io::load_samples<double>(dir / "whole.npy") == expected);
  CHECK(file_bytes(dir / "blocks.npy") == file_bytes(dir / "whole.npy"));
  CHECK(file_bytes(dir / "fortran.npy") == file_bytes(dir / "whole.npy"));
  CHECK(run_cli(base + "--block-rows 0 --input \"" + (dir / "X.npy").string() + "\" --out \"" +
                (dir / "bad.npy").string() + "\"") == 2);
  CHECK_FALSE(fs::exists(dir / "bad.npy"));
}

TEST_CASE("OnlineLearner::fit on a TrainingSource equals fit on the matrix, bit for bit") {
  const Matrix<double> x = gaussian_matrix(9, 400, 21);
  const Matrix<double> heldout = gaussian_matrix(9, 40, 22);
  sc::sparse::OnlineLearnerOptions options = two_epochs_of_32();
  options.evaluate_every = 5;
  sc::sparse::OnlineLearner in_memory(options);
  const sc::sparse::OnlineSummary a = in_memory.fit(x, heldout);
  sc::sparse::OnlineLearner streamed(options);
  const MatrixSource source(x);
  const sc::sparse::OnlineSummary b = streamed.fit(source, heldout);
  CHECK(streamed.dictionary() == in_memory.dictionary());
  CHECK(b.last.iteration == a.last.iteration);
  CHECK(b.best_heldout_objective == a.best_heldout_objective);
  CHECK(source.calls >= b.last.iteration);  // every mini-batch came from the source
}

TEST_CASE("OnlineLearner::fit on a second TrainingSource of the same size reads it, not the first one's read-ahead") {
  const Matrix<double> x1 = gaussian_matrix(9, 400, 25);
  const Matrix<double> x2 = gaussian_matrix(9, 400, 26);
  const Matrix<double> heldout = gaussian_matrix(9, 40, 27);
  sc::sparse::OnlineLearnerOptions options = two_epochs_of_32();
  options.stop.epochs = 0;
  options.stop.iterations = 10;
  options.coding.threads = 2;
  // The first fit stops at iteration 5, mid-epoch, with the next mini-batch already read ahead.
  const auto stop_at_5 = [](const sc::sparse::LearnerProgress& p) {
    return p.iteration >= 5 ? sc::core::CallbackResult::stop : sc::core::CallbackResult::proceed;
  };
  sc::sparse::OnlineLearner streamed(options);
  sc::sparse::OnlineLearner in_memory(options);
  const MatrixSource s1(x1);
  const MatrixSource s2(x2);
  streamed.fit(s1, heldout, stop_at_5);
  in_memory.fit(x1, heldout, stop_at_5);
  REQUIRE(streamed.dictionary() == in_memory.dictionary());
  const Matrix<double> after_first = streamed.dictionary();
  streamed.fit(s2, heldout);
  in_memory.fit(x2, heldout);
  CHECK(streamed.dictionary() != after_first);
  CHECK(streamed.dictionary() == in_memory.dictionary());
}

TEST_CASE("OnlineLearner::fit on a TrainingSource: a read that fails (also one made beside the update) ends fit with its error") {
  const Matrix<double> x = gaussian_matrix(9, 400, 23);
  const Matrix<double> heldout = gaussian_matrix(9, 40, 24);
  sc::sparse::OnlineLearnerOptions options = two_epochs_of_32();
  for (const int threads : {1, 2}) {
    CAPTURE(threads);
    options.coding.threads = threads;
    sc::sparse::OnlineLearner learner(options);
    // Gathers 1..12 fetch the initial atoms, 13 the first mini-batch; 15 is read during an update.
    const FailingSource source(x, 15);
    CHECK_THROWS_WITH_AS(learner.fit(source, heldout), "read error at gather 15", std::runtime_error);
  }
}

TEST_CASE("cli learn --stream: a NaN in a row of the file is named by that row, and no output is written") {
  TempDir dir("learn_stream_nan");
  Matrix<double> x = gaussian_matrix(16, 500, 32);
  x(2, 321) = std::numeric_limits<double>::infinity();
  sc::io::save_samples(dir / "X.npy", x);
  const std::string err = (dir / "err.txt").string();
  const std::string command = std::string("\"") + SPARSECODE_CLI_PATH + "\" learn --quiet --stream --atoms 10 " +
                              "--lambda 0.15 --batch-size 40 --epochs 1 --heldout-frac 0 --seed 3 --input \"" +
                              (dir / "X.npy").string() + "\" --out \"" + (dir / "D.npy").string() + "\" 2> \"" +
                              err + "\"";
  const int raw = std::system(command.c_str());
  REQUIRE(WIFEXITED(raw));
  CHECK(WEXITSTATUS(raw) == 1);
  std::ifstream in(err);
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  CHECK(text.find("sample 321 (row 321) contains NaN or Inf") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "D.npy"));
}

TEST_CASE("cli learn --stream reads mini-batches from the file and learns the in-memory dictionary") {
  TempDir dir("learn_stream");
  sc::io::save_samples(dir / "X.npy", gaussian_matrix(16, 500, 31));
  const std::string base = "learn --quiet --atoms 10 --lambda 0.15 --batch-size 40 --epochs 2 --heldout-frac 0.1 "
                           "--seed 3 --input \"" + (dir / "X.npy").string() + "\" ";
  REQUIRE(run_cli(base + "--out \"" + (dir / "memory.npy").string() + "\"") == 0);
  REQUIRE(run_cli(base + "--stream --out \"" + (dir / "stream.npy").string() + "\"") == 0);
  CHECK(file_bytes(dir / "stream.npy") == file_bytes(dir / "memory.npy"));
  CHECK(run_cli(base + "--stream --method batch --out \"" + (dir / "bad.npy").string() + "\"") == 2);
  CHECK_FALSE(fs::exists(dir / "bad.npy"));
}
