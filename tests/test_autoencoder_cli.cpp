// Tests of `sparsecode autoencoder`: outputs and their shapes, exit codes, no file left behind on errors.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "sparsecode/autoencoder/model_io.hpp"
#include "sparsecode/io/npy.hpp"
#include "sparsecode/io/npz.hpp"
#include "tests/autoencoder_test_support.hpp"
#include "tests/temp_dir.hpp"

namespace ae = sparsecode::autoencoder;
namespace fs = std::filesystem;
using sparsecode::test::TempDir;

namespace {

struct Result {
  int status = -1;
  std::string err;
};

Result run(const TempDir& dir, const std::string& args) {
  const fs::path err = dir / "stderr.txt";
  const std::string command = std::string("cd \"") + dir.path().string() + "\" && \"" +
                              SPARSECODE_CLI_PATH + "\" autoencoder " + args + " 2>\"" +
                              err.string() + "\" >/dev/null";
  const int raw = std::system(command.c_str());
  std::ifstream in(err);
  return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1,
          {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()}};
}

}  // namespace

TEST_CASE("autoencoder CLI: train, encode and export write consistent files") {
  TempDir dir("ae_cli");
  const sparsecode::Matrix<double> x = sparsecode::test::uniform_data(16, 300, 0.1, 0.9, 5);
  sparsecode::io::save_samples<double>(dir / "x.npy", x);
  Result r = run(dir, "train --input x.npy --hidden 6 --max-iter 20 --out m.sae --png f.png "
                      "--log c.csv --curve-png cv.png --threads 1 --seed 3");
  REQUIRE(r.status == 0);
  CHECK(r.err.find("mean rho_hat") != std::string::npos);  // summary unless --quiet
  CHECK(r.err.find('\r') == std::string::npos);            // no progress line off a terminal
  CHECK(fs::file_size(dir / "f.png") > 0);
  CHECK(fs::file_size(dir / "cv.png") > 0);
  std::ifstream log(dir / "c.csv");
  std::string header, line;
  std::getline(log, header);
  CHECK(header.rfind("iteration,cost,reconstruction,weight_decay,sparsity,l1,mean_rho_hat", 0) == 0);
  int rows = 0;
  while (std::getline(log, line)) {
    ++rows;
  }
  CHECK(rows == 20);
  const ae::SavedModel saved = ae::load_model(dir / "m.sae");
  CHECK(saved.model.architecture().hidden == 6);

  REQUIRE(run(dir, "encode --model m.sae --input x.npy --out h.npy").status == 0);
  const sparsecode::Matrix<double> h = sparsecode::io::load_samples<double>(dir / "h.npy");
  CHECK(h.rows() == 6);
  CHECK(h.cols() == 300);
  CHECK((h - saved.model.encode(x)).cwiseAbs().maxCoeff() == 0.0);
  REQUIRE(run(dir, "encode --model m.sae --input x.npy --out h.npz").status == 0);
  CHECK(sparsecode::io::load_csr_npz(dir / "h.npz") == h);  // scipy CSR, same values

  REQUIRE(run(dir, "export --model m.sae --dir out").status == 0);
  const sparsecode::io::NpyArray w1 = sparsecode::io::read_npy(dir / "out" / "W1.npy");
  const sparsecode::io::NpyArray w2 = sparsecode::io::read_npy(dir / "out" / "W2.npy");
  CHECK(w1.shape == std::vector<std::size_t>{6, 16});
  CHECK(w2.shape == std::vector<std::size_t>{16, 6});
  CHECK(sparsecode::io::load_samples<double>(dir / "out" / "W1.npy") == saved.model.W1().transpose());
  CHECK(sparsecode::io::load_vector<double>(dir / "out" / "b2.npy") == saved.model.b2());

  r = run(dir, "train --input x.npy --hidden 4 --optimizer adam --epochs 3 --val-frac 0.2 "
               "--out a.sae --quiet");
  CHECK(r.status == 0);
  CHECK(r.err.empty());
  CHECK(fs::exists(dir / "a.sae"));
}

TEST_CASE("autoencoder CLI: usage and data errors exit 2 / 1 and leave no output") {
  TempDir dir("ae_cli_err");
  sparsecode::io::save_samples<double>(dir / "x.npy", sparsecode::test::uniform_data(9, 50, 0.1, 0.9, 1));
  sparsecode::io::save_samples<double>(dir / "wide.npy", sparsecode::test::uniform_data(9, 50, -2.0, 2.0, 1));
  sparsecode::io::save_samples<double>(dir / "odd.npy", sparsecode::test::uniform_data(5, 50, 0.1, 0.9, 1));
  const auto check = [&](const std::string& args, int status, const std::string& message) {
    CAPTURE(args);
    const Result r = run(dir, args + " --out o.sae");
    CHECK(r.status == status);
    CHECK(r.err.find(message) != std::string::npos);
    CHECK(!fs::exists(dir / "o.sae"));
  };
  check("train --input x.npy --hidden 0", 2, "--hidden");
  check("train --input x.npy --hidden 3 --rho 1.5", 2, "rho");
  check("train --input x.npy --hidden 3 --optimizer newton", 2, "--optimizer");
  check("train --input x.npy --hidden 3 --epochs 4", 2, "--epochs applies to --optimizer adam");
  check("train --input x.npy --hidden 3 --optimizer adam --max-iter 4", 2, "--max-iter");
  check("train --input odd.npy --hidden 3 --png f.png", 2, "perfect square");
  check("train --input wide.npy --hidden 3", 1, "[0, 1] for a sigmoid decoder");
  check("train --input missing.npy --hidden 3", 1, "missing.npy");
  // Options and output paths are checked before any work.
  check("train --input x.npy --hidden 3 --log no_such_dir/log.csv", 2, "no_such_dir");
  check("train --input odd.npy --hidden 3 --png f.png --log log.csv --curve-png c.png", 2, "perfect square");
  CHECK(!fs::exists(dir / "log.csv"));
  CHECK(!fs::exists(dir / "c.png"));
  CHECK(!fs::exists(dir / "f.png"));
  // A linear decoder takes the same data.
  CHECK(run(dir, "train --input wide.npy --hidden 3 --decoder linear --max-iter 5 --out l.sae").status == 0);
  // encode with a wrong model or dimension
  Result r = run(dir, "encode --model x.npy --input x.npy --out h.npy");
  CHECK(r.status == 1);
  CHECK(r.err.find("not a valid sparse autoencoder model file") != std::string::npos);
  r = run(dir, "encode --model l.sae --input odd.npy --out h.npy");
  CHECK(r.status == 1);
  CHECK(r.err.find("expects d = 9") != std::string::npos);
  CHECK(!fs::exists(dir / "h.npy"));
}
