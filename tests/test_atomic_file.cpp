// Tests for all-or-nothing file writes.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "sparsecode/core/atomic_file.hpp"

namespace fs = std::filesystem;
using sparsecode::core::write_atomically;

TEST_CASE("write_atomically leaves the old file untouched and no temporary when the writer throws") {
  const fs::path dir = fs::temp_directory_path() / "sparsecode_atomic_test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path target = dir / "out.txt";
  write_atomically(target, [](const fs::path& tmp) { std::ofstream(tmp) << "first"; });
  CHECK_THROWS_AS(write_atomically(target,
                                   [](const fs::path& tmp) {
                                     std::ofstream(tmp) << "partial";
                                     throw std::runtime_error("disk full");
                                   }),
                  std::runtime_error);
  std::string content;
  std::ifstream(target) >> content;
  CHECK(content == "first");
  CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}) == 1);
  fs::remove_all(dir);
}
