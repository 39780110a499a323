// Tests for `sparsecode features fit|transform`: agreement with the library, exit codes, no output on error.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "sparsecode/features/extractor.hpp"
#include "sparsecode/io/checkpoint.hpp"
#include "sparsecode/io/npy.hpp"
#include "tests/features_test_support.hpp"
#include "tests/temp_dir.hpp"

namespace fs = std::filesystem;
namespace sc = sparsecode;
using sc::Matrix;

namespace {

std::string quoted(const fs::path& p) {
  std::string q(1, '"');
  q.append(p.string()).push_back('"');
  return q;
}

/// Runs `sparsecode features ARGS` with stdout and stderr to files in `dir`; returns the exit status.
int run_features(const sc::test::TempDir& dir, const std::string& args) {
  const std::string command = quoted(SPARSECODE_CLI_PATH) + " features " + args + " > " +
                              quoted(dir / "stdout.txt") + " 2> " + quoted(dir / "stderr.txt");
  const int raw = std::system(command.c_str());
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct Files {
  sc::test::TempDir dir{"cli_features"};
  fs::path train = dir / "train.npy";
  fs::path test = dir / "test.npy";
  fs::path other = dir / "other.npy";
  fs::path model = dir / "extractor.bin";
  fs::path png = dir / "filters.png";
  fs::path out = dir / "F.npy";
  Matrix<float> train_images = sc::test::random_images(30, 12, 10, 21);
  Matrix<float> test_images = sc::test::random_images(9, 12, 10, 22);

  Files() {
    sc::test::write_image_stack_npy(train, train_images, 12, 10);
    sc::test::write_image_stack_npy(test, test_images, 12, 10);
    sc::test::write_image_stack_npy(other, sc::test::random_images(4, 10, 12, 23), 10, 12);
  }
  std::string fit_args(int patch = 5) const {
    return "fit --images " + quoted(train) + " --patch " + std::to_string(patch) + " --atoms 8 --patches-count 800 --grid 1,2 --alpha 0.3 --out " +
           quoted(model);
  }
};

}  // namespace

TEST_CASE("cli features fit and transform write the library's extractor and N×F features") {
  Files f;
  REQUIRE(run_features(f.dir, f.fit_args() + " --threads 2 --png " + quoted(f.png)) == 0);
  CHECK(fs::exists(f.png));
  CHECK(read_text(f.dir / "stdout.txt").find("features per image") != std::string::npos);
  const sc::features::Extractor e = sc::features::Extractor::load(f.model);
  CHECK(e.options().atoms == 8);
  CHECK(e.options().patch == 5);
  CHECK(e.options().grids == std::vector<int>{1, 2});
  CHECK(e.options().alpha == 0.3);
  sc::features::ExtractorOptions o = e.options();  // the library, fitted with the same options, agrees
  const sc::features::Extractor direct = sc::features::Extractor::fit(f.train_images, {12, 10}, o, 1);
  CHECK(direct.dictionary() == e.dictionary());

  REQUIRE(run_features(f.dir, "transform --model " + quoted(f.model) + " --images " + quoted(f.test) +
                                  " --quiet --out " + quoted(f.out)) == 0);
  CHECK(fs::file_size(f.dir / "stdout.txt") == 0);
  const sc::io::NpyHeader header = sc::io::read_npy_header(f.out);
  CHECK(header.dtype == sc::io::NpyDType::float32);
  CHECK(header.shape == std::vector<std::size_t>{9, static_cast<std::size_t>(e.feature_count())});
  CHECK(sc::io::load_samples<float>(f.out) == e.transform(f.test_images, {12, 10}, 1));

  // More images than two of the command's blocks (1,024 images each, written while the next is
  // transformed): the same rows, in order.
  const Matrix<float> many = sc::test::random_images(2100, 12, 10, 24);
  sc::test::write_image_stack_npy(f.dir / "many.npy", many, 12, 10);
  REQUIRE(run_features(f.dir, "transform --model " + quoted(f.model) + " --images " + quoted(f.dir / "many.npy") +
                                  " --threads 2 --out " + quoted(f.out)) == 0);
  CHECK(read_text(f.dir / "stdout.txt").find("images                  2100") != std::string::npos);
  CHECK(sc::io::load_samples<float>(f.out) == e.transform(many, {12, 10}, 1));
}

TEST_CASE("cli features rejects bad input with one line, a non-zero status and no output file") {
  Files f;
  // Usage errors (status 2) are found before any work.
  CHECK(run_features(f.dir, f.fit_args() + " --grid 0") == 2);
  CHECK(run_features(f.dir, f.fit_args() + " --encoder sae") == 2);
  CHECK(read_text(f.dir / "stderr.txt").find("autoencoder") != std::string::npos);
  CHECK(run_features(f.dir, "fit --images " + quoted(f.train) + " --out " + quoted(f.dir / "missing" / "e.bin")) == 2);
  CHECK(run_features(f.dir, f.fit_args() + " --png " + quoted(f.model)) == 2);
  CHECK_FALSE(fs::exists(f.model));
  // Data errors (status 1): a patch larger than the images.
  CHECK(run_features(f.dir, f.fit_args(11) + " --png " + quoted(f.png)) == 1);
  CHECK(read_text(f.dir / "stderr.txt").find("larger than the image") != std::string::npos);
  CHECK_FALSE(fs::exists(f.model));
  CHECK_FALSE(fs::exists(f.png));

  REQUIRE(run_features(f.dir, f.fit_args() + " --quiet") == 0);
  // Images of another size than the extractor's.
  CHECK(run_features(f.dir, "transform --model " + quoted(f.model) + " --images " + quoted(f.other) + " --out " +
                                quoted(f.out)) == 1);
  const std::string message = read_text(f.dir / "stderr.txt");
  CHECK(message.find("10x12") != std::string::npos);
  CHECK(message.find("12x10") != std::string::npos);
  CHECK(std::count(message.begin(), message.end(), '\n') == 1);
  CHECK_FALSE(fs::exists(f.out));
  // A file of another kind as the model.
  sc::io::Checkpoint learner;
  learner.set_int("iteration", 1);
  learner.save(f.dir / "learner.ckpt");
  CHECK(run_features(f.dir, "transform --model " + quoted(f.dir / "learner.ckpt") + " --images " + quoted(f.test) +
                                " --out " + quoted(f.out)) == 1);
  CHECK(read_text(f.dir / "stderr.txt").find("is not a feature extractor") != std::string::npos);
  CHECK_FALSE(fs::exists(f.out));
}
