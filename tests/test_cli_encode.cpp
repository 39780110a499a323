// Tests for `sparsecode encode`: output shape and agreement with the library, exit codes, no output on error.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sys/wait.h>
#include <limits>
#include <string>

#include "sparsecode/sparse/encoder.hpp"
#include "sparsecode/io/npy.hpp"
#include "sparsecode/io/npz.hpp"
#include "tests/lasso_test_support.hpp"
#include "tests/temp_dir.hpp"

namespace fs = std::filesystem;
namespace sc = sparsecode;
using namespace sc::test;

namespace {

/// Runs `sparsecode encode ARGS`, stdout and stderr to files in `dir`; returns the exit status.
int run_encode(const TempDir& dir, const std::string& args) {
  const std::string command = std::string("\"") + SPARSECODE_CLI_PATH + "\" encode " + args + " > \"" +
                              (dir / "stdout.txt").string() + "\" 2> \"" + (dir / "stderr.txt").string() +
                              "\"";
  const int raw = std::system(command.c_str());
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
}

std::string quoted(const fs::path& p) {
  std::string q(1, '"');
  q.append(p.string()).push_back('"');
  return q;
}

struct Files {
  TempDir dir{"cli_encode"};
  fs::path dict = dir / "D.npy";
  fs::path input = dir / "X.npy";
  fs::path out = dir / "A.npy";
  Matrix<double> d = random_dictionary(8, 12, 71);  // d×k, saved as k×d
  Matrix<double> x = gaussian_matrix(8, 20, 72);    // d×N, saved as N×d

  Files() {
    sc::io::save_samples(dict, d);
    sc::io::save_samples(input, x);
  }
  std::string base() const { return "--dict " + quoted(dict) + " --input " + quoted(input) + " --out " + quoted(out); }
};

}  // namespace

TEST_CASE("cli encode writes N×k codes equal to the library's and prints a summary") {
  Files f;
  REQUIRE(run_encode(f.dir, f.base() + " --lambda 0.3 --solver cd --tol 1e-10 --threads 2") == 0);
  const sc::io::NpyHeader header = sc::io::read_npy_header(f.out);
  CHECK(header.shape == std::vector<std::size_t>{20, 12});
  const Matrix<double> codes = sc::io::load_samples<double>(f.out);  // k×N
  sc::sparse::EncodeOptions o;
  sc::solvers::CoordinateDescentOptions cd;
  cd.tolerance = 1e-10;
  o.solver = cd;
  o.penalty.lambda = 0.3;
  o.threads = 2;
  Matrix<double> expected;
  sc::sparse::encode(f.d, f.x, expected, o);
  CHECK(codes == expected);
  std::ifstream in(f.dir / "stdout.txt");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const char* field : {"mean objective", "mean non-zeros", "mean relative residual",
                            "largest duality gap", "not converged", "seconds", "patches/s"}) {
    CHECK(text.find(field) != std::string::npos);
  }
  REQUIRE(run_encode(f.dir, f.base() + " --lambda 0.3 --solver omp --omp-atoms 3 --float32 --quiet") == 0);
  CHECK(sc::io::read_npy_header(f.out).dtype == sc::io::NpyDType::float32);
  CHECK(fs::file_size(f.dir / "stdout.txt") == 0);
}

TEST_CASE("cli encode --out .npz writes scipy CSR codes equal to the dense .npy codes") {
  Files f;
  REQUIRE(run_encode(f.dir, f.base() + " --lambda 0.3 --quiet") == 0);
  const Matrix<double> dense = sc::io::load_samples<double>(f.out);  // k×N
  const fs::path npz = f.dir / "A.npz";
  const std::string common = "--dict " + quoted(f.dict) + " --input " + quoted(f.input) + " --quiet";
  REQUIRE(run_encode(f.dir, common + " --lambda 0.3 --out " + quoted(npz)) == 0);
  CHECK(sc::io::load_csr_npz(npz) == dense);
  REQUIRE(run_encode(f.dir, common + " --lambda 0.3 --float32 --out " + quoted(npz)) == 0);
  CHECK(sc::io::load_csr_npz(npz).rows() == 12);
}

TEST_CASE("cli encode: --lambda is required except for --solver omp") {
  Files f;
  CHECK(run_encode(f.dir, f.base() + " --solver omp --omp-atoms 3 --quiet") == 0);
  CHECK(fs::exists(f.out));
  fs::remove(f.out);
  CHECK(run_encode(f.dir, f.base() + " --solver cd --quiet") == 2);
  CHECK(run_encode(f.dir, f.base() + " --quiet") == 2);
  CHECK(!fs::exists(f.out));
}

