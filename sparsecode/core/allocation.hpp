// Large allocations that, when memory runs out, say what was too large instead of a bare std::bad_alloc.
#pragma once

#include <cstddef>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "sparsecode/core/types.hpp"

namespace sparsecode::core {

/// A buffer could not be allocated; the message names it, its shape and its size in bytes,
/// e.g. "not enough memory for the patches (144 x 100000000000 values of 8 bytes = 105 TiB)".
class AllocationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The message of an AllocationError for `count` × `width` elements of `element_bytes` bytes.
std::string allocation_message(const std::string& what, double count, double width, std::size_t element_bytes);

/// An uninitialised rows × cols matrix; throws AllocationError naming `what` (e.g. "the
/// patches") if it cannot be allocated, where Eigen would throw std::bad_alloc.
template <class T>
Matrix<T> allocate_matrix(Index rows, Index cols, const std::string& what) {
  try {
    return Matrix<T>(rows, cols);
  } catch (const std::bad_alloc&) {
    throw AllocationError(allocation_message(what, static_cast<double>(rows), static_cast<double>(cols), sizeof(T)));
  }
}

/// vector::reserve(n), throwing AllocationError naming `what` instead of std::bad_alloc or
/// std::length_error.
template <class V>
void reserve_or_throw(std::vector<V>& values, std::size_t n, const std::string& what) {
  try {
    values.reserve(n);
  } catch (const std::bad_alloc&) {
    throw AllocationError(allocation_message(what, static_cast<double>(n), 1.0, sizeof(V)));
  } catch (const std::length_error&) {
    throw AllocationError(allocation_message(what, static_cast<double>(n), 1.0, sizeof(V)));
  }
}

}  // namespace sparsecode::core
