// NumPy .npy headers: a parser for the Python dict literal, dtype and shape validation, and the header NumPy writes.
#include <bit>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "sparsecode/io/npy.hpp"

namespace sparsecode::io {

static_assert(std::endian::native == std::endian::little,
              "sparse/npy: only little-endian hosts are supported ('<' and '=' are the same)");

namespace {

constexpr std::size_t kAlignment = 64;           // NumPy's ARRAY_ALIGN: data start at a multiple of it
constexpr std::size_t kGrowthAxisDigits = 21;    // NumPy's GROWTH_AXIS_MAX_DIGITS

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& problem) {
  throw NpyError(file, problem);
}

std::optional<std::size_t> checked_product(const std::vector<std::size_t>& shape,
                                           std::size_t factor) {
  std::size_t product = factor;
  for (const std::size_t n : shape) {
    if (__builtin_mul_overflow(product, n, &product)) {
      return std::nullopt;
    }
  }
  return product;
}

// Shows (part of) the header in messages, with non-printable bytes escaped.
std::string quoted_excerpt(std::string_view text) {
  constexpr std::size_t kMax = 120;
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size() && i < kMax; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20 || c >= 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += text.size() > kMax ? "\"..." : "\"";
  return out;
}

NpyDType parse_descr(const std::string& descr, const std::filesystem::path& file) {
  const std::string supported = " (supported: <f4, <f8, |u1, <i4, <i8)";
  if (!descr.empty() && descr[0] == '>') {
    fail(file, "big-endian dtype '" + descr + "' is not supported; store it little-endian, e.g. "
                   "numpy's a.astype(a.dtype.newbyteorder('<'))");
  }
  const bool has_order = !descr.empty() && (descr[0] == '<' || descr[0] == '=' || descr[0] == '|');
  const char order = has_order ? descr[0] : '=';
  const std::string code = has_order ? descr.substr(1) : descr;
  if (code == "u1") {
    return NpyDType::uint8;  // one byte: every byte-order character means the same
  }
  if (order != '|') {
    if (code == "f4") return NpyDType::float32;
    if (code == "f8") return NpyDType::float64;
    if (code == "i4") return NpyDType::int32;
    if (code == "i8") return NpyDType::int64;
  }
  fail(file, "unsupported dtype '" + descr + "'" + supported);
}

// A recursive-descent parser for the subset of Python literals NumPy writes in a header:
// a dict of str keys to str, bool and int-tuple values. It reports the offset of the problem.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::filesystem::path& file) : text_(text), file_(file) {}

  struct Fields {
    std::optional<std::string> descr;
    std::optional<bool> fortran_order;
    std::optional<std::vector<std::size_t>> shape;
  };

  Fields parse() {
    skip_space();
    if (at_end() || peek() != '{') {
      fail(file_, "header is not a dict: expected '{' at offset " + std::to_string(pos_) + " of " +
                      quoted_excerpt(text_));
    }
    ++pos_;
    Fields fields;
    skip_space();
    while (!at_end() && peek() != '}') {
      parse_entry(fields);
      skip_space();
      if (!at_end() && peek() == ',') {
        ++pos_;
        skip_space();
      } else if (!at_end() && peek() != '}') {
        malformed("expected ',' or '}' after a value");
      }
    }
    if (at_end()) {
      malformed("the dict is not closed with '}'");
    }
    ++pos_;
    skip_space();
    if (!at_end()) {
      malformed("unexpected text after the closing '}'");
    }
    if (!fields.descr) missing("descr");
    if (!fields.fortran_order) missing("fortran_order");
    if (!fields.shape) missing("shape");
    return fields;
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }

  [[noreturn]] void missing(const std::string& key) const {
    fail(file_, "malformed header: missing key '" + key + "' in " + quoted_excerpt(text_));
  }

  [[noreturn]] void malformed(const std::string& what) const {
    fail(file_, "malformed header: " + what + " at offset " + std::to_string(pos_) + " of " +
                    quoted_excerpt(text_));
  }

