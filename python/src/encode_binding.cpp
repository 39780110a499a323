// Python functions encode (dense codes into a caller buffer) and encode_csr (CSR arrays, chunk by chunk).
#include <algorithm>
#include <cstdint>
#include <vector>

#include "bindings.hpp"
#include "coding.hpp"
#include "sparsecode/io/npz.hpp"
#include "sparsecode/sparse/sparse_coder.hpp"

namespace sparsecode::python {
namespace {

/// Codes of X (N×d) on D (k×d) written into `out` (N×k), all of dtype T.
template <class T>
py::dict encode_dense(const py::array& dictionary, const py::array& signals, py::array& out,
                      const CodingParams& params) {
  const ConstMap<T> d = rows_as_columns<T>(dictionary, "dictionary");
  const ConstMap<T> x = rows_as_columns<T>(signals, "X");
  MutableMap<T> a = mutable_rows_as_columns<T>(out, "out");
  if (x.rows() != d.rows()) {
    throw std::invalid_argument("X has " + std::to_string(x.rows()) + " features, the dictionary " +
                                std::to_string(d.rows()));
  }
  const sparse::EncodeOptions options = to_encode_options(params);
  sparse::EncodeSummary summary;
  {
    py::gil_scoped_release release;
    summary = encode_columns<T>(d, x, a, options);
  }
  return summary_dict(summary);
}

/// Accumulates the summaries of consecutive chunks into one (sample-weighted means, maxima, sums).
void merge_into(sparse::EncodeSummary& total, const sparse::EncodeSummary& part) {
  const double n = static_cast<double>(total.samples + part.samples);
  const auto mean = [&](double a, double b) {
    return (a * static_cast<double>(total.samples) + b * static_cast<double>(part.samples)) / n;
  };
  total.mean_objective = mean(total.mean_objective, part.mean_objective);
  total.mean_nonzeros = mean(total.mean_nonzeros, part.mean_nonzeros);
  total.mean_relative_residual = mean(total.mean_relative_residual, part.mean_relative_residual);
  total.max_duality_gap = std::max(total.max_duality_gap, part.max_duality_gap);
  total.max_relative_gap = std::max(total.max_relative_gap, part.max_relative_gap);
  total.not_converged += part.not_converged;
  total.seconds += part.seconds;
  total.samples += part.samples;
  total.solver = part.solver;
}

/// Codes as CSR arrays (data, indices, indptr) for scipy.sparse.csr_matrix((N, k)): the
/// samples are coded `chunk` at a time into a k×chunk buffer whose non-zeros are appended, so
/// the dense N×k array never exists.
template <class T>
py::tuple encode_csr(const py::array& dictionary, const py::array& signals, Index chunk, const CodingParams& params) {
  const ConstMap<T> d = rows_as_columns<T>(dictionary, "dictionary");
  const ConstMap<T> x = rows_as_columns<T>(signals, "X");
  if (x.rows() != d.rows()) {
    throw std::invalid_argument("X has " + std::to_string(x.rows()) + " features, the dictionary " +
                                std::to_string(d.rows()));
  }
  if (chunk < 1) throw std::invalid_argument("chunk must be >= 1, got " + std::to_string(chunk));
  const sparse::EncodeOptions options = to_encode_options(params);
  const Index n = x.cols();
  const Index k = d.cols();
  io::CsrCodes<T> csr(k, io::NpzOptions{}, n);  // the codes' non-zeros, appended chunk by chunk
  sparse::EncodeSummary total;
  {
    py::gil_scoped_release release;
    sparse::SparseCoder<T> coder(options);
    coder.compute(d);  // G = DᵀD once for all chunks
    Matrix<T> buffer(k, std::min(chunk, std::max<Index>(n, 1)));
    for (Index start = 0; start < n; start += chunk) {
      const Index m = std::min(chunk, n - start);
      const ConstMap<T> part(x.data() + start * x.rows(), x.rows(), m);
      Eigen::Ref<Matrix<T>> codes = buffer.leftCols(m);
      merge_into(total, coder.encode(part, codes));
      csr.append(codes);
    }
  }
  // scipy's own index type for k columns: int32 (atom indices are < k).
  py::array_t<std::int32_t> indices(static_cast<py::ssize_t>(csr.nonzeros()));
  std::copy(csr.indices().begin(), csr.indices().end(), indices.mutable_data());
  return py::make_tuple(py::array_t<T>(static_cast<py::ssize_t>(csr.nonzeros()), csr.values().data()), indices,
                        py::array_t<std::int64_t>(static_cast<py::ssize_t>(csr.row_starts().size()),
                                                  csr.row_starts().data()),
                        summary_dict(total));
}

bool is_float32(const py::array& signals) { return signals.dtype().is(py::dtype::of<float>()); }

}  // namespace

void bind_encode(py::module_& m) {
  m.def(
      "encode",
      [](const py::array& dictionary, const py::array& signals, py::array& out, const py::kwargs& kwargs) {
        const CodingParams params = coding_params_from(kwargs);
        return is_float32(signals) ? encode_dense<float>(dictionary, signals, out, params)
                                   : encode_dense<double>(dictionary, signals, out, params);
      },
      py::arg("dictionary"), py::arg("X"), py::arg("out"),
      "Codes of X (N×d) on the dictionary (k×d) into out (N×k), C-contiguous float64 or float32 "
      "(all one dtype), read and written in place. Keyword arguments: solver, alpha, positive, "
      "omp_atoms, omp_tolerance, tolerance, max_iterations, threads. Returns the summary dict.");
  m.def(
      "encode_csr",
      [](const py::array& dictionary, const py::array& signals, Index chunk, const py::kwargs& kwargs) {
        const CodingParams params = coding_params_from(kwargs);
        return is_float32(signals) ? encode_csr<float>(dictionary, signals, chunk, params)
                                   : encode_csr<double>(dictionary, signals, chunk, params);
      },
      py::arg("dictionary"), py::arg("X"), py::arg("chunk") = 4096,
      "Codes as CSR arrays (data, indices, indptr, summary), coded `chunk` samples at a time.");
}

}  // namespace sparsecode::python
