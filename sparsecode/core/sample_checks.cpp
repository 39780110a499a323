// The one check every sample-taking entry point runs: each sample finite and its squared norm representable.
#include "sparsecode/core/sample_checks.hpp"

#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace sparsecode::core {

namespace {

// Every sample finite and its squared norm at most `limit` (the largest value of `arithmetic`).
template <class T>
void check_samples_below(const Eigen::Ref<const Matrix<T>>& samples, T limit, const char* arithmetic,
                         const std::string& what, const std::string& item, const std::function<Index(Index)>& row_of) {
  for (Index j = 0; j < samples.cols(); ++j) {
    // NaN or Inf make the squared norm non-finite too, so one vectorised pass per sample
    // decides; the entries are looked at only to say which problem it is.
    const T norm2 = samples.col(j).squaredNorm();
    if (std::isfinite(norm2) && norm2 <= limit) continue;
    const std::string row = std::to_string(row_of ? row_of(j) : j);
    const std::string named = what + ": " + item + " " + row + " (row " + row + ")";
    for (Index i = 0; i < samples.rows(); ++i) {
      if (!std::isfinite(samples(i, j))) {
        throw std::invalid_argument(named + " contains NaN or Inf (component " + std::to_string(i) + ")");
      }
    }
    std::ostringstream largest;
    largest << static_cast<double>(samples.col(j).cwiseAbs().maxCoeff());
    throw std::invalid_argument(named + " is too large: its squared norm overflows " + arithmetic +
                                " (largest |value| " + largest.str() + "); rescale the data");
  }
}

}  // namespace

template <class T>
void check_samples_finite(const Eigen::Ref<const Matrix<T>>& samples, const std::string& what,
                          const std::string& item, const std::function<Index(Index)>& row_of) {
  check_samples_below<T>(samples, std::numeric_limits<T>::max(), sizeof(T) == 4 ? "float" : "double", what, item,
                         row_of);
}

void check_samples_fit_float(const Eigen::Ref<const Matrix<double>>& samples, const std::string& what,
                             const std::string& item, const std::function<Index(Index)>& row_of) {
  check_samples_below<double>(samples, static_cast<double>(std::numeric_limits<float>::max()), "float", what, item,
                              row_of);
}

template void check_samples_finite<float>(const Eigen::Ref<const Matrix<float>>&, const std::string&,
                                          const std::string&, const std::function<Index(Index)>&);
template void check_samples_finite<double>(const Eigen::Ref<const Matrix<double>>&, const std::string&,
                                           const std::string&, const std::function<Index(Index)>&);

}  // namespace sparsecode::core
