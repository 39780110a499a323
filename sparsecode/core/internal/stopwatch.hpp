// Elapsed wall time since a start, on the steady clock.
#pragma once

#include <chrono>

namespace sparsecode::core::internal {

/// Seconds since construction (or the last restart()), from std::chrono::steady_clock.
class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}
  void restart() { start_ = std::chrono::steady_clock::now(); }
  double seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }

 private:
  std::chrono::steady_clock::time_point start_;
};

}  // namespace sparsecode::core::internal
