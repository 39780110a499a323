// Reading and writing learner checkpoints (versioned binary key-value file, written atomically).
#include "sparsecode/io/checkpoint.hpp"

#include <bit>
#include <cstring>
#include <fstream>
#include <vector>

#include "sparsecode/core/atomic_file.hpp"
#include "sparsecode/io/checksum.hpp"

namespace sparsecode::io {

static_assert(std::endian::native == std::endian::little, "checkpoints assume a little-endian host");

namespace {

constexpr char kMagic1[17] = "SPARSECODE-CKPT1";  // version 1: no checksum (still read)
constexpr char kMagic[17] = "SPARSECODE-CKPT2";

/// The file's bytes, built in memory so that their CRC-32 can close the file.
class Writer {
 public:
  template <class V>
  void put(const V& value) {
    append(&value, sizeof(V));
  }
  void put_string(const std::string& s) {
    put<std::uint64_t>(s.size());
    append(s.data(), s.size());
  }
  void append(const void* data, std::size_t n) {
    const std::size_t old = bytes_.size();
    bytes_.resize(old + n);  // (vector::insert draws a false -Wstringop-overflow from GCC 12)
    if (n > 0) std::memcpy(bytes_.data() + old, data, n);
  }
  std::vector<char>& bytes() { return bytes_; }

 private:
  std::vector<char> bytes_;
};

class Reader {
 public:
  Reader(const std::filesystem::path& path, const std::string& what) : path_(path), what_(what) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      throw CheckpointError(named() + " is a directory, not a " + what_ + " file");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) throw CheckpointError("cannot open " + named());
    bytes_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (in.bad()) throw CheckpointError("error while reading " + named());
  }
  /// "checkpoint 'path'", or the role given to load().
  std::string named() const { return what_ + " '" + path_.string() + "'"; }
  /// Version 2 ends with the CRC-32 of everything before it: checked before anything is parsed,
  /// so a damaged file is reported as such rather than as whatever the damage looks like.
  void verify_and_drop_checksum() {
    if (!strip_crc32(bytes_)) {
      throw CheckpointError(named() + " is corrupt: its content does not match its checksum (CRC-32)" +
                            (what_ == "checkpoint" ? "; delete it to start afresh" : ""));
    }
  }
  void take(void* dst, std::size_t n) {
    if (n > bytes_.size() - pos_) fail("truncated");
    if (n == 0) return;  // an empty matrix's data() may be null, which memcpy must not see
    std::memcpy(dst, bytes_.data() + pos_, n);
    pos_ += n;
  }
  template <class V>
  V get() {
    V v;
    take(&v, sizeof(V));
    return v;
  }
  std::string get_string() {
    const auto n = get<std::uint64_t>();
    if (n > bytes_.size() - pos_) fail("truncated string");
    std::string s(bytes_.data() + pos_, static_cast<std::size_t>(n));
    pos_ += static_cast<std::size_t>(n);
    return s;
  }
  bool at_end() const { return pos_ == bytes_.size(); }
  [[noreturn]] void fail(const std::string& what) const {
    throw CheckpointError(named() + " is invalid: " + what);
  }

 private:
  std::filesystem::path path_;
  std::string what_;
  std::vector<char> bytes_;
  std::size_t pos_ = 0;
};

template <class M>
const typename M::mapped_type& lookup(const M& map, const std::string& name) {
  const auto it = map.find(name);
  if (it == map.end()) throw CheckpointError("checkpoint has no entry '" + name + "'");
  return it->second;
}

}  // namespace

const Matrix<double>& Checkpoint::matrix(const std::string& name) const { return lookup(matrices_, name); }
std::int64_t Checkpoint::integer(const std::string& name) const { return lookup(ints_, name); }
double Checkpoint::real(const std::string& name) const { return lookup(reals_, name); }
const std::string& Checkpoint::string(const std::string& name) const { return lookup(strings_, name); }

void Checkpoint::save(const std::filesystem::path& path) const {
  Writer out;
  out.append(kMagic, 16);
  out.put<std::uint64_t>(matrices_.size() + ints_.size() + reals_.size() + strings_.size());
  for (const auto& [name, m] : matrices_) {
    out.put_string(name);
    out.put<char>('m');
    out.put<std::uint64_t>(static_cast<std::uint64_t>(m.rows()));
    out.put<std::uint64_t>(static_cast<std::uint64_t>(m.cols()));
    out.append(m.data(), static_cast<std::size_t>(m.size()) * sizeof(double));
  }
  for (const auto& [name, v] : ints_) {
    out.put_string(name);
    out.put<char>('i');
    out.put<std::int64_t>(v);
  }
  for (const auto& [name, v] : reals_) {
    out.put_string(name);
    out.put<char>('r');
    out.put<double>(v);
  }
  for (const auto& [name, v] : strings_) {
    out.put_string(name);
    out.put<char>('s');
    out.put_string(v);
  }
  append_crc32(out.bytes());
  core::write_file_atomically(path, [&](core::OutputFile& file) {
    file.write(out.bytes().data(), out.bytes().size());
  });
}

Checkpoint Checkpoint::load(const std::filesystem::path& path, const std::string& what) {
  Reader in(path, what);
  char magic[16];
  in.take(magic, 16);
  if (std::memcmp(magic, kMagic, 16) == 0) {
    in.verify_and_drop_checksum();
  } else if (std::memcmp(magic, kMagic1, 16) != 0) {
    in.fail("not a sparsecode " + what + " (bad magic or version)");
  }
  Checkpoint c;
  const auto count = in.get<std::uint64_t>();
  for (std::uint64_t e = 0; e < count; ++e) {
    const std::string name = in.get_string();
    const char type = in.get<char>();
    if (type == 'm') {
      const auto rows = in.get<std::uint64_t>();
      const auto cols = in.get<std::uint64_t>();
      if (rows >= (1ULL << 32) || cols >= (1ULL << 32) || rows * cols > (1ULL << 40)) in.fail("matrix '" + name + "' too large");
      Matrix<double> m(static_cast<Index>(rows), static_cast<Index>(cols));
      in.take(m.data(), static_cast<std::size_t>(rows * cols * sizeof(double)));
      c.matrices_[name] = std::move(m);
    } else if (type == 'i') {
      c.ints_[name] = in.get<std::int64_t>();
    } else if (type == 'r') {
      c.reals_[name] = in.get<double>();
    } else if (type == 's') {
      c.strings_[name] = in.get_string();
    } else {
      in.fail("unknown entry type for '" + name + "'");
    }
  }
  if (!in.at_end()) in.fail("trailing bytes");
  return c;
}

}  // namespace sparsecode::io
