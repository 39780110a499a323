// Tests for the `sparsecode` executable: outputs of patches/whiten/montage, exit codes, no partial files.
#include <doctest/doctest.h>

#include <stb_image.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "sparsecode/io/image_io.hpp"
#include "sparsecode/viz/montage.hpp"
#include "sparsecode/io/npy.hpp"
#include "sparsecode/preprocess/patches.hpp"
#include "sparsecode/preprocess/whitening.hpp"
#include "sparsecode/preprocess/zca.hpp"

namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct Run {
  int status = -1;
  std::string out;
  std::string err;
};

/// A scratch area: images/ (three 24×24 PNGs), out/ (where commands write), logs/.
class Scratch {
 public:
  explicit Scratch(const std::string& tag)
      : base_(fs::temp_directory_path() /
              ("sparsecode_cli_" + tag + "_" + std::to_string(::getpid()))) {
    fs::remove_all(base_);
    fs::create_directories(images());
    fs::create_directories(out());
    fs::create_directories(base_ / "logs");
    std::mt19937_64 rng(17);
    for (const char* name : {"a.png", "b.png", "c.png"}) {
      std::vector<unsigned char> pixels(24 * 24);
      for (auto& p : pixels) {
        p = static_cast<unsigned char>(rng() >> 56);
      }
      sparsecode::io::write_png_gray8(images() / name, 24, 24, pixels);
    }
  }
  ~Scratch() { fs::remove_all(base_); }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;

  fs::path base() const { return base_; }
  fs::path images() const { return base_ / "images"; }
  fs::path out() const { return base_ / "out"; }
  std::string images_arg() const { return "\"" + images().string() + "\""; }
  std::string out_arg(const std::string& name) const {
    return "\"" + (out() / name).string() + "\"";
  }

  Run run(const std::string& args) const {
    const fs::path out_log = base_ / "logs" / "stdout.txt";
    const fs::path err_log = base_ / "logs" / "stderr.txt";
    const std::string command = std::string("\"") + SPARSECODE_CLI_PATH + "\" " + args + " >\"" +
                                out_log.string() + "\" 2>\"" + err_log.string() + "\"";
    const int raw = std::system(command.c_str());
    Run result;
    result.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    result.out = read_text(out_log);
    result.err = read_text(err_log);
    return result;
  }

  bool out_is_empty() const { return fs::is_empty(out()); }

 private:
  fs::path base_;
};

sparsecode::Matrix<double> library_patches(const std::vector<sparsecode::io::Image>& images, long long count,
                                   std::uint64_t seed) {
  sparsecode::preprocess::PatchOptions o;
  o.size = 8;
  o.count = count;
  o.seed = seed;
  return sparsecode::preprocess::extract_patches(images, o);
}

bool one_line(const std::string& text) {
  return std::count(text.begin(), text.end(), '\n') == 1 && text.back() == '\n';
}

}  // namespace

TEST_CASE("cli: --version and --help of every subcommand exit 0") {
  const Scratch s("help");
  const Run version = s.run("--version");
  CHECK(version.status == 0);
  CHECK(version.out.find(std::string("sparsecode ") + SPARSECODE_VERSION) != std::string::npos);
  CHECK(s.run("--help").status == 0);
  for (const std::string command : {"patches", "whiten", "montage"}) {
    const Run help = s.run(command + " --help");
    CHECK(help.status == 0);
    CHECK(help.out.find("--out") != std::string::npos);
  }
}

