// Tests of `sparsecode classify`: train/predict round trip, printed accuracy, exit codes, no output on errors.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>

#include "sparsecode/classify/model_io.hpp"
#include "sparsecode/io/checkpoint.hpp"
#include "sparsecode/io/image_io.hpp"
#include "sparsecode/io/npy.hpp"
#include "tests/classify_test_support.hpp"
#include "tests/temp_dir.hpp"

namespace cls = sparsecode::classify;
namespace fs = std::filesystem;
using sparsecode::Index;
using sparsecode::Matrix;
using sparsecode::Vector;
using sparsecode::test::TempDir;

namespace {

struct Result {
  int status = -1;
  std::string out, err;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

Result run(const TempDir& dir, const std::string& args) {
  const std::string command = std::string("cd \"") + dir.path().string() + "\" && \"" + SPARSECODE_CLI_PATH +
                              "\" classify " + args + " 2>stderr.txt >stdout.txt";
  const int raw = std::system(command.c_str());
  return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, slurp(dir / "stdout.txt"), slurp(dir / "stderr.txt")};
}

void save_labels(const fs::path& path, const std::vector<int>& labels) {
  Vector<std::int64_t> v(static_cast<Index>(labels.size()));
  for (std::size_t i = 0; i < labels.size(); ++i) v(static_cast<Index>(i)) = labels[i];
  sparsecode::io::save_vector<std::int64_t>(path, v);
}

/// One line on stderr, naming `part`.
void check_one_line(const Result& r, const std::string& part) {
  CAPTURE(r.err);
  CHECK(r.err.find(part) != std::string::npos);
  CHECK(r.err.find('\n') == r.err.size() - 1);
}

}  // namespace

TEST_CASE("classify CLI: train then predict round trip, accuracy printed, confusion PNG written") {
  TempDir dir("classify_cli");
  const auto train = sparsecode::test::toy_data(6, 900, 3, 2.0, 1.0, 21);
  const auto test = sparsecode::test::toy_data(6, 300, 3, 2.0, 1.0, 21);
  sparsecode::io::save_samples<float>(dir / "f.npy", train.features);
  sparsecode::io::save_samples<double>(dir / "t.npy", test.features.cast<double>());  // float64 accepted
  save_labels(dir / "y.npy", train.labels);
  save_labels(dir / "yt.npy", test.labels);
  Result r = run(dir, "train --features f.npy --labels y.npy --out c.bin --log log.csv --seed 2");
  REQUIRE(r.status == 0);
  CHECK(r.err.find("classify: softmax, l2 ") != std::string::npos);  // summary unless --quiet
  CHECK(r.err.find('\r') == std::string::npos);                      // no progress line off a terminal
  CHECK(slurp(dir / "log.csv").rfind("stage,l2,iteration,objective,validation_accuracy,seconds\n", 0) == 0);
  CHECK(slurp(dir / "log.csv").find("\nrefit,") != std::string::npos);

  r = run(dir, "predict --model c.bin --features t.npy --out p.npy --labels yt.npy --confusion-png cm.png");
  REQUIRE(r.status == 0);
  CHECK(r.out.rfind("accuracy ", 0) == 0);
  CHECK(r.out.find("class 2: accuracy") != std::string::npos);
  const Vector<std::int64_t> predicted = sparsecode::io::load_vector<std::int64_t>(dir / "p.npy");
  const std::vector<int> expected = cls::load_classifier(dir / "c.bin").predict(test.features);
  REQUIRE(predicted.size() == static_cast<Index>(expected.size()));
  int correct = 0;
  for (Index i = 0; i < predicted.size(); ++i) {
    CHECK(predicted(i) == expected[static_cast<std::size_t>(i)]);
    correct += predicted(i) == test.labels[static_cast<std::size_t>(i)] ? 1 : 0;
  }
  CHECK(r.out.find("(300 samples)") != std::string::npos);
  CHECK(correct > 270);
  const auto png = sparsecode::io::load_image(dir / "cm.png");
  CHECK(png.pixels.rows() > 3 * 40);

  // The same run with --quiet prints nothing on stderr; squared hinge and a fixed l2 also work.
  r = run(dir, "train --features f.npy --labels y.npy --out c2.bin --loss squared-hinge --l2 1e-3 --quiet");
  CHECK(r.status == 0);
  CHECK(r.err.empty());
  CHECK(cls::load_classifier(dir / "c2.bin").l2 == 1e-3);
}

TEST_CASE("classify CLI: bad inputs fail with one line, the right exit code and no output file") {
  TempDir dir("classify_cli_bad");
  const auto d = sparsecode::test::toy_data(4, 60, 2, 2.0, 1.0, 22);
  sparsecode::io::save_samples<float>(dir / "f.npy", d.features);
  save_labels(dir / "y.npy", d.labels);
  save_labels(dir / "short.npy", std::vector<int>(d.labels.begin(), d.labels.end() - 1));
  std::vector<int> negative = d.labels;
  negative[5] = -2;
  save_labels(dir / "neg.npy", negative);
  Matrix<float> nan = d.features;
  nan(0, 3) = std::numeric_limits<float>::quiet_NaN();
  sparsecode::io::save_samples<float>(dir / "nan.npy", nan);
  sparsecode::io::Checkpoint extractor;
  extractor.set_string("kind", "features-extractor");
  extractor.save(dir / "extractor.bin");

  const auto fails = [&](const std::string& args, int status, const std::string& part) {
    CAPTURE(args);
    const Result r = run(dir, args);
    CHECK(r.status == status);
    check_one_line(r, part);
    CHECK(!fs::exists(dir / "out.bin"));
    CHECK(!fs::exists(dir / "p.npy"));
  };
  sparsecode::io::NpyArray empty;
  empty.dtype = sparsecode::io::NpyDType::float32;
  empty.shape = {0, 4};
  sparsecode::io::write_npy(dir / "empty.npy", empty);
  fails("train --features empty.npy --labels y.npy --out out.bin", 1, "empty.npy");
  fails("train --features nan.npy --labels y.npy --out out.bin", 1, "NaN");
  fails("train --features f.npy --labels short.npy --out out.bin", 1, "59 labels");
  fails("train --features f.npy --labels neg.npy --out out.bin", 1, "label -2");
  fails("train --features f.npy --labels y.npy --out out.bin --l2 much", 2, "--l2");
  fails("train --features f.npy --labels y.npy --out out.bin --dropout 1.5", 2, "--dropout");
  fails("train --features f.npy --labels y.npy --out nodir/out.bin", 2, "does not exist");
  fails("train --features f.npy --labels y.npy --out out.bin --log out.bin", 2, "same file");
  fails("predict --model extractor.bin --features f.npy --out p.npy", 1, "not a classifier");
  fails("predict --model missing.bin --features f.npy --out p.npy", 1, "missing.bin");

  REQUIRE(run(dir, "train --features f.npy --labels y.npy --out c.bin --l2 0.01 --quiet").status == 0);
  fails("predict --model c.bin --features f.npy --out p.npy --confusion-png cm.png", 2, "--labels");
  fails("predict --model c.bin --features nan.npy --out p.npy", 1, "NaN");
  fails("predict --model c.bin --features f.npy --out p.npy --labels short.npy", 1, "59 labels");
  Matrix<float> wide(5, 10);
  wide.setOnes();
  sparsecode::io::save_samples<float>(dir / "wide.npy", wide);
  fails("predict --model c.bin --features wide.npy --out p.npy", 1, "expects 4");
}
