// NPY reader and writer: NumPy fixtures, byte compatibility, round trips, conversions, header syntax.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "sparsecode/io/npy.hpp"
#include "tests/npy_test_support.hpp"

namespace {

using namespace sparsecode::core;
using namespace sparsecode::io;
using namespace npy_test;

const std::vector<std::string> kLayouts = {"1d", "c", "f"};
const std::vector<std::pair<int, NpyVersion>> kVersions = {
    {1, NpyVersion::v1}, {2, NpyVersion::v2}, {3, NpyVersion::v3}};

template <class F>
void for_each_dtype(F&& f) {
  f(float{});
  f(double{});
  f(std::uint8_t{});
  f(std::int32_t{});
  f(std::int64_t{});
}

template <class T>
std::string code_of() {
  return npy_dtype_descr(npy_dtype_of<T>()).substr(1);  // "f4", "u1", ...
}

std::string fixture_name(const std::string& code, const std::string& layout, int major) {
  return code + "_" + layout + "_v" + std::to_string(major) + ".npy";
}

// The fixture array as raw bytes in the given layout ("1d", "c", "f", or "1d-fortran": a 1-D
// array flagged fortran_order, legal although NumPy never writes it).
template <class T>
NpyArray formula_array(const std::string& layout) {
  NpyArray array;
  array.dtype = npy_dtype_of<T>();
  array.fortran_order = layout == "f" || layout == "1d-fortran";
  std::vector<T> values;
  if (layout.rfind("1d", 0) == 0) {
    array.shape = {kLength};
    for (int i = 0; i < kLength; ++i) values.push_back(fixture_value<T>(i, 0));
  } else {
    array.shape = {kRows, kCols};
    const Matrix<T> m = expected_samples<T>();  // d×N: memory is the C-order N×d array
    if (layout == "c") {
      values.assign(m.data(), m.data() + m.size());
    } else {
      const Matrix<T> t = m.transpose();  // N×d column-major: the Fortran-order array
      values.assign(t.data(), t.data() + t.size());
    }
  }
  array.bytes.resize(values.size() * sizeof(T));
  std::memcpy(array.bytes.data(), values.data(), array.bytes.size());
  return array;
}

}  // namespace

TEST_CASE("npy: every NumPy fixture loads with the formula's values") {
  for_each_dtype([](auto tag) {
    using T = decltype(tag);
    for (const std::string& layout : kLayouts) {
      for (const auto& [major, version] : kVersions) {
        const auto path = fixture(fixture_name(code_of<T>(), layout, major));
        CAPTURE(path);
        const NpyHeader header = read_npy_header(path);
        CHECK(header.major_version == major);
        CHECK(header.dtype == npy_dtype_of<T>());
        CHECK(header.fortran_order == (layout == "f"));
        CHECK(header.data_offset % 64 == 0);
        if (layout == "1d") {
          CHECK(header.shape == std::vector<std::size_t>{kLength});
          CHECK(load_vector<T>(path) == expected_vector<T>());
          CHECK(load_samples<T>(path) == Matrix<T>(expected_vector<T>()));
        } else {
          CHECK(header.shape == std::vector<std::size_t>{kRows, kCols});
          CHECK(load_samples<T>(path) == expected_samples<T>());
        }
        const NpyArray raw = read_npy(path);
        CHECK(raw.bytes == formula_array<T>(layout).bytes);
      }
    }
  });
}

TEST_CASE("npy: our writer produces NumPy's bytes for every dtype, order and version") {
  ScratchDir dir("npy_bytes");
  for_each_dtype([&](auto tag) {
    using T = decltype(tag);
    for (const std::string& layout : kLayouts) {
      for (const auto& [major, version] : kVersions) {
        const std::string name = fixture_name(code_of<T>(), layout, major);
        CAPTURE(name);
        write_npy(dir / name, formula_array<T>(layout), version);
        CHECK(read_bytes(dir / name) == read_bytes(fixture(name)));
      }
    }
    // The Eigen entry points write the same bytes as NumPy for C order; 1.0 is chosen by default.
    save_samples(dir / "samples.npy", expected_samples<T>());
    CHECK(read_bytes(dir / "samples.npy") == read_bytes(fixture(fixture_name(code_of<T>(), "c", 1))));
    save_vector(dir / "vector.npy", expected_vector<T>(), NpyVersion::v3);
    CHECK(read_bytes(dir / "vector.npy") == read_bytes(fixture(fixture_name(code_of<T>(), "1d", 3))));
  });
}

