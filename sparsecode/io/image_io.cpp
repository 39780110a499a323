// Image loading (stb for PNG/JPEG/BMP, a strict reader for PGM/PPM) to grayscale [0, 1]; PNG writing.
#include "sparsecode/io/image_io.hpp"

#include <stb_image.h>
#include <stb_image_write.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <exception>
#include <initializer_list>
#include <fstream>
#include <iterator>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>

#include "sparsecode/core/atomic_file.hpp"

namespace sparsecode::io {
namespace {

namespace fs = std::filesystem;

std::string quoted(const fs::path& path) {
  // Appending (not "'" + string) avoids GCC 12's false -Wrestrict warning on operator+.
  std::string text(1, '\'');
  text.append(path.string());
  text.push_back('\'');
  return text;
}

std::vector<unsigned char> read_file(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    throw std::runtime_error("cannot read image " + quoted(path) +
                             (fs::exists(path, ec) ? ": not a regular file" : ": no such file"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open image " + quoted(path));
  std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)),
                                   std::istreambuf_iterator<char>());
  if (in.bad()) throw std::runtime_error("error while reading image " + quoted(path));
  return bytes;
}

/// Interleaved samples (row-major, `channels` per pixel) to grayscale in [0, 1]. ITU-R BT.601
/// luma is applied to the stored (gamma-encoded) values, as the standard defines it; for
/// gray+alpha and RGBA the alpha channel is ignored.
template <class Sample>
Matrix<double> to_gray(const Sample* data, int width, int height, int channels, double maxval) {
  Matrix<double> pixels(height, width);
  for (int r = 0; r < height; ++r) {
    for (int c = 0; c < width; ++c) {
      const Sample* p = data + (static_cast<std::size_t>(r) * width + c) * channels;
      const double y = channels >= 3 ? 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]
                                     : static_cast<double>(p[0]);
      // The luma weights sum to 1 only up to rounding: keep white at exactly 1 at most.
      pixels(r, c) = std::min(1.0, y / maxval);
    }
  }
  return pixels;
}

/// Refuses a declared size above the cap before anything is decoded.
void check_pixel_count(const fs::path& path, long long width, long long height,
                       const ImageReadOptions& options) {
  const double pixels = static_cast<double>(width) * static_cast<double>(height);
  if (pixels > static_cast<double>(options.max_pixels)) {
    throw std::runtime_error("image " + quoted(path) + " declares " + std::to_string(width) + "x" +
                             std::to_string(height) + " pixels, more than the limit of " +
                             std::to_string(options.max_pixels) +
                             " (ImageReadOptions::max_pixels; --max-pixels in the sparsecode tool)");
  }
}

struct StbFree {
  void operator()(void* p) const { stbi_image_free(p); }
};

Matrix<double> decode_with_stb(const fs::path& path, const std::vector<unsigned char>& bytes,
                               const ImageReadOptions& options) {
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    throw std::runtime_error("image " + quoted(path) + " is too large to decode (over 2 GiB)");
  }
  const auto* buffer = bytes.data();
  const int length = static_cast<int>(bytes.size());
  int width = 0;
  int height = 0;
  int channels = 0;
  const auto fail = [&path]() {
    const char* reason = stbi_failure_reason();
    return std::runtime_error("cannot decode image " + quoted(path) + ": " +
                              (reason != nullptr ? reason : "unknown error"));
  };
  // The header alone gives the size (a header stb cannot read fails in the decoding below).
  if (stbi_info_from_memory(buffer, length, &width, &height, &channels) != 0) {
    check_pixel_count(path, width, height, options);
  }
  if (stbi_is_16_bit_from_memory(buffer, length) != 0) {
    std::unique_ptr<stbi_us, StbFree> data(
        stbi_load_16_from_memory(buffer, length, &width, &height, &channels, 0));
    if (!data) throw fail();
    return to_gray(data.get(), width, height, channels, 65535.0);
  }
  std::unique_ptr<stbi_uc, StbFree> data(
      stbi_load_from_memory(buffer, length, &width, &height, &channels, 0));
  if (!data) throw fail();
  return to_gray(data.get(), width, height, channels, 255.0);
}

/// Netpbm graymap/pixmap reader (P2, P3 ASCII; P5, P6 binary). stb 2.27 reads 16-bit samples in
/// the wrong byte order, ignores maxval and accepts truncated rasters, so PNM is parsed here.
class PnmReader {
 public:
  PnmReader(const fs::path& path, const std::vector<unsigned char>& bytes, const ImageReadOptions& options)
      : path_(path), bytes_(bytes), options_(options) {}