namespace {
std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
}  // namespace

TEST_CASE("cli encode: non-converged samples are reported even with --quiet, --fail-on-nonconverged makes them an error") {
  Files f;
  // A relative gap of 1e-300 is out of reach: every sample stops at the iteration cap.
  const std::string unreachable = " --lambda 0.001 --solver cd --tol 1e-300 --quiet";
  REQUIRE(run_encode(f.dir, f.base() + unreachable) == 0);
  CHECK(read_text(f.dir / "stderr.txt").find(" of 20 samples did not converge") != std::string::npos);
  CHECK(fs::exists(f.out));
  fs::remove(f.out);
  CHECK(run_encode(f.dir, f.base() + unreachable + " --fail-on-nonconverged") == 1);
  CHECK(read_text(f.dir / "stderr.txt").find("did not converge") != std::string::npos);
  CHECK(!fs::exists(f.out));
  REQUIRE(run_encode(f.dir, f.base() + " --lambda 0.3 --quiet --fail-on-nonconverged") == 0);
  CHECK(read_text(f.dir / "stderr.txt").empty());
  // λ = 0 on this overcomplete dictionary (k = 12 > d = 8): refused with the reason, no output.
  fs::remove(f.out);
  CHECK(run_encode(f.dir, f.base() + " --lambda 0 --solver cd") == 1);
  CHECK(read_text(f.dir / "stderr.txt").find("overcomplete") != std::string::npos);
  CHECK(!fs::exists(f.out));
}

TEST_CASE("cli encode --threads 4096 on 500 samples runs 8 threads (one per chunk) with identical codes") {
  Files f;
  sc::io::save_samples(f.input, Matrix<double>(gaussian_matrix(8, 500, 73)));
  REQUIRE(run_encode(f.dir, f.base() + " --lambda 0.3 --threads 4096") == 0);
  CHECK(read_text(f.dir / "stdout.txt").find("threads 8") != std::string::npos);
  const Matrix<double> many = sc::io::load_samples<double>(f.out);
  REQUIRE(run_encode(f.dir, f.base() + " --lambda 0.3 --threads 1 --quiet") == 0);
  CHECK(sc::io::load_samples<double>(f.out) == many);
}

TEST_CASE("cli encode --polish and --screening reach the library's fista codes with the same options") {
  Files f;
  for (const char* polish : {"stable-signs", "none"}) {
    for (const char* screening : {"none", "gap-safe"}) {
      CAPTURE(polish);
      CAPTURE(screening);
      REQUIRE(run_encode(f.dir, f.base() + " --lambda 0.3 --solver fista --tol 1e-9 --threads 2 --polish " +
                                    polish + " --screening " + screening) == 0);
      sc::sparse::EncodeOptions o;
      sc::solvers::ProximalGradientOptions fista;
      fista.tolerance = 1e-9;
      fista.polishing = std::string(polish) == "none" ? sc::solvers::FacePolishing::none
                                                      : sc::solvers::FacePolishing::stable_signs;
      fista.screening = std::string(screening) == "none" ? sc::solvers::ScreeningRule::none
                                                         : sc::solvers::ScreeningRule::gap_safe;
      o.solver = fista;
      o.penalty.lambda = 0.3;
      o.threads = 2;
      Matrix<double> expected;
      const sc::sparse::EncodeSummary s = sc::sparse::encode(f.d, f.x, expected, o);
      CHECK(s.not_converged == 0);
      CHECK(s.max_relative_gap <= 1e-9);
      CHECK(sc::io::load_samples<double>(f.out) == expected);
    }
  }
  CHECK(run_encode(f.dir, f.base() + " --lambda 0.3 --solver fista --polish always") == 2);
  CHECK(run_encode(f.dir, f.base() + " --lambda 0.3 --solver fista --screening strong") == 2);
}

