// Core matrix aliases shared by every module (Eigen, column-major: one sample per column).
#pragma once

#include <Eigen/Core>

namespace sparsecode::core {

using Index = Eigen::Index;

/// Column-major dynamic matrix. Data matrices are d×N (one sample per column), dictionaries d×k.
template <class T>
using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;

template <class T>
using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;

}  // namespace sparsecode::core

namespace sparsecode {
// Every module names these unqualified; users may write sparsecode::Matrix<double>.
using core::Index;
using core::Matrix;
using core::Vector;
}  // namespace sparsecode
