// The batch encoding driver: validation, one OpenMP loop over fixed-size chunks (DᵀX by GEMM per chunk), certificates.
#include "sparsecode/sparse/encoder.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <limits>
#include <stdexcept>
#include <string>

#include "sparsecode/solvers/internal/column_sum.hpp"
#include "sparsecode/sparse/solver_factory.hpp"
#include "sparsecode/core/threads.hpp"

namespace sparsecode::sparse {

SolverKind parse_solver_kind(const std::string& name) {
  for (SolverKind kind : {SolverKind::lars, SolverKind::cd, SolverKind::fista, SolverKind::ista,
                          SolverKind::fss, SolverKind::omp}) {
    if (to_string(kind) == name) return kind;
  }
  throw std::invalid_argument("solver must be one of lars, cd, fista, ista, fss, omp; got '" + name + "'");
}

std::string to_string(SolverKind kind) {
  switch (kind) {
    case SolverKind::lars: return "lars";
    case SolverKind::cd: return "cd";
    case SolverKind::fista: return "fista";
    case SolverKind::ista: return "ista";
    case SolverKind::fss: return "fss";
    case SolverKind::omp: return "omp";
  }
  return "unknown";
}

void EncodeOptions::validate() const {
  penalty.validate();
  auto fail = [](const std::string& field, const std::string& rule, const std::string& value) {
    throw std::invalid_argument("EncodeOptions." + field + " must be " + rule + ", got " + value);
  };
  if (omp_atoms < 0) fail("omp_atoms", ">= 0", std::to_string(omp_atoms));
  if (!(omp_tolerance >= 0.0) || !std::isfinite(omp_tolerance)) {
    fail("omp_tolerance", "a finite value >= 0", std::to_string(omp_tolerance));
  }
  if (!(tolerance > 0.0) || !std::isfinite(tolerance)) {
    fail("tolerance", "a finite value > 0", std::to_string(tolerance));
  }
  if (max_iterations < 0) fail("max_iterations", ">= 0", std::to_string(max_iterations));
  if (threads < 0) fail("threads", ">= 0", std::to_string(threads));
  if (block_size <= 0) fail("block_size", "> 0", std::to_string(block_size));
  if (chunk_size <= 0) fail("chunk_size", "> 0", std::to_string(chunk_size));
}

namespace {

template <class T>
void check_inputs(const Matrix<T>& dictionary, const Matrix<T>& signals, const Matrix<T>& codes,
                  const EncodeOptions& options) {
  const Index d = dictionary.rows();
  const Index k = dictionary.cols();
  if (d == 0 || k == 0) {
    throw std::invalid_argument("dictionary is empty (" + std::to_string(d) + "x" + std::to_string(k) + ")");
  }
  if (signals.rows() != d) {
    throw std::invalid_argument("signals have dimension " + std::to_string(signals.rows()) +
                                " but the dictionary's atoms have dimension " + std::to_string(d));
  }
  for (Index j = 0; j < k; ++j) {
    if (!dictionary.col(j).allFinite()) {
      throw std::invalid_argument("dictionary atom " + std::to_string(j) + " contains NaN or Inf");
    }
    const double norm = static_cast<double>(dictionary.col(j).template cast<double>().norm());
    if (norm > 1.0 + 1e-6) {
      throw std::invalid_argument("dictionary atom " + std::to_string(j) + " has norm " +
                                  std::to_string(norm) + " > 1 + 1e-6 (normalise the atoms)");
    }
  }
  for (Index i = 0; i < signals.cols(); ++i) {
    if (!signals.col(i).allFinite()) {
      throw std::invalid_argument("signal " + std::to_string(i) + " contains NaN or Inf");
    }
  }
  if (options.start == EncodeOptions::Start::warm) {
    if (codes.rows() != k || codes.cols() != signals.cols()) {
      throw std::invalid_argument("warm-start codes are " + std::to_string(codes.rows()) + "x" +
                                  std::to_string(codes.cols()) + ", expected " + std::to_string(k) +
                                  "x" + std::to_string(signals.cols()));
    }
    if (!codes.allFinite()) throw std::invalid_argument("warm-start codes contain NaN or Inf");
  }
}

// What the summary needs of one sample, computed inside the parallel loop.
struct SampleStats {
  double objective = 0.0;
  double gap = 0.0;
  double relative_residual = -1.0;  // < 0: x = 0, not counted
  Index nonzeros = 0;
};

}  // namespace

template <class T>
EncodeSummary encode(const Matrix<T>& dictionary, const Matrix<T>& signals, Matrix<T>& codes,
                     const EncodeOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  options.validate();
  check_inputs(dictionary, signals, codes, options);
  const Index k = dictionary.cols();
  const Index n = signals.cols();
  // A cold start's zeros are written chunk by chunk inside the parallel loop, so that the k×N
  // codes (mostly zeros, often larger than X) are first touched by the threads that solve them.
  const bool cold = options.start == EncodeOptions::Start::cold;
  if (cold) {
    codes.resize(k, n);
  } else if (options.penalty.sign == solvers::CodeSign::nonnegative && options.solver != SolverKind::omp) {
    codes = codes.cwiseMax(T(0));
  }

  // OpenBLAS stays single-threaded for the whole call: every product below is either small
  // (G = DᵀD) or done per chunk inside the OpenMP loop. Waking OpenBLAS's own thread pool for
  // DᵀX would leave its threads spin-yielding against the OpenMP workers afterwards.
  const core::SingleThreadedBlas single_threaded_blas;
  const solvers::GramCache<T> cache(dictionary);
  const Matrix<T>& gram = cache.gram();
  const int threads = core::resolve_threads(options.threads);
  std::vector<std::unique_ptr<solvers::CodeSolver<T>>> workers;
  std::vector<Vector<T>> grads, support_values;
  std::vector<std::vector<Index>> supports;
  const auto prototype = make_code_solver<T>(options);
  for (int t = 0; t < threads; ++t) {
    workers.push_back(prototype->clone());
    workers.back()->prepare(cache);
    grads.emplace_back(k);
    support_values.emplace_back(k);
    supports.emplace_back(static_cast<std::size_t>(k));
  }

  const Index block = std::min(options.block_size, std::max<Index>(n, 1));
  Matrix<T> dtx(k, block);
  Vector<T> x_norm2(block);
  std::vector<solvers::SampleResult> results(static_cast<std::size_t>(block));
  std::vector<SampleStats> stats(static_cast<std::size_t>(n));
  EncodeSummary summary;
  summary.samples = n;
  summary.status.resize(static_cast<std::size_t>(n));
  const bool omp_solver = options.solver == SolverKind::omp;

  for (Index start = 0; start < n; start += block) {
    const Index width = std::min(block, n - start);
    // Chunks have a fixed width, whatever the thread count, so every sample's result is the same
    // for 1 and N threads (batched FISTA's GEMMs see the same columns).
    const Index chunk = options.chunk_size;
    const long chunks = static_cast<long>((width + chunk - 1) / chunk);
    std::exception_ptr failure;
#pragma omp parallel for schedule(dynamic) num_threads(threads)
    for (long c = 0; c < chunks; ++c) {
      try {
        const int tid = omp_get_thread_num();
        const Index c0 = static_cast<Index>(c) * chunk;
        const Index w = std::min(chunk, width - c0);
        // DᵀX and ‖x‖² of the chunk: one single-threaded GEMM of fixed width.
        dtx.middleCols(c0, w).noalias() = dictionary.transpose() * signals.middleCols(start + c0, w);
        x_norm2.segment(c0, w) = signals.middleCols(start + c0, w).colwise().squaredNorm().transpose();
        if (cold) codes.middleCols(start + c0, w).setZero();
        workers[static_cast<std::size_t>(tid)]->solve_block(
            dtx.middleCols(c0, w), x_norm2.segment(c0, w), codes.middleCols(start + c0, w),
            results.data() + c0);
        Vector<T>& grad = grads[static_cast<std::size_t>(tid)];
        Index* support = supports[static_cast<std::size_t>(tid)].data();
        T* values = support_values[static_cast<std::size_t>(tid)].data();
        for (Index j = c0; j < c0 + w; ++j) {
          const auto a = codes.col(start + j);
          const Index nnz = solvers::internal::sparse_gradient(gram.data(), k, dtx.col(j).data(), a.data(), support, values,
                                                     grad.data());
          const solvers::Certificate<T> cert =
              solvers::certify_from_gradient<T>(dtx.col(j), x_norm2(j), a, options.penalty, grad);
          SampleStats& s = stats[static_cast<std::size_t>(start + j)];
          s.objective = static_cast<double>(cert.objective);
          s.gap = omp_solver ? 0.0 : static_cast<double>(cert.gap());
          s.nonzeros = nnz;
          s.relative_residual =
              x_norm2(j) > T(0) ? std::sqrt(static_cast<double>(cert.residual_norm2 / x_norm2(j))) : -1.0;
          SampleStatus& st = summary.status[static_cast<std::size_t>(start + j)];
          st.termination = results[static_cast<std::size_t>(j)].termination;
          st.iterations = results[static_cast<std::size_t>(j)].iterations;
          st.relative_gap = omp_solver ? 0.0 : static_cast<double>(cert.relative_gap());
        }
      } catch (...) {
#pragma omp critical(sparsecode_encode_failure)
        if (!failure) failure = std::current_exception();
      }
    }
    if (failure) std::rethrow_exception(failure);
  }

  // Reductions in sample order, so that the summary does not depend on the thread count.
  Index residual_count = 0;
  for (Index i = 0; i < n; ++i) {
    const SampleStats& s = stats[static_cast<std::size_t>(i)];
    const SampleStatus& st = summary.status[static_cast<std::size_t>(i)];
    summary.mean_objective += s.objective;
    summary.mean_nonzeros += static_cast<double>(s.nonzeros);
    if (s.relative_residual >= 0.0) {
      summary.mean_relative_residual += s.relative_residual;
      ++residual_count;
    }
    summary.max_duality_gap = std::max(summary.max_duality_gap, s.gap);
    summary.max_relative_gap = std::max(summary.max_relative_gap, st.relative_gap);
    if (st.termination == solvers::SampleTermination::max_iterations ||
        st.termination == solvers::SampleTermination::numerical_issue) {
      ++summary.not_converged;
    }
  }
  if (n > 0) {
    summary.mean_objective /= static_cast<double>(n);
    summary.mean_nonzeros /= static_cast<double>(n);
  }
  if (residual_count > 0) summary.mean_relative_residual /= static_cast<double>(residual_count);
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return summary;
}

template <class T>
void normalize_atoms(Matrix<T>& dictionary) {
  for (Index j = 0; j < dictionary.cols(); ++j) {
    const T norm = dictionary.col(j).norm();
    if (norm > T(1)) dictionary.col(j) /= norm;
  }
}

template EncodeSummary encode<float>(const Matrix<float>&, const Matrix<float>&, Matrix<float>&,
                                     const EncodeOptions&);
template EncodeSummary encode<double>(const Matrix<double>&, const Matrix<double>&, Matrix<double>&,
                                      const EncodeOptions&);
template void normalize_atoms<float>(Matrix<float>&);
template void normalize_atoms<double>(Matrix<double>&);

}  // namespace sparsecode::sparse