TEST_CASE("cli patches: N×P² samples, deterministic per seed and equal to the library's") {
  const Scratch s("patches");
  const std::vector<sparsecode::io::Image> images = sparsecode::io::load_image_directory(s.images()).images;
  const std::string common = "patches --images " + s.images_arg() + " --size 8 --count 40 ";
  REQUIRE(s.run(common + "--whiten none --seed 5 --out " + s.out_arg("a.npy")).status == 0);
  REQUIRE(s.run(common + "--whiten none --seed 5 --out " + s.out_arg("b.npy")).status == 0);
  REQUIRE(s.run(common + "--whiten none --seed 6 --out " + s.out_arg("c.npy")).status == 0);
  const sparsecode::io::NpyHeader header = sparsecode::io::read_npy_header(s.out() / "a.npy");
  CHECK(header.shape == std::vector<std::size_t>{40, 64});
  CHECK(header.dtype == sparsecode::io::NpyDType::float64);
  const sparsecode::Matrix<double> a = sparsecode::io::load_samples<double>(s.out() / "a.npy");
  CHECK(a == sparsecode::io::load_samples<double>(s.out() / "b.npy"));
  CHECK(a != sparsecode::io::load_samples<double>(s.out() / "c.npy"));
  CHECK(a == library_patches(images, 40, 5));

  REQUIRE(s.run(common + "--seed 5 --float32 --out " + s.out_arg("f.npy")).status == 0);
  CHECK(sparsecode::io::read_npy_header(s.out() / "f.npy").dtype == sparsecode::io::NpyDType::float32);
  const sparsecode::Matrix<double> whitened = library_patches(sparsecode::preprocess::whiten_images(images), 40, 5);
  CHECK(sparsecode::io::load_samples<float>(s.out() / "f.npy") == whitened.cast<float>());

  // Grid: 3 images × ((24 − 8)/4 + 1)² positions.
  REQUIRE(s.run("patches --images " + s.images_arg() +
                " --size 8 --grid --stride 4 --no-mean-removal --contrast --out " +
                s.out_arg("g.npy"))
              .status == 0);
  CHECK(sparsecode::io::read_npy_header(s.out() / "g.npy").shape == std::vector<std::size_t>{75, 64});
}

TEST_CASE("cli patches: a ZCA transform is fitted, saved and reapplied to new patches") {
  const Scratch s("zca");
  const std::vector<sparsecode::io::Image> images = sparsecode::io::load_image_directory(s.images()).images;
  const std::string common =
      "patches --images " + s.images_arg() + " --size 8 --count 300 --whiten none ";
  REQUIRE(s.run(common + "--seed 1 --zca 0.01 --zca-out " + s.out_arg("t.npy") + " --out " +
                s.out_arg("x.npy"))
              .status == 0);
  CHECK(sparsecode::io::read_npy_header(s.out() / "t.npy").shape == std::vector<std::size_t>{65, 64});
  const sparsecode::Matrix<double> raw = library_patches(images, 300, 1);
  sparsecode::preprocess::ZcaWhitening fitted;
  fitted.fit(raw, 0.01);
  const sparsecode::Matrix<double> x = sparsecode::io::load_samples<double>(s.out() / "x.npy");
  CHECK((x - fitted.transform(raw)).cwiseAbs().maxCoeff() < 1e-10);

  REQUIRE(s.run(common + "--seed 2 --zca-in " + s.out_arg("t.npy") + " --out " +
                s.out_arg("y.npy"))
              .status == 0);
  const sparsecode::preprocess::ZcaWhitening saved = sparsecode::preprocess::ZcaWhitening::load(s.out() / "t.npy");
  CHECK(sparsecode::io::load_samples<double>(s.out() / "y.npy") ==
        saved.transform(library_patches(images, 300, 2)));
}

TEST_CASE("cli patches: skipped files are reported on stderr unless --quiet") {
  const Scratch s("warnings");
  std::ofstream(s.images() / "notes.txt") << "not an image";
  const std::string command = "patches --images " + s.images_arg() +
                              " --size 8 --count 5 --whiten none --out " + s.out_arg("x.npy");
  const Run loud = s.run(command);
  CHECK(loud.status == 0);
  CHECK(loud.err.find("notes.txt") != std::string::npos);
  const Run quiet = s.run(command + " --quiet");
  CHECK(quiet.status == 0);
  CHECK(quiet.err.empty());
}

