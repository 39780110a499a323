// IDX and NumPy image stacks and labels: round trips against files written here and by NumPy, and malformed files.
#include <doctest/doctest.h>

#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <fstream>
#include <string>
#include <vector>

#include "sparsecode/io/idx.hpp"
#include "sparsecode/io/npy.hpp"
#include "tests/temp_dir.hpp"

namespace fs = std::filesystem;
using sparsecode::Index;
using sparsecode::io::IdxError;
using sparsecode::io::ImageStack;
using sparsecode::io::load_image_stack;
using sparsecode::io::load_labels;
using sparsecode::test::TempDir;

namespace {

using Bytes = std::vector<unsigned char>;

// An IDX file of unsigned bytes as the MNIST distribution lays it out.
Bytes idx_bytes(const std::vector<std::uint32_t>& dims, const Bytes& data, unsigned char type = 0x08) {
  Bytes out = {0, 0, type, static_cast<unsigned char>(dims.size())};
  for (std::uint32_t d : dims) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<unsigned char>(d >> shift));
  }
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

void write_raw(const fs::path& path, const Bytes& bytes) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                              static_cast<std::streamsize>(bytes.size()));
}

void write_gz(const fs::path& path, const Bytes& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  REQUIRE(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())) == static_cast<int>(bytes.size()));
  REQUIRE(gzclose(f) == Z_OK);
}

Bytes ramp(std::size_t n) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<unsigned char>((i * 37 + 11) % 256);
  return b;
}