  void skip_space() {
    while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r' ||
                         peek() == '\f' || peek() == '\v')) {
      ++pos_;
    }
  }

  void parse_entry(Fields& fields) {
    if (peek() != '\'' && peek() != '"') {
      malformed("expected a quoted key");
    }
    const std::string key = parse_string();
    skip_space();
    if (at_end() || peek() != ':') {
      malformed("expected ':' after key '" + key + "'");
    }
    ++pos_;
    skip_space();
    if (key == "descr") {
      set_once(fields.descr, key, parse_descr_value());
    } else if (key == "fortran_order") {
      set_once(fields.fortran_order, key, parse_bool());
    } else if (key == "shape") {
      set_once(fields.shape, key, parse_shape());
    } else {
      fail(file_, "malformed header: unknown key '" + key +
                      "' (expected exactly 'descr', 'fortran_order' and 'shape') in " +
                      quoted_excerpt(text_));
    }
  }

  template <class V>
  void set_once(std::optional<V>& slot, const std::string& key, V value) {
    if (slot.has_value()) {
      fail(file_, "malformed header: duplicate key '" + key + "' in " + quoted_excerpt(text_));
    }
    slot = std::move(value);
  }

  // A Python str literal in single or double quotes; only \\, \' and \" escapes (NumPy's
  // dtype strings need none).
  std::string parse_string() {
    const char quote = peek();
    ++pos_;
    std::string value;
    while (!at_end() && peek() != quote) {
      if (peek() == '\n') {
        malformed("unterminated string");
      }
      if (peek() == '\\') {
        ++pos_;
        if (at_end() || (peek() != '\\' && peek() != '\'' && peek() != '"')) {
          malformed("unsupported escape in a string");
        }
      }
      value += peek();
      ++pos_;
    }
    if (at_end()) {
      malformed("unterminated string");
    }
    ++pos_;
    return value;
  }

  std::string parse_descr_value() {
    if (!at_end() && peek() == '[') {
      malformed("'descr' is a list: structured dtypes are not supported");
    }
    if (at_end() || (peek() != '\'' && peek() != '"')) {
      malformed("'descr' must be a string");
    }
    return parse_string();
  }

  bool parse_bool() {
    const std::size_t start = pos_;
    while (!at_end() && std::isalnum(static_cast<unsigned char>(peek()))) {
      ++pos_;
    }
    const std::string_view word = text_.substr(start, pos_ - start);
    if (word == "True") return true;
    if (word == "False") return false;
    pos_ = start;
    malformed("'fortran_order' must be True or False");
  }

  std::size_t parse_dimension() {
    if (!at_end() && peek() == '-') {
      malformed("negative dimension in 'shape'");
    }
    if (at_end() || !std::isdigit(static_cast<unsigned char>(peek()))) {
      malformed("expected a non-negative integer in 'shape'");
    }
    std::size_t value = 0;
    while (!at_end() && std::isdigit(static_cast<unsigned char>(peek()))) {
      const auto digit = static_cast<std::size_t>(peek() - '0');
      if (__builtin_mul_overflow(value, std::size_t{10}, &value) ||
          __builtin_add_overflow(value, digit, &value)) {
        malformed("dimension in 'shape' does not fit in 64 bits");
      }
      ++pos_;
    }
    if (!at_end() && (peek() == 'L' || peek() == 'l')) {
      ++pos_;  // Python 2 long suffix, written by old NumPy versions
    }
    return value;
  }

  // A tuple of ints: "()", "(3,)", "(2, 3)", "(2, 3,)"; "(3)" is an int in Python, not a tuple.
  std::vector<std::size_t> parse_shape() {
    if (at_end() || peek() != '(') {
      malformed("'shape' must be a tuple");
    }
    ++pos_;
    std::vector<std::size_t> shape;
    bool trailing_comma = false;
    skip_space();
    while (!at_end() && peek() != ')') {
      shape.push_back(parse_dimension());
      skip_space();
      trailing_comma = false;
      if (!at_end() && peek() == ',') {
        trailing_comma = true;
        ++pos_;
        skip_space();
      } else if (!at_end() && peek() != ')') {
        malformed("expected ',' or ')' in 'shape'");
      }
    }
    if (at_end()) {
      malformed("'shape' tuple is not closed with ')'");
    }
    if (shape.size() == 1 && !trailing_comma) {
      malformed("'shape' (" + std::to_string(shape[0]) + ") is an int, not a tuple (write (" +
                std::to_string(shape[0]) + ",))");
    }
    ++pos_;
    return shape;
  }

  std::string_view text_;
  const std::filesystem::path& file_;
  std::size_t pos_ = 0;
};

}  // namespace

std::size_t npy_dtype_size(NpyDType dtype) {
  switch (dtype) {
    case NpyDType::float32: return 4;
    case NpyDType::float64: return 8;
    case NpyDType::uint8: return 1;
    case NpyDType::int32: return 4;
    case NpyDType::int64: return 8;
  }
  throw std::invalid_argument("npy_dtype_size: invalid NpyDType value");
}