TEST_CASE("cli whiten: one row per whitened image and a PNG preview of them") {
  const Scratch s("whiten");
  REQUIRE(s.run("whiten --images " + s.images_arg() + " --out " + s.out_arg("w.npy") + " --png " +
                s.out_arg("w.png"))
              .status == 0);
  CHECK(sparsecode::io::read_npy_header(s.out() / "w.npy").shape == std::vector<std::size_t>{3, 576});
  const sparsecode::Matrix<double> w = sparsecode::io::load_samples<double>(s.out() / "w.npy");
  const std::vector<sparsecode::io::Image> expected =
      sparsecode::preprocess::whiten_images(sparsecode::io::load_image_directory(s.images()).images);
  // Row i of the file is image i in row-major order.
  for (sparsecode::Index i = 0; i < 3; ++i) {
    const sparsecode::Matrix<double> transposed = expected[static_cast<std::size_t>(i)].pixels.transpose();
    CHECK(w.col(i) == Eigen::Map<const sparsecode::Vector<double>>(transposed.data(), 576));
  }
  sparsecode::viz::MontageOptions preview;
  preview.patch_height = 24;
  preview.patch_width = 24;
  const sparsecode::viz::GrayImage want = sparsecode::viz::render_montage(w, preview);
  int width = 0;
  int height = 0;
  int channels = 0;
  unsigned char* png = stbi_load((s.out() / "w.png").c_str(), &width, &height, &channels, 1);
  REQUIRE(png != nullptr);
  CHECK(width == want.width);
  CHECK(height == want.height);
  CHECK(std::equal(want.pixels.begin(), want.pixels.end(), png));
  stbi_image_free(png);
}

TEST_CASE("cli montage: the PNG holds exactly render_montage of the k×d dictionary") {
  const Scratch s("montage");
  std::mt19937_64 rng(3);
  std::normal_distribution<double> normal;
  sparsecode::Matrix<double> atoms(16, 5);  // d = 16, k = 5: the file is 5×16
  for (sparsecode::Index i = 0; i < atoms.size(); ++i) {
    atoms(i) = normal(rng);
  }
  sparsecode::io::save_samples(s.out() / "d.npy", atoms);
  sparsecode::io::save_samples(s.out() / "d32.npy", atoms.cast<float>().eval());
  for (const auto& [args, shape] : std::vector<std::pair<std::string, sparsecode::viz::MontageOptions>>{
           {"--dict " + s.out_arg("d.npy") + " --scale 2", {0, 0, 2, 1}},
           {"--dict " + s.out_arg("d32.npy") + " --patch-shape 2x8", {2, 8, 1, 1}}}) {
    REQUIRE(s.run("montage " + args + " --out " + s.out_arg("f.png")).status == 0);
    const sparsecode::viz::GrayImage want = shape.patch_height == 0
                                   ? sparsecode::viz::render_montage(atoms, shape)
                                   : sparsecode::viz::render_montage(atoms.cast<float>().eval(), shape);
    int width = 0;
    int height = 0;
    int channels = 0;
    unsigned char* png = stbi_load((s.out() / "f.png").c_str(), &width, &height, &channels, 1);
    REQUIRE(png != nullptr);
    CHECK(width == want.width);
    CHECK(height == want.height);
    CHECK(std::equal(want.pixels.begin(), want.pixels.end(), png));
    stbi_image_free(png);
  }
}

