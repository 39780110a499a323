// Messages for failed large allocations: what, which shape, how many bytes.
#include "sparsecode/core/allocation.hpp"

#include <array>
#include <cstdio>

namespace sparsecode::core {

std::string allocation_message(const std::string& what, double count, double width, std::size_t element_bytes) {
  static constexpr std::array<const char*, 7> kUnits = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double size = count * width * static_cast<double>(element_bytes);
  std::size_t unit = 0;
  while (size >= 1024.0 && unit + 1 < kUnits.size()) {
    size /= 1024.0;
    ++unit;
  }
  char amount[64];
  std::snprintf(amount, sizeof amount, "%.3g %s", size, kUnits[unit]);
  char shape[96];
  if (width == 1.0) {
    std::snprintf(shape, sizeof shape, "%.0f values", count);
  } else {
    std::snprintf(shape, sizeof shape, "%.0f x %.0f values", count, width);
  }
  return "not enough memory for " + what + " (" + shape + " of " + std::to_string(element_bytes) +
         " bytes = " + amount + ")";
}

}  // namespace sparsecode::core