std::string npy_dtype_descr(NpyDType dtype) {
  switch (dtype) {
    case NpyDType::float32: return "<f4";
    case NpyDType::float64: return "<f8";
    case NpyDType::uint8: return "|u1";
    case NpyDType::int32: return "<i4";
    case NpyDType::int64: return "<i8";
  }
  throw std::invalid_argument("npy_dtype_descr: invalid NpyDType value");
}

std::string npy_shape_text(const std::vector<std::size_t>& shape) {
  std::string out = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    out += (i ? ", " : "") + std::to_string(shape[i]);
  }
  return out + (shape.size() == 1 ? ",)" : ")");
}

std::size_t NpyHeader::element_count() const {
  const auto count = checked_product(shape, 1);
  if (!count) {
    throw std::overflow_error("NpyHeader::element_count: shape " + npy_shape_text(shape) +
                              " overflows std::size_t");
  }
  return *count;
}

NpyHeader parse_npy_header(std::string_view dict_text, int major_version, std::size_t data_offset,
                           const std::filesystem::path& file, std::size_t max_dimensions) {
  const HeaderParser::Fields fields = HeaderParser(dict_text, file).parse();
  NpyHeader header;
  header.major_version = major_version;
  header.dtype = parse_descr(*fields.descr, file);
  header.fortran_order = *fields.fortran_order;
  header.shape = *fields.shape;
  header.data_offset = data_offset;
  if (header.shape.empty()) {
    fail(file, "0-D (scalar) arrays are not supported: shape is ()");
  }
  if (header.shape.size() > max_dimensions) {
    fail(file, std::to_string(header.shape.size()) + "-D shape " + npy_shape_text(header.shape) +
                   " is not supported (only " +
                   (max_dimensions == 2 ? std::string("1-D and 2-D") : "1-D to " + std::to_string(max_dimensions) + "-D") +
                   " arrays)");
  }
  if (!checked_product(header.shape, npy_dtype_size(header.dtype))) {
    fail(file, "shape " + npy_shape_text(header.shape) + " overflows: its byte count (product of " +
                   "the dimensions × " + std::to_string(npy_dtype_size(header.dtype)) +
                   ") does not fit in size_t");
  }
  return header;
}

std::string format_npy_header(NpyDType dtype, bool fortran_order,
                              const std::vector<std::size_t>& shape, NpyVersion version) {
  if (shape.empty() || shape.size() > 2) {
    throw std::invalid_argument("format_npy_header: shape must have 1 or 2 dimensions, got " +
                                std::to_string(shape.size()));
  }
  if (!checked_product(shape, npy_dtype_size(dtype))) {
    throw std::invalid_argument("format_npy_header: shape " + npy_shape_text(shape) +
                                " overflows size_t");
  }
  std::string dict = "{'descr': '" + npy_dtype_descr(dtype) +
                     "', 'fortran_order': " + (fortran_order ? "True" : "False") +
                     ", 'shape': " + npy_shape_text(shape) + ", }";
  // Spare room so that the growth axis can be rewritten in place (NumPy >= 1.23 does this).
  const std::size_t growth_digits =
      std::to_string(fortran_order ? shape.back() : shape.front()).size();
  dict.append(kGrowthAxisDigits > growth_digits ? kGrowthAxisDigits - growth_digits : 0, ' ');

  // The padding NumPy computes: 1 to 64 spaces, then '\n', ending at a multiple of 64.
  const auto padded_length = [&](std::size_t preamble) {
    const std::size_t unpadded = preamble + dict.size() + 1;
    return dict.size() + 1 + (kAlignment - unpadded % kAlignment);
  };
  if (version == NpyVersion::automatic) {
    version = padded_length(10) <= std::numeric_limits<std::uint16_t>::max() ? NpyVersion::v1
                                                                              : NpyVersion::v2;
  }
  const int major = version == NpyVersion::v1 ? 1 : version == NpyVersion::v2 ? 2 : 3;
  const std::size_t preamble = major == 1 ? 10 : 12;
  const std::size_t header_length = padded_length(preamble);
  if (major == 1 && header_length > std::numeric_limits<std::uint16_t>::max()) {
    throw std::invalid_argument("format_npy_header: header of " + std::to_string(header_length) +
                                " bytes does not fit format version 1.0");
  }
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  for (std::size_t i = 0; i < preamble - 8; ++i) {
    out += static_cast<char>((header_length >> (8 * i)) & 0xff);
  }
  out += dict;
  out.append(header_length - dict.size() - 1, ' ');
  out += '\n';
  return out;
}

}  // namespace sparsecode::io