TEST_CASE("cli usage errors exit 2 with one line naming the option and write nothing") {
  const Scratch s("usage");
  const std::string images = "--images " + s.images_arg();
  const std::string out = " --out " + s.out_arg("x.npy");
  const std::string patches = "patches " + images + " --size 8 ";
  const std::vector<std::pair<std::string, std::string>> cases{
      {"patches --size 8 --count 5" + out, "--images"},
      {patches + "--count 5", "--out"},
      {"patches " + images + " --count 5" + out, "--size"},
      {"patches " + images + " --size 0 --count 5" + out, "--size"},
      {"patches " + images + " --size 8x --count 5" + out, "--size"},
      {patches + "--count 0" + out, "--count"},
      {patches + out, "--count"},
      {patches + "--count 5 --border -1" + out, "--border"},
      {patches + "--count 5 --whiten zca" + out, "--whiten"},
      {patches + "--count 5 --zca -0.5" + out, "--zca"},
      {patches + "--count 5 --zca-out " + s.out_arg("t.npy") + out, "--zca-out"},
      {patches + "--count 5 --zca 0.1 --zca-in " + s.out_arg("t.npy") + out, "--zca"},
      {patches + "--count 5 --stride 2" + out, "--stride"},
      {patches + "--grid --count 5" + out, "--count"},
      {patches + "--count 5 --seed -1" + out, "--seed"},
      {patches + "--count 5 --zca 0.1 --zca-out " + s.out_arg("x.npy") + out, "x.npy"},
      {patches + "--count 5 --bogus" + out, "--bogus"},
      {"whiten " + images, "--out"},
      {"montage --out " + s.out_arg("f.png"), "--dict"},
      {"montage --dict d.npy --scale 0 --out " + s.out_arg("f.png"), "--scale"},
      {"montage --dict d.npy --patch-shape 3y4 --out " + s.out_arg("f.png"), "--patch-shape"},
      {"montage --dict d.npy --patch-shape 0x16 --out " + s.out_arg("f.png"), "--patch-shape"},
      // A missing output directory is found before any work, the companion output not written.
      {patches + "--count 5 --out " + s.out_arg("no_such_dir/x.npy"), "no_such_dir"},
      {patches + "--count 5 --zca 0.1 --zca-out " + s.out_arg("t.npy") + " --out " + s.out_arg("no_such_dir/x.npy"),
       "no_such_dir"},
      {"whiten " + images + " --png " + s.out_arg("w.png") + " --out " + s.out_arg("no_such_dir/w.npy"), "no_such_dir"},
      {"", ""},
  };
  for (const auto& [args, names] : cases) {
    CAPTURE(args);
    const Run r = s.run(args);
    CHECK(r.status == 2);
    CHECK(one_line(r.err));
    CHECK(r.err.find(names) != std::string::npos);
    CHECK(s.out_is_empty());
  }
}

TEST_CASE("cli data errors exit 1 with one line naming the file and write nothing") {
  const Scratch s("data");
  const fs::path inputs = s.base() / "inputs";
  fs::create_directories(inputs / "empty");
  fs::create_directories(inputs / "text_only");
  std::ofstream(inputs / "text_only" / "readme.txt") << "no images here";
  fs::create_directories(inputs / "broken");
  std::ofstream(inputs / "broken" / "broken.png") << "this is not a PNG";
  fs::create_directories(inputs / "sizes");
  sparsecode::io::write_png_gray8(inputs / "sizes" / "big.png", 6, 4, std::vector<unsigned char>(24, 9));
  sparsecode::io::write_png_gray8(inputs / "sizes" / "small.png", 4, 4, std::vector<unsigned char>(16, 9));
  std::ofstream(inputs / "garbage.npy") << "\x93NUMPY but not really";
  sparsecode::io::save_samples(inputs / "d10.npy", sparsecode::Matrix<double>::Ones(10, 3).eval());
  sparsecode::io::save_samples(inputs / "d16.npy", sparsecode::Matrix<double>::Ones(16, 3).eval());
  sparsecode::preprocess::ZcaWhitening zca;
  zca.fit(sparsecode::Matrix<double>::Random(16, 50), 0.1);
  zca.save(inputs / "t16.npy");

  const auto in = [&](const std::string& name) { return "\"" + (inputs / name).string() + "\""; };
  const std::string out = " --out " + s.out_arg("x.npy");
  const std::string png = " --out " + s.out_arg("f.png");
  const std::string patches = " --size 8 --count 5" + out;
  const std::vector<std::pair<std::string, std::string>> cases{
      {"patches --images " + in("missing") + patches, "missing"},
      {"patches --images " + in("empty") + patches, "empty"},
      {"patches --images " + in("text_only") + patches, "text_only"},
      {"patches --images " + in("broken") + patches, "broken.png"},
      {"patches --images " + s.images_arg() + " --size 30 --count 5" + out, "30"},
      {"patches --images " + s.images_arg() + " --zca-in " + in("garbage.npy") + patches,
       "garbage.npy"},
      {"patches --images " + s.images_arg() + " --zca-in " + in("t16.npy") + patches, "t16.npy"},
      {"whiten --images " + in("sizes") + out, "small.png"},
      {"whiten --images " + in("missing") + out, "missing"},
      {"montage --dict " + in("garbage.npy") + png, "garbage.npy"},
      {"montage --dict " + in("missing.npy") + png, "missing.npy"},
      {"montage --dict " + in("d10.npy") + png, "d10.npy"},
      {"montage --dict " + in("d16.npy") + " --patch-shape 3x5" + png, "d16.npy"},
  };
  for (const auto& [args, names] : cases) {
    CAPTURE(args);
    const Run r = s.run(args);
    CHECK(r.status == 1);
    CHECK(one_line(r.err));
    CHECK(r.err.find(names) != std::string::npos);
    CHECK(s.out_is_empty());
  }
}