TEST_CASE("cli encode --arithmetic: lars and fista reach the library's codes, mixed and full agree") {
  Files f;
  for (const char* solver : {"lars", "fista"}) {
    Matrix<double> by_arithmetic[2];
    int i = 0;
    for (const char* arithmetic : {"mixed", "full"}) {
      CAPTURE(solver);
      CAPTURE(arithmetic);
      REQUIRE(run_encode(f.dir, f.base() + " --lambda 0.3 --tol 1e-10 --threads 2 --solver " + solver +
                                    " --arithmetic " + arithmetic) == 0);
      sc::sparse::EncodeOptions o;
      const sc::solvers::Arithmetic mode =
          std::string(arithmetic) == "full" ? sc::solvers::Arithmetic::full : sc::solvers::Arithmetic::mixed;
      if (std::string(solver) == "lars") {
        sc::solvers::LarsOptions lars;
        lars.arithmetic = mode;
        o.solver = lars;
      } else {
        sc::solvers::ProximalGradientOptions fista;
        fista.tolerance = 1e-10;
        fista.arithmetic = mode;
        o.solver = fista;
      }
      o.penalty.lambda = 0.3;
      o.threads = 2;
      Matrix<double> expected;
      const sc::sparse::EncodeSummary s = sc::sparse::encode(f.d, f.x, expected, o);
      CHECK(s.not_converged == 0);
      CHECK(s.max_relative_gap <= 1e-10);
      by_arithmetic[i] = sc::io::load_samples<double>(f.out);
      CHECK(by_arithmetic[i] == expected);
      ++i;
    }
    // LARS: the same active sets and final solves, so round-off apart; FISTA: two runs to a
    // relative gap of 1e-10, which bounds their distance by about √1e-10.
    const double apart = std::string(solver) == "lars" ? 1e-12 : 1e-4;
    CHECK((by_arithmetic[0] - by_arithmetic[1]).cwiseAbs().maxCoeff() <= apart);
    CHECK((by_arithmetic[1].array() != 0).count() > 0);
  }
  CHECK(run_encode(f.dir, f.base() + " --lambda 0.3 --arithmetic half") == 2);
}

TEST_CASE("cli encode: a NaN in a later block is named by its row of the file, for .npy and .npz outputs") {
  Files f;
  Matrix<double> x = gaussian_matrix(8, 300, 74);
  x(5, 200) = std::numeric_limits<double>::quiet_NaN();  // row 200: the fourth block of 64
  sc::io::save_samples(f.input, x);
  for (const fs::path& out : {f.dir / "A.npy", f.dir / "A.npz"}) {
    CAPTURE(out.string());
    CHECK(run_encode(f.dir, "--dict " + quoted(f.dict) + " --input " + quoted(f.input) + " --out " + quoted(out) +
                                " --lambda 0.1 --block-rows 64") == 1);
    CHECK(read_text(f.dir / "stderr.txt").find("sample 200 (row 200) contains NaN") != std::string::npos);
    CHECK(!fs::exists(out));
  }
}

TEST_CASE("cli encode: usage errors exit 2, data errors exit 1, never an output file") {
  Files f;
  CHECK(run_encode(f.dir, f.base() + " --lambda -1") == 2);
  CHECK(run_encode(f.dir, f.base() + " --lambda 0.1 --solver lasso") == 2);
  CHECK(run_encode(f.dir, f.base() + " --lambda 0.1 --tol 0") == 2);
  CHECK(run_encode(f.dir, f.base() + " --lambda 0.1 --threads -1") == 2);
  CHECK(run_encode(f.dir, "--dict " + quoted(f.dict) + " --lambda 0.1 --out " + quoted(f.out)) == 2);
  CHECK(!fs::exists(f.out));

  sc::io::save_samples(f.input, gaussian_matrix(7, 5, 73));  // wrong dimension
  CHECK(run_encode(f.dir, f.base() + " --lambda 0.1") == 1);
  CHECK(!fs::exists(f.out));

  Matrix<double> x = f.x;
  x(3, 4) = std::numeric_limits<double>::quiet_NaN();
  sc::io::save_samples(f.input, x);
  CHECK(run_encode(f.dir, f.base() + " --lambda 0.1") == 1);
  CHECK(!fs::exists(f.out));

  sc::io::save_samples(f.input, f.x);
  sc::io::save_samples(f.dict, Matrix<double>(2.0 * f.d));  // atoms of norm 2
  CHECK(run_encode(f.dir, f.base() + " --lambda 0.1") == 1);
  CHECK(!fs::exists(f.out));
  std::ifstream in(f.dir / "stderr.txt");
  std::string line;
  std::getline(in, line);
  CHECK(line.find("norm") != std::string::npos);
  CHECK(run_encode(f.dir, f.base() + " --lambda 0.1 --normalize-dict") == 0);
  CHECK(fs::exists(f.out));
}
