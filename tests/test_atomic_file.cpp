// Tests for all-or-nothing file writes.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iterator>

#include "sparsecode/core/atomic_file.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using sparsecode::core::OutputFile;
using sparsecode::core::write_atomically;
using sparsecode::core::write_file_atomically;

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

namespace {

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_text(const fs::path& target, const std::string& text) {
  write_file_atomically(target, [&](OutputFile& out) { out.write(text); });
}

std::size_t entries(const fs::path& dir) {
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}));
}

}  // namespace

TEST_CASE("write_atomically through a symbolic link replaces the linked file and keeps the link") {
  const sparsecode::test::TempDir dir("atomic_link");
  fs::create_directories(dir / "real");
  write_text(dir / "real" / "data.txt", "old");
  fs::create_symlink("real/data.txt", dir / "link.txt");       // relative link
  fs::create_symlink(dir / "link.txt", dir / "link2.txt");     // a link to a link
  write_text(dir / "link2.txt", "new");
  CHECK(fs::is_symlink(dir / "link.txt"));
  CHECK(fs::is_symlink(dir / "link2.txt"));
  CHECK(read_all(dir / "real" / "data.txt") == "new");
  CHECK(entries(dir / "real") == 1);  // no temporary left beside the linked file
  CHECK(entries(dir.path()) == 3);

  // A dangling link creates the file it names.
  fs::create_symlink("real/fresh.txt", dir / "dangling.txt");
  write_text(dir / "dangling.txt", "fresh");
  CHECK(fs::is_symlink(dir / "dangling.txt"));
  CHECK(read_all(dir / "real" / "fresh.txt") == "fresh");
}

TEST_CASE("write_atomically keeps the permission bits of a replaced file") {
  const sparsecode::test::TempDir dir("atomic_perms");
  write_text(dir / "secret.txt", "a");
  fs::permissions(dir / "secret.txt", fs::perms::owner_read | fs::perms::owner_write);
  write_text(dir / "secret.txt", "b");
  CHECK((fs::status(dir / "secret.txt").permissions() & fs::perms::mask) ==
        (fs::perms::owner_read | fs::perms::owner_write));
  write_text(dir / "new.txt", "c");
  CHECK((fs::status(dir / "new.txt").permissions() & fs::perms::mask) ==
        (fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read));
}

TEST_CASE("write_atomically writes character devices and FIFOs directly, never replacing them") {
  // /dev/null stays a character device (as root, a rename would have replaced the node).
  write_text("/dev/null", "discarded");
  CHECK(fs::is_character_file("/dev/null"));

  const sparsecode::test::TempDir dir("atomic_fifo");
  const fs::path fifo = dir / "pipe";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  std::string received;
  std::thread reader([&] { received = read_all(fifo); });
  write_text(fifo, "through the pipe");
  reader.join();
  CHECK(received == "through the pipe");
  CHECK(fs::is_fifo(fifo));
  CHECK(entries(dir.path()) == 1);
}

TEST_CASE("write_atomically refuses a directory target, naming it, before writing anything") {
  const sparsecode::test::TempDir dir("atomic_dir");
  fs::create_directories(dir / "out.npy");
  bool called = false;
  try {
    write_atomically(dir / "out.npy", [&](const fs::path&) { called = true; });
    FAIL("no exception");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()).find((dir / "out.npy").string()) != std::string::npos);
    CHECK(std::string(e.what()).find("directory") != std::string::npos);
  }
  CHECK_FALSE(called);
  CHECK(entries(dir.path()) == 1);
}

TEST_CASE("a full disk fails the write with the file's name: directly and through a link") {
  // /dev/full fails every write with ENOSPC, as a full disk does.
  const sparsecode::test::TempDir dir("atomic_full");
  fs::create_symlink("/dev/full", dir / "full.bin");
  for (const fs::path& target : {fs::path("/dev/full"), dir / "full.bin"}) {
    try {
      write_text(target, std::string(100, 'x'));
      FAIL("no exception for " << target);
    } catch (const std::runtime_error& e) {
      const std::string message = e.what();
      CHECK(message.find(target.string()) != std::string::npos);
      CHECK(message.find(std::strerror(ENOSPC)) != std::string::npos);
    }
  }
  CHECK(entries(dir.path()) == 1);
}

TEST_CASE("OutputFile reports a failed write, flush or close") {
  sparsecode::core::OutputFile out("/dev/full", "codes.npz");
  out.write("small");  // buffered: the error shows at close
  CHECK_THROWS_WITH_AS(out.close(), doctest::Contains("cannot write 'codes.npz'"), std::runtime_error);
}

TEST_CASE("temporaries left by a dead process are removed on the next write, a live one's kept") {
  const sparsecode::test::TempDir dir("atomic_stale");
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);  // the child's pid now names no process
  const fs::path stale = dir / ("out.npy.tmp." + std::to_string(child) + ".a1B2c3");
  const fs::path live = dir / ("out.npy.tmp." + std::to_string(::getppid()) + ".x9Y8z7");
  const fs::path other = dir / ("other.npy.tmp." + std::to_string(child) + ".a1B2c3");
  for (const fs::path& p : {stale, live, other}) std::ofstream(p) << "partial";
  write_text(dir / "out.npy", "done");
  CHECK_FALSE(fs::exists(stale));
  CHECK(fs::exists(live));
  CHECK(fs::exists(other));  // another target's temporaries are not ours to judge here
  CHECK(read_all(dir / "out.npy") == "done");
}
