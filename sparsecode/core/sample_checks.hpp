// The one check every sample-taking entry point runs: each sample finite and its squared norm representable.
#pragma once

#include <functional>
#include <string>

#include "sparsecode/core/types.hpp"

namespace sparsecode::core {

/// Throws std::invalid_argument naming `what` and the sample (column j = row j of an N×d file)
/// if a sample contains NaN or ±Inf, or if its squared norm ‖x‖² overflows in T (e.g. one
/// value 1e300 in double, 1e20 in float), which would turn objectives and gaps into Inf/NaN.
/// Empty matrices pass (callers decide whether empty is an error). `item` names a column in the
/// message ("sample", or "atom" for a dictionary). `row_of(j)`, if given, is the number the
/// message gives column j (its row in the file when `samples` are some rows of one: a block,
/// a gathered mini-batch). T is float or double.
template <class T>
void check_samples_finite(const Eigen::Ref<const Matrix<T>>& samples, const std::string& what,
                          const std::string& item = "sample", const std::function<Index(Index)>& row_of = {});

/// check_samples_finite() for double samples that will be computed in float: each sample
/// finite and its squared norm within float's range (one value 1e20 fails), with the same
/// message, which says "overflows float".
void check_samples_fit_float(const Eigen::Ref<const Matrix<double>>& samples, const std::string& what,
                             const std::string& item = "sample", const std::function<Index(Index)>& row_of = {});

}  // namespace sparsecode::core