  Matrix<double> decode() {
    const char kind = static_cast<char>(bytes_[1]);
    pos_ = 2;
    const bool ascii = kind == '2' || kind == '3';
    const int channels = (kind == '3' || kind == '6') ? 3 : 1;
    const long width = header_integer("width");
    const long height = header_integer("height");
    const long maxval = header_integer("maxval");
    if (width < 1 || height < 1) error("width and height must be positive");
    check_pixel_count(path_, width, height, options_);
    if (maxval < 1 || maxval > 65535) error("maxval " + std::to_string(maxval) + " not in 1..65535");
    const int bytes_per_sample = maxval > 255 ? 2 : 1;
    // Each sample takes at least one byte (binary) or two characters (ASCII) of the file, so
    // this bound rejects absurd headers before anything is allocated.
    const std::size_t remaining = bytes_.size() - std::min(bytes_.size(), pos_);
    if (static_cast<double>(width) * static_cast<double>(height) * channels >
        static_cast<double>(remaining)) {
      error("truncated: the header announces " + std::to_string(width) + "x" +
            std::to_string(height) + " pixels but the file is too short");
    }
    const std::size_t count = static_cast<std::size_t>(width) * height * channels;
    std::vector<std::uint16_t> samples(count);
    if (ascii) {
      for (std::size_t i = 0; i < count; ++i) samples[i] = sample(integer("pixel data"), maxval);
    } else {
      // Exactly one whitespace character separates maxval from the raster.
      if (pos_ >= bytes_.size() || std::isspace(bytes_[pos_]) == 0) {
        error("expected one whitespace character after maxval");
      }
      ++pos_;
      if (bytes_.size() - pos_ < count * bytes_per_sample) {
        error("truncated: expected " + std::to_string(count * bytes_per_sample) +
              " bytes of pixel data, found " + std::to_string(bytes_.size() - pos_));
      }
      for (std::size_t i = 0; i < count; ++i) {
        const long v = bytes_per_sample == 1
                           ? bytes_[pos_ + i]
                           : (long{bytes_[pos_ + 2 * i]} << 8) | bytes_[pos_ + 2 * i + 1];
        samples[i] = sample(v, maxval);
      }
    }
    return to_gray(samples.data(), static_cast<int>(width), static_cast<int>(height), channels,
                   static_cast<double>(maxval));
  }

 private:
  [[noreturn]] void error(const std::string& what) const {
    throw std::runtime_error("cannot decode image " + quoted(path_) + ": PNM " + what);
  }

  std::uint16_t sample(long value, long maxval) const {
    if (value > maxval) {
      error("sample " + std::to_string(value) + " exceeds maxval " + std::to_string(maxval));
    }
    return static_cast<std::uint16_t>(value);
  }

  long header_integer(const char* field) {
    const long v = integer(field);
    if (v > std::numeric_limits<int>::max()) error(std::string(field) + " too large");
    return v;
  }

  /// Skips whitespace and '#' comments, then reads a decimal integer; leaves pos_ just after it.
  long integer(const char* field) {
    for (;;) {
      while (pos_ < bytes_.size() && std::isspace(bytes_[pos_]) != 0) ++pos_;
      if (pos_ < bytes_.size() && bytes_[pos_] == '#') {
        while (pos_ < bytes_.size() && bytes_[pos_] != '\n' && bytes_[pos_] != '\r') ++pos_;
        continue;
      }
      break;
    }
    if (pos_ >= bytes_.size() || std::isdigit(bytes_[pos_]) == 0) {
      error(std::string("expected a number for ") + field);
    }
    long v = 0;
    while (pos_ < bytes_.size() && std::isdigit(bytes_[pos_]) != 0) {
      v = v * 10 + (bytes_[pos_++] - '0');
      if (v > 1'000'000'000L) error(std::string(field) + " too large");
    }
    return v;
  }

  const fs::path& path_;
  const std::vector<unsigned char>& bytes_;
  const ImageReadOptions& options_;
  std::size_t pos_ = 0;
};

bool is_pnm(const std::vector<unsigned char>& bytes) {
  return bytes.size() >= 2 && bytes[0] == 'P' &&
         (bytes[1] == '2' || bytes[1] == '3' || bytes[1] == '5' || bytes[1] == '6');
}

/// PNG, JPEG and BMP by their signatures. stb would also try TGA, whose header test is weak
/// enough to "decode" some corrupt files as garbage, so only these reach stb.
bool is_stb_format(const std::vector<unsigned char>& bytes) {
  static constexpr std::array<unsigned char, 8> kPng = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  const auto starts_with = [&bytes](std::initializer_list<unsigned char> magic) {
    return bytes.size() >= magic.size() && std::equal(magic.begin(), magic.end(), bytes.begin());
  };
  return (bytes.size() >= kPng.size() && std::equal(kPng.begin(), kPng.end(), bytes.begin())) ||
         starts_with({0xff, 0xd8, 0xff}) || starts_with({'B', 'M'});
}

bool has_image_extension(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  static constexpr std::array<const char*, 6> kExtensions = {".png", ".jpg", ".jpeg",
                                                             ".pgm", ".ppm", ".bmp"};
  return std::find(kExtensions.begin(), kExtensions.end(), ext) != kExtensions.end();
}

}  // namespace

