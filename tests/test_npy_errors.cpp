// NPY reader and writer: each malformed file gets its own precise error; failed writes leave nothing.
#include <doctest/doctest.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "sparsecode/io/npy.hpp"
#include "tests/npy_test_support.hpp"

namespace {

using namespace sparsecode::core;
using namespace sparsecode::io;
using namespace npy_test;

std::string dict(const std::string& descr, const std::string& shape) {
  return "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }\n";
}

// Writes `bytes` as a file and returns the error of reading it. Every entry point reports the
// same message, and it names the file.
std::string read_error(const ScratchDir& dir, const std::string& bytes) {
  const auto path = dir / "bad.npy";
  write_bytes(path, bytes);
  const std::string message = npy_error([&] { read_npy_header(path); });
  CHECK(message.find(path.string()) != std::string::npos);
  CHECK(npy_error([&] { read_npy(path); }) == message);
  CHECK(npy_error([&] { load_samples<double>(path); }) == message);
  CHECK(npy_error([&] { load_vector<double>(path); }) == message);
  return message;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("npy error: a missing file cannot be opened") {
  ScratchDir dir("npy_err_open");
  const auto path = dir / "missing.npy";
  const std::string message = npy_error([&] { load_samples<double>(path); });
  CHECK(contains(message, "cannot open"));
  CHECK(contains(message, path.string()));
  CHECK(contains(npy_error([&] { read_npy(dir.path()); }), "is a directory"));
}

TEST_CASE("npy error: bad magic") {
  ScratchDir dir("npy_err_magic");
  const std::string message = read_error(dir, "\x89PNG\r\n\x1a\n and more bytes");
  CHECK(contains(message, "bad magic"));
  CHECK(contains(message, "found 89 50 4e 47 0d 0a"));
  CHECK(contains(read_error(dir, ""), "bad magic"));
}

TEST_CASE("npy error: unsupported format version") {
  ScratchDir dir("npy_err_version");
  CHECK(contains(read_error(dir, npy_file(dict("<f8", "(1,)"), std::string(8, '\0'), 4)),
                 "unsupported format version 4.0"));
  std::string minor = npy_file(dict("<f8", "(1,)"), std::string(8, '\0'), 1);
  minor[7] = 1;
  CHECK(contains(read_error(dir, minor), "unsupported format version 1.1"));
}

TEST_CASE("npy error: header longer than 1 MiB") {
  ScratchDir dir("npy_err_header_length");
  const std::string message = read_error(dir, npy_file(dict("<f8", "(1,)"), "", 2, 2 << 20));
  CHECK(contains(message, "header length 2097152 bytes exceeds the 1 MiB limit"));
}

TEST_CASE("npy error: header ends beyond the end of the file") {
  ScratchDir dir("npy_err_short_header");
  CHECK(contains(read_error(dir, npy_file(dict("<f8", "(1,)"), "", 1, 500)),
                 "file ends inside the header"));
}

TEST_CASE("npy error: header is not a dict") {
  ScratchDir dir("npy_err_not_dict");
  CHECK(contains(read_error(dir, npy_file("['<f8', False, (3,)]\n", std::string(24, '\0'))),
                 "header is not a dict"));
}

TEST_CASE("npy error: malformed header dict") {
  ScratchDir dir("npy_err_malformed");
  const auto check = [&](const std::string& header, const std::string& problem) {
    const std::string message = read_error(dir, npy_file(header, std::string(8, '\0')));
    CHECK(contains(message, "malformed header"));
    CHECK(contains(message, problem));
  };
  SUBCASE("unknown key") {
    check("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'align': 4}", "unknown key 'align'");
  }
  SUBCASE("missing key") { check("{'descr': '<f8', 'shape': (1,)}", "missing key 'fortran_order'"); }
  SUBCASE("duplicate key") {
    check("{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (1,)}",
          "duplicate key 'descr'");
  }
  SUBCASE("shape is an int in parentheses") {
    check("{'descr': '<f8', 'fortran_order': False, 'shape': (1)}", "is an int, not a tuple");
  }
  SUBCASE("shape is a list") {
    check("{'descr': '<f8', 'fortran_order': False, 'shape': [1]}", "'shape' must be a tuple");
  }
  SUBCASE("negative dimension") {
    check("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,)}", "negative dimension");
  }
  SUBCASE("dimension beyond 64 bits") {
    check("{'descr': '<f8', 'fortran_order': False, 'shape': (18446744073709551616,)}",
          "does not fit in 64 bits");
  }
  SUBCASE("fortran_order not a bool") {
    check("{'descr': '<f8', 'fortran_order': 0, 'shape': (1,)}", "must be True or False");
  }
  SUBCASE("structured dtype") {
    check("{'descr': [('x', '<f8')], 'fortran_order': False, 'shape': (1,)}",
          "structured dtypes are not supported");
  }
  SUBCASE("unquoted key") {
    check("{descr: '<f8', 'fortran_order': False, 'shape': (1,)}", "expected a quoted key");
  }
  SUBCASE("unterminated string") {
    check("{'descr': '<f8", "unterminated string");
  }
  SUBCASE("missing comma") {
    check("{'descr': '<f8' 'fortran_order': False, 'shape': (1,)}", "expected ',' or '}'");
  }
  SUBCASE("dict not closed") {
    check("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), ", "not closed with '}'");
  }
  SUBCASE("text after the dict") {
    check("{'descr': '<f8', 'fortran_order': False, 'shape': (1,)} x", "unexpected text after");
  }
}

TEST_CASE("npy error: big-endian dtype") {
  ScratchDir dir("npy_err_big_endian");
  CHECK(contains(read_error(dir, npy_file(dict(">f8", "(1,)"), std::string(8, '\0'))),
                 "big-endian dtype '>f8' is not supported"));
}

TEST_CASE("npy error: unknown dtype") {
  ScratchDir dir("npy_err_dtype");
  CHECK(contains(read_error(dir, npy_file(dict("<c16", "(1,)"), std::string(16, '\0'))),
                 "unsupported dtype '<c16'"));
  CHECK(contains(read_error(dir, npy_file(dict("|f8", "(1,)"), std::string(8, '\0'))),
                 "unsupported dtype '|f8'"));
}

TEST_CASE("npy error: 0-D shape") {
  ScratchDir dir("npy_err_0d");
  CHECK(contains(read_error(dir, npy_file(dict("<f8", "()"), std::string(8, '\0'))),
                 "0-D (scalar) arrays are not supported"));
}

TEST_CASE("npy error: 3-D shape") {
  ScratchDir dir("npy_err_3d");
  CHECK(contains(read_error(dir, npy_file(dict("<f8", "(2, 3, 4)"), std::string(192, '\0'))),
                 "3-D shape (2, 3, 4) is not supported"));
}

TEST_CASE("npy error: overflow in the shape product") {
  ScratchDir dir("npy_err_overflow");
  // 2^32 · 2^32 elements, and 2^61 float64 elements (2^64 bytes).
  CHECK(contains(read_error(dir, npy_file(dict("|u1", "(4294967296, 4294967296)"))),
                 "shape (4294967296, 4294967296) overflows"));
  CHECK(contains(read_error(dir, npy_file(dict("<f8", "(2305843009213693952,)"))),
                 "shape (2305843009213693952,) overflows"));
}

TEST_CASE("npy error: truncated data") {
  ScratchDir dir("npy_err_truncated");
  const std::string message = read_error(dir, npy_file(dict("<f8", "(3, 4)"), std::string(40, '\0')));
  CHECK(contains(message, "truncated data"));
  CHECK(contains(message, "needs 96 data bytes, the file has 40 after the header (56 missing)"));
}

TEST_CASE("npy error: trailing bytes after the data") {
  ScratchDir dir("npy_err_trailing");
  const std::string message = read_error(dir, npy_file(dict("<f8", "(3, 4)"), std::string(100, '\0')));
  CHECK(contains(message, "trailing bytes"));
  CHECK(contains(message, "needs 96 data bytes, the file has 100 after the header (4 extra)"));
}

TEST_CASE("npy error: zero-size array where data is needed") {
  ScratchDir dir("npy_err_zero_size");
  const auto matrix = dir / "empty_matrix.npy";
  write_bytes(matrix, npy_file(dict("<f8", "(0, 3)")));
  const NpyArray raw = read_npy(matrix);  // a valid file: reading it raw is fine
  CHECK(raw.shape == std::vector<std::size_t>{0, 3});
  CHECK(raw.bytes.empty());
  CHECK(contains(npy_error([&] { load_samples<double>(matrix); }),
                 "zero-size array (shape (0, 3)) where data is needed"));
  const auto vector = dir / "empty_vector.npy";
  write_bytes(vector, npy_file(dict("<f8", "(0,)")));
  CHECK(contains(npy_error([&] { load_vector<double>(vector); }),
                 "zero-size array (shape (0,)) where data is needed"));
}

TEST_CASE("npy error: dtype mismatch") {
  ScratchDir dir("npy_err_mismatch");
  const auto path = dir / "ints.npy";
  write_bytes(path, npy_file(dict("<i4", "(2,)"), std::string(8, '\0')));
  CHECK(contains(npy_error([&] { load_samples<double>(path); }),
                 "dtype mismatch: the file holds '<i4' (int32), float64 was requested"));
  CHECK(contains(npy_error([&] { load_vector<std::int64_t>(path); }),
                 "'<i4' (int32), int64 was requested"));
}

TEST_CASE("npy error: load_vector rejects a matrix") {
  ScratchDir dir("npy_err_vector");
  const auto path = dir / "matrix.npy";
  write_bytes(path, npy_file(dict("<f8", "(2, 3)"), std::string(48, '\0')));
  CHECK(contains(npy_error([&] { load_vector<double>(path); }), "got shape (2, 3)"));
}

TEST_CASE("npy: a failed write leaves no file and no temporary behind") {
  ScratchDir dir("npy_failed_write");
  NpyArray array{NpyDType::float64, false, {2}, std::vector<unsigned char>(16, 0)};

  const auto nowhere = dir / "no_such_dir" / "out.npy";
  CHECK_THROWS_AS(write_npy(nowhere, array), std::runtime_error);
  CHECK_FALSE(std::filesystem::exists(nowhere.parent_path()));

  const auto target = dir / "out.npy";
  write_npy(target, array);
  const std::string before = read_bytes(target);
  NpyArray wrong_size = array;
  wrong_size.bytes.resize(15);
  CHECK_THROWS_AS(write_npy(target, wrong_size), std::invalid_argument);
  NpyArray three_d = array;
  three_d.shape = {1, 1, 2};
  CHECK_THROWS_AS(write_npy(target, three_d), std::invalid_argument);
  CHECK(read_bytes(target) == before);
  const auto entries = std::distance(std::filesystem::directory_iterator(dir.path()),
                                     std::filesystem::directory_iterator{});
  CHECK(entries == 1);
}

TEST_CASE("npy error: a NUL or control byte inside a header string is shown escaped, not cutting the message") {
  ScratchDir dir("npy_err_nul");
  const std::string descr("<f8\0\x1b[2J", 8);
  std::string message = read_error(dir, npy_file(dict(descr, "(1,)"), std::string(8, '\0')));
  CHECK(message.find('\0') == std::string::npos);
  CHECK(contains(message, "unsupported dtype '<f8\\x00\\x1b[2J' (supported"));
  const std::string key_header = std::string("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'a\0b': 1, }\n", 68);
  message = read_error(dir, npy_file(key_header, std::string(8, '\0')));
  CHECK(message.find('\0') == std::string::npos);
  CHECK(contains(message, "unknown key 'a\\x00b' (expected exactly"));
}
