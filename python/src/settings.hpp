// Typed look-ups in the settings dicts that the Python package passes to the bindings.
#pragma once

#include <pybind11/pybind11.h>

namespace sparsecode::python {

/// settings[key] as T, or `fallback` when the key is absent or None.
template <class T>
T get_or(const pybind11::dict& settings, const char* key, T fallback) {
  return settings.contains(key) && !settings[key].is_none() ? pybind11::cast<T>(settings[key]) : fallback;
}

}  // namespace sparsecode::python
