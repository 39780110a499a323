// The one place that turns the Python side's coding parameters into the library's EncodeOptions and runs the encoder.
#pragma once

#include <string>

#include <pybind11/pybind11.h>

#include "arrays.hpp"
#include "sparsecode/sparse/encoder.hpp"

namespace sparsecode::python {

/// Coding parameters as the Python package names them (solver names are the CLI's).
struct CodingParams {
  std::string solver = "lars";  ///< lars, cd, fista, ista, fss, omp
  double alpha = 1.0;           ///< λ of ½‖x − Da‖² + λ‖a‖₁ (OMP: only for the reported objective)
  bool positive = false;        ///< non-negative codes
  int omp_atoms = 0;            ///< OMP sparsity target (0: no limit)
  double omp_tolerance = 0.0;   ///< OMP residual tolerance ‖x − Da‖² (0: off)
  double tolerance = 1e-6;      ///< relative duality gap for the iterative solvers
  int max_iterations = 0;       ///< per-sample cap (0: the solver's default)
  int threads = 0;              ///< 0: every core
};

/// EncodeOptions for `params`; throws std::invalid_argument naming the bad field.
sparse::EncodeOptions to_encode_options(const CodingParams& params);

/// Codes of the d×N `signals` on the d×k `dictionary` into the k×N `codes`: sparse::SparseCoder
/// reads and writes the caller's memory in place (Eigen::Ref over the maps), without copies.
template <class T>
sparse::EncodeSummary encode_columns(const ConstMap<T>& dictionary, const ConstMap<T>& signals, MutableMap<T> codes,
                                     const sparse::EncodeOptions& options);

/// The summary as a dict (samples, mean_objective, mean_nonzeros, ...).
pybind11::dict summary_dict(const sparse::EncodeSummary& summary);

/// Adds `solver`, `alpha`, ... keyword arguments of CodingParams to a binding.
CodingParams coding_params_from(const pybind11::dict& kwargs);

}  // namespace sparsecode::python