std::string error_of(const fs::path& path, bool labels) {
  try {
    if (labels) {
      load_labels(path);
    } else {
      load_image_stack(path);
    }
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

bool has_numpy() {
  return std::system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") == 0;
}

}  // namespace

TEST_CASE("IDX images, raw and gzip, read as (H·W)×N columns in row-major pixel order") {
  TempDir dir("idx_images");
  const Bytes data = ramp(3 * 4 * 5);
  write_raw(dir / "raw.idx", idx_bytes({3, 4, 5}, data));
  write_gz(dir / "img.idx.gz", idx_bytes({3, 4, 5}, data));
  for (const char* name : {"raw.idx", "img.idx.gz"}) {
    CAPTURE(name);
    const ImageStack s = load_image_stack(dir / name);
    CHECK(s.count == 3);
    CHECK(s.height == 4);
    CHECK(s.width == 5);
    for (Index i = 0; i < 3; ++i)
      for (Index r = 0; r < 4; ++r)
        for (Index c = 0; c < 5; ++c) CHECK(s.pixels(r * 5 + c, i) == float(data[static_cast<std::size_t>((i * 4 + r) * 5 + c)]));
  }
}

TEST_CASE("IDX labels, raw and gzip, and .npy labels of every integer dtype") {
  TempDir dir("idx_labels");
  const Bytes data = {0, 9, 3, 255, 7};
  write_raw(dir / "l.idx", idx_bytes({5}, data));
  write_gz(dir / "l.idx.gz", idx_bytes({5}, data));
  const std::vector<int> expected = {0, 9, 3, 255, 7};
  CHECK(load_labels(dir / "l.idx") == expected);
  CHECK(load_labels(dir / "l.idx.gz") == expected);
  sparsecode::Vector<std::int64_t> v(5);
  v << 0, 9, 3, 255, 7;
  sparsecode::io::save_vector<std::int64_t>(dir / "l.npy", v);
  CHECK(load_labels(dir / "l.npy") == expected);
  v(2) = -1;
  sparsecode::io::save_vector<std::int64_t>(dir / "neg.npy", v);
  CHECK(error_of(dir / "neg.npy", true).find("label -1 at row 2 is out of range") != std::string::npos);
  sparsecode::io::save_vector<double>(dir / "float.npy", sparsecode::Vector<double>::Zero(3));
  CHECK(error_of(dir / "float.npy", true).find("not an integer type") != std::string::npos);
}

TEST_CASE("image stacks and labels written by NumPy read back as NumPy holds them") {
  if (!has_numpy()) {
    MESSAGE("skipped: /usr/bin/python3 with numpy is not installed");
    return;
  }
  TempDir dir("idx_numpy");
  const std::string script =
      "import gzip, struct, sys, numpy as np\n"
      "d = sys.argv[1]\n"
      "rng = np.random.default_rng(3)\n"
      "x = rng.integers(0, 256, size=(7, 6, 5), dtype=np.uint8)\n"
      "y = rng.integers(0, 10, size=7).astype(np.uint8)\n"
      "with gzip.open(d + '/x.idx.gz', 'wb') as f: f.write(struct.pack('>BBBBIII', 0, 0, 8, 3, *x.shape) + x.tobytes())\n"
      "with gzip.open(d + '/y.idx.gz', 'wb') as f: f.write(struct.pack('>BBBBI', 0, 0, 8, 1, 7) + y.tobytes())\n"
      "np.save(d + '/x.npy', x)\n"
      "np.save(d + '/xf.npy', np.asfortranarray(x.astype(np.float64) / 255))\n"
      "np.save(d + '/flat.npy', x.reshape(7, 30).astype(np.float32))\n"
      "np.save(d + '/flatf.npy', (x.astype(np.float64) / 255).reshape(7, 30).astype(np.float32))\n"
      "np.save(d + '/y.npy', y.astype(np.int64))\n";
  {
    std::ofstream(dir / "make.py") << script;
  }
  REQUIRE(std::system(("/usr/bin/python3 " + (dir / "make.py").string() + " " + dir.path().string()).c_str()) == 0);
  const auto flat = sparsecode::io::load_samples<float>(dir / "flat.npy");     // 30×7
  const auto flatf = sparsecode::io::load_samples<float>(dir / "flatf.npy");
  for (const char* name : {"x.idx.gz", "x.npy"}) {
    CAPTURE(name);
    const ImageStack s = load_image_stack(dir / name);
    REQUIRE(s.count == 7);
    REQUIRE(s.height == 6);
    REQUIRE(s.width == 5);
    CHECK(s.pixels == flat);
  }
  const ImageStack f = load_image_stack(dir / "xf.npy");
  CHECK((f.pixels - flatf).cwiseAbs().maxCoeff() < 1e-6f);
  CHECK(load_labels(dir / "y.idx.gz") == load_labels(dir / "y.npy"));
}

TEST_CASE("malformed IDX and .npy image files are refused with a message naming the problem") {
  TempDir dir("idx_bad");
  const Bytes data = ramp(2 * 3 * 3);
  Bytes wrong_magic = idx_bytes({2, 3, 3}, data);
  wrong_magic[0] = 0x1f;
  wrong_magic[1] = 0x00;
  write_raw(dir / "magic.idx", wrong_magic);
  CHECK(error_of(dir / "magic.idx", false).find("not an IDX file") != std::string::npos);
  write_raw(dir / "type.idx", idx_bytes({2, 3, 3}, data, 0x0D));
  CHECK(error_of(dir / "type.idx", false).find("element type 0x0D is not supported") != std::string::npos);
  write_raw(dir / "rank.idx", idx_bytes({18}, data));
  CHECK(error_of(dir / "rank.idx", false).find("IDX rank 1 where 3 is expected") != std::string::npos);
  CHECK(error_of(dir / "rank.idx", true).empty());
  write_raw(dir / "zero.idx", idx_bytes({0, 3, 3}, {}));
  CHECK(error_of(dir / "zero.idx", false).find("dimension of size 0") != std::string::npos);
  Bytes shortened = idx_bytes({2, 3, 3}, data);
  shortened.pop_back();
  write_raw(dir / "trunc.idx", shortened);
  write_gz(dir / "trunc.idx.gz", shortened);
  for (const char* name : {"trunc.idx", "trunc.idx.gz"}) {
    CAPTURE(name);
    CHECK(error_of(dir / name, false).find("truncated IDX data: the dimensions need 18 bytes, the file has 17") !=
          std::string::npos);
  }
  Bytes longer = idx_bytes({2, 3, 3}, data);
  longer.push_back(0);
  write_raw(dir / "long.idx", longer);
  CHECK(error_of(dir / "long.idx", false).find("trailing bytes") != std::string::npos);
  // A tiny file declaring 65535³ bytes (281 TB) fails on its truncation, not on allocation; one
  // declaring more than an index can hold fails on its size.
  write_gz(dir / "bomb.idx.gz", idx_bytes({65535, 65535, 65535}, data));
  CHECK(error_of(dir / "bomb.idx.gz", false).find("truncated") != std::string::npos);
  write_gz(dir / "huge.idx.gz", idx_bytes({0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu}, data));
  CHECK(error_of(dir / "huge.idx.gz", false).find("declared size overflows") != std::string::npos);
  write_raw(dir / "header.idx", {0, 0, 8});
  CHECK(error_of(dir / "header.idx", false).find("too short") != std::string::npos);
  CHECK(error_of(dir / "missing.idx", false).find("no such file") != std::string::npos);
  CHECK(error_of(dir.path(), false).find("is a directory") != std::string::npos);
  sparsecode::io::save_samples<float>(dir / "2d.npy", sparsecode::Matrix<float>::Zero(4, 3));
  CHECK(error_of(dir / "2d.npy", false).find("must be a 3-D array") != std::string::npos);
  sparsecode::Matrix<float> nan = sparsecode::Matrix<float>::Zero(4, 3);
  nan(1, 1) = std::numeric_limits<float>::quiet_NaN();
  // A 3-D stack with a NaN: write the 2-D file's bytes under a 3-D header.
  sparsecode::io::NpyArray a;
  a.dtype = sparsecode::io::NpyDType::float32;
  a.shape = {3, 2, 2};
  a.bytes.resize(12 * sizeof(float));
  std::memcpy(a.bytes.data(), nan.data(), a.bytes.size());
  // write_npy writes 1-D and 2-D arrays only; a 3-D header is assembled by hand.
  const std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2, 2), }";
  std::string padded = header;
  while ((10 + padded.size() + 1) % 64 != 0) padded += ' ';
  padded += '\n';
  Bytes file = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, static_cast<unsigned char>(padded.size() & 0xff),
                static_cast<unsigned char>(padded.size() >> 8)};
  file.insert(file.end(), padded.begin(), padded.end());
  file.insert(file.end(), a.bytes.begin(), a.bytes.end());
  write_raw(dir / "nan.npy", file);
  CHECK(error_of(dir / "nan.npy", false).find("NaN") != std::string::npos);
}