TEST_CASE("cli: an unknown subcommand is named, with the known ones (exit 2)") {
  const Scratch s("unknown_subcommand");
  const Run r = s.run("lern --out x.npy");
  CHECK(r.status == 2);
  CHECK(one_line(r.err));
  CHECK(r.err.find("unknown subcommand 'lern'") != std::string::npos);
  CHECK(r.err.find("learn") != std::string::npos);
}

TEST_CASE("cli: an output naming an input, directly or through a link, is refused (exit 2), the input unchanged") {
  const Scratch s("overwrite");
  const fs::path in = s.base() / "in";
  fs::create_directories(in);
  const auto q = [](const fs::path& p) {
    std::string text(1, '"');  // appending avoids GCC 12's false -Wrestrict on "\"" + string
    text.append(p.string());
    text.push_back('"');
    return text;
  };
  // Samples X (40×16) and a dictionary D (4×16) written by the commands themselves.
  REQUIRE(s.run("patches --images " + s.images_arg() + " --size 4 --count 40 --whiten none --out " + q(in / "x.npy"))
              .status == 0);
  REQUIRE(s.run("learn --input " + q(in / "x.npy") + " --atoms 4 --lambda 0.1 --epochs 1 --quiet --out " +
                q(in / "d.npy")).status == 0);
  fs::create_symlink(in / "x.npy", in / "x_link.npy");
  fs::create_hard_link(in / "d.npy", in / "d_hard.npy");
  const std::string x_bytes = read_text(in / "x.npy");
  const std::string d_bytes = read_text(in / "d.npy");
  const std::string x = " --input " + q(in / "x.npy");
  const std::vector<std::pair<std::string, std::string>> cases{
      {"encode" + x + " --dict " + q(in / "d.npy") + " --lambda 0.1 --out " + q(in / "x.npy"), "--input"},
      {"encode" + x + " --dict " + q(in / "d.npy") + " --lambda 0.1 --out " + q(in / "x_link.npy"), "--input"},
      {"encode" + x + " --dict " + q(in / "d.npy") + " --lambda 0.1 --out " + q(in / "d_hard.npy"), "--dict"},
      {"learn" + x + " --atoms 4 --lambda 0.1 --out " + q(in / "x.npy"), "--input"},
      {"learn" + x + " --atoms 4 --lambda 0.1 --init " + q(in / "d.npy") + " --out " + q(in / "d_hard.npy"),
       "--init"},
      {"montage --dict " + q(in / "d.npy") + " --out " + q(in / "d_hard.npy"), "--dict"},
      {"autoencoder train" + x + " --hidden 3 --out " + q(in / "x_link.npy"), "--input"},
  };
  for (const auto& [args, names] : cases) {
    CAPTURE(args);
    const Run r = s.run(args);
    CHECK(r.status == 2);
    CHECK(one_line(r.err));
    CHECK(r.err.find("would overwrite the input " + names) != std::string::npos);
  }
  CHECK(read_text(in / "x.npy") == x_bytes);
  CHECK(read_text(in / "d.npy") == d_bytes);
  CHECK(fs::is_symlink(in / "x_link.npy"));
  // Two outputs may both be a character device.
  CHECK(s.run("learn" + x + " --atoms 4 --lambda 0.1 --epochs 1 --quiet --out /dev/null --log /dev/null").status == 0);
}
