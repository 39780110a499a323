// Reading and writing learner checkpoints (versioned binary key-value file, written atomically).
#include "sparsecode/io/checkpoint.hpp"

#include <bit>
#include <cstring>
#include <fstream>
#include <vector>

#include "sparsecode/core/atomic_file.hpp"

namespace sparsecode::io {

static_assert(std::endian::native == std::endian::little, "checkpoints assume a little-endian host");

namespace {

constexpr char kMagic[17] = "SPARSECODE-CKPT1";

template <class V>
void put(std::ofstream& out, const V& value) {
  out.write(reinterpret_cast<const char*>(&value), sizeof(V));
}

void put_string(std::ofstream& out, const std::string& s) {
  put<std::uint64_t>(out, s.size());
  out.write(s.data(), static_cast<std::streamsize>(s.size()));
}

class Reader {
 public:
  explicit Reader(const std::filesystem::path& path) : path_(path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw CheckpointError("cannot open checkpoint '" + path.string() + "'");
    bytes_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  void take(void* dst, std::size_t n) {
    if (n > bytes_.size() - pos_) fail("truncated");
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
    throw CheckpointError("checkpoint '" + path_.string() + "' is invalid: " + what);
  }

 private:
  std::filesystem::path path_;
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
  core::write_atomically(path, [&](const std::filesystem::path& tmp) {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write checkpoint '" + tmp.string() + "'");
    out.write(kMagic, 16);
    put<std::uint64_t>(out, matrices_.size() + ints_.size() + reals_.size() + strings_.size());
    for (const auto& [name, m] : matrices_) {
      put_string(out, name);
      put<char>(out, 'm');
      put<std::uint64_t>(out, static_cast<std::uint64_t>(m.rows()));
      put<std::uint64_t>(out, static_cast<std::uint64_t>(m.cols()));
      out.write(reinterpret_cast<const char*>(m.data()), static_cast<std::streamsize>(m.size() * sizeof(double)));
    }
    for (const auto& [name, v] : ints_) {
      put_string(out, name);
      put<char>(out, 'i');
      put<std::int64_t>(out, v);
    }
    for (const auto& [name, v] : reals_) {
      put_string(out, name);
      put<char>(out, 'r');
      put<double>(out, v);
    }
    for (const auto& [name, v] : strings_) {
      put_string(out, name);
      put<char>(out, 's');
      put_string(out, v);
    }
    out.flush();
    if (!out) throw std::runtime_error("error while writing checkpoint '" + tmp.string() + "'");
  });
}

Checkpoint Checkpoint::load(const std::filesystem::path& path) {
  Reader in(path);
  char magic[16];
  in.take(magic, 16);
  if (std::memcmp(magic, kMagic, 16) != 0) in.fail("not a sparsecode checkpoint (bad magic or version)");
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
