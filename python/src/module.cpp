// The extension module sparsecode._core: thin bindings of the C++ library (the Python package wraps them).
#include "bindings.hpp"

PYBIND11_MODULE(_core, m) {
  m.doc() = "sparsecode's C++ library (use the sparsecode package, not this module directly)";
  m.attr("__version__") = SPARSECODE_VERSION;
  sparsecode::python::bind_encode(m);
  sparsecode::python::bind_learners(m);
  sparsecode::python::bind_images(m);
  sparsecode::python::bind_autoencoder(m);
  sparsecode::python::bind_features(m);
}