TEST_CASE("npy: round trip for every dtype, order and version") {
  ScratchDir dir("npy_round_trip");
  const std::vector<std::pair<int, NpyVersion>> versions = {
      {1, NpyVersion::automatic}, {1, NpyVersion::v1}, {2, NpyVersion::v2}, {3, NpyVersion::v3}};
  for_each_dtype([&](auto tag) {
    using T = decltype(tag);
    for (const std::string layout : {"1d", "1d-fortran", "c", "f"}) {
      for (const auto& [major, version] : versions) {
        CAPTURE(code_of<T>());
        CAPTURE(layout);
        CAPTURE(major);
        const auto path = dir / "a.npy";
        const NpyArray array = formula_array<T>(layout);
        write_npy(path, array, version);
        const NpyHeader header = read_npy_header(path);
        CHECK(header.major_version == major);
        CHECK(header.data_offset % 64 == 0);
        const NpyArray back = read_npy(path);
        CHECK(back.dtype == array.dtype);
        CHECK(back.fortran_order == array.fortran_order);
        CHECK(back.shape == array.shape);
        CHECK(back.bytes == array.bytes);
        if (array.shape.size() == 1) {
          CHECK(load_vector<T>(path) == expected_vector<T>());
        } else {
          CHECK(load_samples<T>(path) == expected_samples<T>());
        }
      }
    }
    save_samples(dir / "m.npy", expected_samples<T>(), NpyVersion::v2);
    CHECK(load_samples<T>(dir / "m.npy") == expected_samples<T>());
    save_vector(dir / "v.npy", expected_vector<T>());
    CHECK(load_vector<T>(dir / "v.npy") == expected_vector<T>());
  });
}

TEST_CASE("npy: float64 is read as float32 and the reverse only when conversion is allowed") {
  for (const std::string layout : {"c", "f"}) {
    CAPTURE(layout);
    const auto f8 = fixture(fixture_name("f8", layout, 1));
    const auto f4 = fixture(fixture_name("f4", layout, 2));
    CHECK(load_samples<float>(f8, NpyConversion::allow_float_conversion) ==
          expected_samples<float>());
    CHECK(load_samples<double>(f4, NpyConversion::allow_float_conversion) ==
          expected_samples<double>());
    CHECK(npy_error([&] { load_samples<float>(f8); }).find("dtype mismatch") != std::string::npos);
    CHECK(npy_error([&] { load_samples<double>(f4); }).find("dtype mismatch") != std::string::npos);
  }
  const auto v8 = fixture(fixture_name("f8", "1d", 3));
  CHECK(load_vector<float>(v8, NpyConversion::allow_float_conversion) == expected_vector<float>());
  CHECK(npy_error([&] { load_vector<float>(v8); }).find("not allowed") != std::string::npos);
  // Integers are never converted, even on request.
  const auto i4 = fixture(fixture_name("i4", "c", 1));
  CHECK(npy_error([&] { load_samples<double>(i4, NpyConversion::allow_float_conversion); })
            .find("'<i4' (int32), float64 was requested") != std::string::npos);
}

TEST_CASE("npy: Fortran order and conversion work across the 1 MiB chunks") {
  // 400×500 float64 = 1.6 MB: several chunks, with chunk edges inside columns.
  ScratchDir dir("npy_chunks");
  const std::size_t rows = 400;
  const std::size_t cols = 500;
  Matrix<double> samples_as_rows(rows, cols);  // the N×d array, column-major = Fortran order
  for (std::size_t i = 0; i < rows; ++i) {
    for (std::size_t j = 0; j < cols; ++j) {
      samples_as_rows(static_cast<Index>(i), static_cast<Index>(j)) = double(1000 * i + j);
    }
  }
  NpyArray array{NpyDType::float64, true, {rows, cols}, {}};
  array.bytes.resize(rows * cols * sizeof(double));
  std::memcpy(array.bytes.data(), samples_as_rows.data(), array.bytes.size());
  write_npy(dir / "big.npy", array);
  const Matrix<double> expected = samples_as_rows.transpose();
  CHECK(load_samples<double>(dir / "big.npy") == expected);
  CHECK(load_samples<float>(dir / "big.npy", NpyConversion::allow_float_conversion) ==
        expected.cast<float>());
  save_samples(dir / "c.npy", expected);
  CHECK(load_samples<float>(dir / "c.npy", NpyConversion::allow_float_conversion) ==
        expected.cast<float>());
}

TEST_CASE("npy: the header parser accepts every spelling of the Python dict literal") {
  const std::filesystem::path file = "test.npy";
  struct Case {
    std::string text;
    NpyDType dtype;
    bool fortran;
    std::vector<std::size_t> shape;
  };
  const std::vector<Case> cases = {
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }\n", NpyDType::float64, false, {3, 4}},
      {"{'shape': (3,), 'descr': '<f4', 'fortran_order': True}", NpyDType::float32, true, {3}},
      {"{\"fortran_order\":False,\"shape\":(2,3,),\"descr\":\"<i8\"}", NpyDType::int64, false, {2, 3}},
      {"  {\t'descr' : '=i4' ,\n'fortran_order' : False , 'shape' : ( 7 , ) , }  \n", NpyDType::int32, false, {7}},
      {"{'descr': 'f8', 'fortran_order': False, 'shape': (5L, 6L)}", NpyDType::float64, false, {5, 6}},
      {"{'descr': '|u1', 'fortran_order': False, 'shape': (0,)}", NpyDType::uint8, false, {0}},
      {"{'descr': '<u1', 'fortran_order': False, 'shape': (1,)}", NpyDType::uint8, false, {1}},
      {"{'descr': 'u1', 'fortran_order': False, 'shape': (1,)}", NpyDType::uint8, false, {1}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    const NpyHeader h = parse_npy_header(c.text, 2, 128, file);
    CHECK(h.dtype == c.dtype);
    CHECK(h.fortran_order == c.fortran);
    CHECK(h.shape == c.shape);
    CHECK(h.major_version == 2);
    CHECK(h.data_offset == 128);
  }
}
