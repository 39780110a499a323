// Allocations too large for memory say what was too large, instead of a bare std::bad_alloc.
#include <doctest/doctest.h>

#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "sparsecode/core/allocation.hpp"
#include "sparsecode/io/image_io.hpp"
#include "sparsecode/io/npy.hpp"
#include "sparsecode/preprocess/patches.hpp"
#include "cli_run.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using sparsecode::core::AllocationError;

namespace {

// Sizes beyond any address space, so that the failure does not depend on the host's memory or
// overcommit policy (they fail before anything is allocated, under sanitizers too).
constexpr long long kAbsurdCount = 400'000'000'000'000'000LL;

}  // namespace

TEST_CASE("allocate_matrix names what did not fit, with its shape and size") {
  const sparsecode::Index huge = sparsecode::Index{1} << 40;
  CHECK_THROWS_WITH_AS(sparsecode::core::allocate_matrix<double>(huge, huge, "the codes"),
                       doctest::Contains("not enough memory for the codes (1099511627776 x 1099511627776 values of 8 bytes"),
                       AllocationError);
  std::vector<double> values;
  CHECK_THROWS_WITH_AS(sparsecode::core::reserve_or_throw(values, std::numeric_limits<std::size_t>::max() / 2, "samples"),
                       doctest::Contains("not enough memory for samples"), AllocationError);
  CHECK(sparsecode::core::allocate_matrix<float>(3, 4, "small").size() == 12);
}

TEST_CASE("extract_patches: a count too large for memory says how many patches") {
  sparsecode::io::Image image;
  image.pixels = sparsecode::Matrix<double>::Random(16, 16);
  sparsecode::preprocess::PatchOptions o;
  o.size = 4;
  o.count = kAbsurdCount;
  CHECK_THROWS_WITH_AS(sparsecode::preprocess::extract_patches({image}, o),
                       doctest::Contains("not enough memory for 400000000000000000 patch positions"), AllocationError);
}

TEST_CASE("cli patches: --count too large is a one-line error naming --count, exit 1") {
  using sparsecode::test::quoted;
  const sparsecode::test::TempDir dir("alloc_cli");
  fs::create_directories(dir / "images");
  sparsecode::test::write_test_png(dir / "images" / "a.png", 32, 32);
  const auto r = sparsecode::test::run_cli("patches --size 8 --count " + std::to_string(kAbsurdCount) + " --images " +
                                               quoted(dir / "images") + " --out " + quoted(dir / "x.npy"),
                                           dir.path());
  CHECK(r.status == 1);
  CHECK(r.err.find("not enough memory for 400000000000000000 patch positions") != std::string::npos);
  CHECK(r.err.find("--count") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "x.npy"));
}

TEST_CASE("cli learn: --atoms too large for memory says it was the dictionary of that many atoms, exit 1") {
  using sparsecode::test::quoted;
  const sparsecode::test::TempDir dir("alloc_learn_cli");
  // d = 65536 and k = 2e9: 954 TiB, beyond any address space whatever the host's memory.
  sparsecode::io::save_samples<double>(dir / "x.npy", sparsecode::Matrix<double>::Ones(65536, 2));
  const auto r = sparsecode::test::run_cli("learn --input " + quoted(dir / "x.npy") +
                                               " --atoms 2000000000 --lambda 0.1 --init gaussian --quiet --out " +
                                               quoted(dir / "D.npy"),
                                           dir.path());
  CHECK(r.status == 1);
  CHECK(r.err.find("not enough memory for the dictionary of k = 2000000000 atoms (--atoms)") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "D.npy"));
}
