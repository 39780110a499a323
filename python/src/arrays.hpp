// NumPy arrays as Eigen maps without copies: a C-ordered N×d array is the library's column-major d×N.
#pragma once

#include <string>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include "sparsecode/core/types.hpp"

namespace sparsecode::python {

namespace py = pybind11;

template <class T>
using ConstMap = Eigen::Map<const Matrix<T>>;
template <class T>
using MutableMap = Eigen::Map<Matrix<T>>;

/// Checks that `array` is a 2-D C-contiguous array of T (the Python layer converts everything
/// else once, before calling in); throws std::invalid_argument naming `what` otherwise.
template <class T>
void require_layout(const py::array& array, const std::string& what) {
  if (array.ndim() != 2) {
    throw std::invalid_argument(what + " must be a 2-D array, got " + std::to_string(array.ndim()) + "-D");
  }
  if (!array.dtype().is(py::dtype::of<T>())) {
    throw std::invalid_argument(what + " has dtype " + std::string(py::str(array.dtype())) + ", expected " +
                                std::string(py::str(py::dtype::of<T>())));
  }
  if (!(array.flags() & py::array::c_style)) throw std::invalid_argument(what + " must be C-contiguous");
}

/// The rows of an N×d C-ordered array as the columns of a d×N matrix (the caller's memory).
template <class T>
ConstMap<T> rows_as_columns(const py::array& array, const std::string& what) {
  require_layout<T>(array, what);
  return ConstMap<T>(static_cast<const T*>(array.data()), array.shape(1), array.shape(0));
}

/// The same, writable (for output buffers such as codes).
template <class T>
MutableMap<T> mutable_rows_as_columns(py::array& array, const std::string& what) {
  require_layout<T>(array, what);
  if (!array.writeable()) throw std::invalid_argument(what + " is read-only");
  return MutableMap<T>(static_cast<T*>(array.mutable_data()), array.shape(1), array.shape(0));
}

/// A new C-ordered N×d array (float64 or float32) holding the columns of a d×N matrix.
template <class T, class Derived>
py::array_t<T> columns_as_rows(const Eigen::MatrixBase<Derived>& m) {
  py::array_t<T> out({static_cast<py::ssize_t>(m.cols()), static_cast<py::ssize_t>(m.rows())});
  MutableMap<T>(out.mutable_data(), m.rows(), m.cols()) = m.template cast<T>();
  return out;
}

}  // namespace sparsecode::python
