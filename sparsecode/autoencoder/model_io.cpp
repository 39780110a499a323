// Versioned binary model files: fixed 64-byte header after the magic, then the flat parameter vector.
#include "sparsecode/autoencoder/model_io.hpp"

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "sparsecode/core/atomic_file.hpp"
#include "sparsecode/io/checksum.hpp"

namespace sparsecode::autoencoder {

namespace {

static_assert(std::endian::native == std::endian::little,
              "the model format is little-endian; add byte swapping for this platform");

constexpr std::array<char, 8> kMagic = {'S', 'P', 'A', 'R', 'S', 'E', 'A', 'E'};
constexpr std::uint32_t kHeaderBytes = 64;

/// Fixed-size header after magic, version and header size.
struct Header {
  std::int64_t d = 0, h = 0;
  std::uint8_t activation = 0, decoder = 0, tying = 0;
  double rho = 0, beta = 0, weight_decay = 0, l1 = 0;
  std::int64_t parameters = 0;
};

template <class T>
void put(std::vector<char>& bytes, T value) {
  const std::size_t old = bytes.size();
  bytes.resize(old + sizeof(T));
  std::memcpy(bytes.data() + old, &value, sizeof(T));
}

template <class T>
T get(const std::vector<char>& bytes, std::size_t& offset) {
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof(T));
  offset += sizeof(T);
  return value;
}

}  // namespace

void save_model(const std::filesystem::path& path, const Model& model, const CostOptions& cost) {
  const Architecture& a = model.architecture();
  a.validate();
  cost.validate();
  std::vector<char> bytes;
  bytes.reserve(kMagic.size() + 8 + kHeaderBytes);
  for (const char c : kMagic) {
    bytes.push_back(c);
  }
  put(bytes, kModelFormatVersion);
  put(bytes, kHeaderBytes);
  put(bytes, static_cast<std::int64_t>(a.input_dim));
  put(bytes, static_cast<std::int64_t>(a.hidden));
  put(bytes, static_cast<std::uint8_t>(a.activation));
  put(bytes, static_cast<std::uint8_t>(a.decoder));
  put(bytes, static_cast<std::uint8_t>(a.tying));
  bytes.insert(bytes.end(), 5, '\0');
  put(bytes, cost.rho);
  put(bytes, cost.beta);
  put(bytes, cost.weight_decay);
  put(bytes, cost.l1);
  put(bytes, static_cast<std::int64_t>(model.parameters().size()));
  const std::size_t theta_bytes = static_cast<std::size_t>(model.parameters().size()) * sizeof(double);
  const std::size_t old = bytes.size();
  bytes.resize(old + theta_bytes);
  std::memcpy(bytes.data() + old, model.parameters().data(), theta_bytes);
  io::append_crc32(bytes);
  core::write_file_atomically(path, [&](core::OutputFile& out) { out.write(bytes.data(), bytes.size()); });
}

SavedModel load_model(const std::filesystem::path& path) {
  const std::string name = path.string();
  const auto fail = [&](const std::string& problem) {
    throw ModelFileError(name + ": not a valid sparse autoencoder model file: " + problem);
  };
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw ModelFileError(name + ": cannot open the model file");
  }
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  constexpr std::size_t prefix = kMagic.size() + 8;
  if (bytes.size() < prefix || !std::equal(kMagic.begin(), kMagic.end(), bytes.begin())) {
    fail("bad magic (expected a file written by 'sparsecode autoencoder train')");
  }
  std::size_t offset = kMagic.size();
  const auto version = get<std::uint32_t>(bytes, offset);
  if (version != kModelFormatVersion && version != 1) {
    fail("format version " + std::to_string(version) + " is not supported (this build reads 1 to " +
         std::to_string(kModelFormatVersion) + ")");
  }
  if (version >= 2) {
    // The CRC-32 of everything before it, checked before anything else is believed.
    if (!io::strip_crc32(bytes)) {
      throw ModelFileError(name + ": the model file is corrupt: its content does not match its checksum (CRC-32)");
    }
  }
  if (get<std::uint32_t>(bytes, offset) != kHeaderBytes || bytes.size() < prefix + kHeaderBytes) {
    fail("truncated or malformed header");
  }
  Header hd;
  hd.d = get<std::int64_t>(bytes, offset);
  hd.h = get<std::int64_t>(bytes, offset);
  hd.activation = get<std::uint8_t>(bytes, offset);
  hd.decoder = get<std::uint8_t>(bytes, offset);
  hd.tying = get<std::uint8_t>(bytes, offset);
  offset += 5;
  hd.rho = get<double>(bytes, offset);
  hd.beta = get<double>(bytes, offset);
  hd.weight_decay = get<double>(bytes, offset);
  hd.l1 = get<double>(bytes, offset);
  hd.parameters = get<std::int64_t>(bytes, offset);
  if (hd.activation > 1 || hd.decoder > 1 || hd.tying > 1) {
    fail("unknown activation/decoder/tying code");
  }
  Architecture a;
  a.input_dim = hd.d;
  a.hidden = hd.h;
  a.activation = static_cast<Activation>(hd.activation);
  a.decoder = static_cast<Decoder>(hd.decoder);
  a.tying = static_cast<Tying>(hd.tying);
  CostOptions cost;
  cost.rho = hd.rho;
  cost.beta = hd.beta;
  cost.weight_decay = hd.weight_decay;
  cost.l1 = hd.l1;
  try {
    a.validate();
    cost.validate();
  } catch (const std::invalid_argument& e) {
    fail(e.what());
  }
  if (hd.parameters != a.parameter_count()) {
    fail("parameter count " + std::to_string(hd.parameters) + " does not match d = " +
         std::to_string(hd.d) + ", h = " + std::to_string(hd.h));
  }
  const std::size_t expected = offset + static_cast<std::size_t>(hd.parameters) * sizeof(double);
  if (bytes.size() != expected) {
    fail("size is " + std::to_string(bytes.size()) + " bytes, expected " +
         std::to_string(expected) + " (truncated or trailing data)");
  }
  SavedModel saved{Model(a), cost};
  std::memcpy(saved.model.parameters().data(), bytes.data() + offset,
              static_cast<std::size_t>(hd.parameters) * sizeof(double));
  if (!saved.model.parameters().allFinite()) {
    fail("non-finite parameter values");
  }
  return saved;
}

}  // namespace sparsecode::autoencoder