void ImageReadOptions::validate() const {
  if (max_pixels < 1) {
    throw std::invalid_argument("ImageReadOptions.max_pixels must be >= 1, got " + std::to_string(max_pixels));
  }
}

Image load_image(const std::filesystem::path& path, const ImageReadOptions& options) {
  options.validate();
  const std::vector<unsigned char> bytes = read_file(path);
  if (bytes.empty()) throw std::runtime_error("cannot decode image " + quoted(path) + ": empty file");
  Image image;
  image.name = path.string();
  if (is_pnm(bytes)) {
    image.pixels = PnmReader(path, bytes, options).decode();
  } else if (is_stb_format(bytes)) {
    image.pixels = decode_with_stb(path, bytes, options);
  } else {
    throw std::runtime_error("cannot decode image " + quoted(path) +
                             ": not a PNG, JPEG, BMP, PGM or PPM file");
  }
  return image;
}

ImageSet load_image_directory(const std::filesystem::path& dir, const ImageReadOptions& options) {
  options.validate();
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    throw std::runtime_error("image directory " + quoted(dir) + " does not exist");
  }
  if (!fs::is_directory(dir, ec)) {
    throw std::runtime_error("image directory " + quoted(dir) + " is not a directory");
  }
  std::vector<fs::path> entries;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    entries.push_back(it->path());
  }
  if (ec) throw std::runtime_error("cannot list image directory " + quoted(dir) + ": " + ec.message());
  // Sort by file name bytes so that the order (and with it every seeded sample) is the same on
  // every file system.
  std::sort(entries.begin(), entries.end(), [](const fs::path& a, const fs::path& b) {
    return a.filename().string() < b.filename().string();
  });
  ImageSet set;
  for (const fs::path& entry : entries) {
    if (fs::is_directory(entry, ec)) {
      set.warnings.push_back("skipping subdirectory " + quoted(entry));
    } else if (!has_image_extension(entry)) {
      set.warnings.push_back("skipping " + quoted(entry) +
                             ": not an image extension (.png .jpg .jpeg .pgm .ppm .bmp)");
    } else {
      set.images.push_back(load_image(entry, options));
    }
  }
  if (set.images.empty()) {
    throw std::runtime_error("no images (.png .jpg .jpeg .pgm .ppm .bmp) in directory " + quoted(dir));
  }
  return set;
}

void write_png_gray8(const std::filesystem::path& path, int width, int height,
                     const std::vector<unsigned char>& pixels) {
  if (width < 1 || height < 1) {
    throw std::invalid_argument("write_png_gray8: width and height must be positive, got " +
                                std::to_string(width) + "x" + std::to_string(height));
  }
  if (pixels.size() != static_cast<std::size_t>(width) * static_cast<std::size_t>(height)) {
    throw std::invalid_argument("write_png_gray8: pixels has " + std::to_string(pixels.size()) +
                                " bytes, expected width*height = " +
                                std::to_string(static_cast<std::size_t>(width) * height));
  }
  core::write_file_atomically(path, [&](core::OutputFile& out) {
    // stb's own file writer ignores write errors; its callback writer lets every byte go
    // through the checked OutputFile. The callback runs inside C code, so an error is carried
    // out of it rather than thrown through it.
    struct Sink {
      core::OutputFile* out;
      std::exception_ptr error;
    } sink{&out, nullptr};
    const auto put = [](void* context, void* data, int size) {
      auto* s = static_cast<Sink*>(context);
      if (s->error) return;
      try {
        s->out->write(data, static_cast<std::size_t>(size));
      } catch (...) {
        s->error = std::current_exception();
      }
    };
    const int encoded = stbi_write_png_to_func(put, &sink, width, height, 1, pixels.data(), width);
    if (sink.error) std::rethrow_exception(sink.error);
    if (encoded == 0) throw std::runtime_error("cannot encode PNG " + quoted(path));
  });
}

}  // namespace sparsecode::io
