// SparseCoder: input checks, the kept G and per-thread solvers, one OpenMP loop over fixed-size chunks, certificates.
#include "sparsecode/sparse/sparse_coder.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <stdexcept>
#include <string>
#include <variant>

#include "sparsecode/core/internal/compact_support.hpp"
#include "sparsecode/core/internal/in_order_visits.hpp"
#include "sparsecode/core/internal/stopwatch.hpp"
#include "sparsecode/core/sample_checks.hpp"
#include "sparsecode/core/threads.hpp"
#include "sparsecode/solvers/internal/column_sum.hpp"
#include "sparsecode/solvers/solver_factory.hpp"

namespace sparsecode::sparse {

namespace {

std::string shape(Index rows, Index cols) { return std::to_string(rows) + "x" + std::to_string(cols); }

template <class T>
void check_dictionary(const Eigen::Ref<const Matrix<T>>& dictionary) {
  const Index k = dictionary.cols();
  if (dictionary.rows() == 0 || k == 0) {
    throw std::invalid_argument("dictionary is empty (" + shape(dictionary.rows(), k) + ")");
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
}

template <class T>
void check_signals(const Eigen::Ref<const Matrix<T>>& signals, Index d) {
  if (signals.rows() != d) {
    throw std::invalid_argument("signals have dimension " + std::to_string(signals.rows()) +
                                " but the dictionary's atoms have dimension " + std::to_string(d));
  }
  core::check_samples_finite<T>(signals, "signals");
}

// λ = 0 (and λ₂ = 0) asks for least squares; with more atoms than dimensions its minimisers form
// a subspace, the LASSO solvers' duality gap and sign tests degenerate and they run to their
// iteration caps (CD: about a second per sample) without converging. Refused with the reason.
void check_least_squares_limit(const EncodeOptions& options, Index d, Index k) {
  if (std::holds_alternative<solvers::OmpOptions>(options.solver)) return;
  if (options.penalty.lambda > 0.0 || options.penalty.lambda2 > 0.0 || k <= d) return;
  throw std::invalid_argument(
      "lambda = 0 with an overcomplete dictionary (k = " + std::to_string(k) + " atoms > d = " +
      std::to_string(d) + "): least squares has no unique solution there and the " +
      solvers::solver_name(options.solver) +
      " solver does not converge; use lambda > 0, an l2 weight > 0, or OMP (its atom target / tolerance)");
}

// What the summary needs of one sample, computed inside the parallel loop.
struct SampleStats {
  double objective = 0.0;
  double gap = 0.0;
  double relative_residual = -1.0;  // < 0: x = 0, not counted
  Index nonzeros = 0;
};

// OMP has no duality gap to certify: its objective and residual need only the support S,
// ‖x − Da‖² = ‖x‖² − 2cᵀa + a_Sᵀ G_SS a_S, O(|S|²) where the gradient c − Ga costs O(k·|S|).
// The objective is scored as for the other solvers: ½(‖x − Da‖² + λ₂‖a‖²) + λ‖a‖₁.
template <class T>
SampleStats support_stats(const Matrix<T>& gram, const T* c, const T* a, T x_norm2, const solvers::Penalty& penalty,
                          Index* support, T* values) {
  const Index m = core::internal::compact_support(a, gram.rows(), support, values);
  T ctA = 0, aGa = 0, norm1 = 0, norm2 = 0;
  for (Index p = 0; p < m; ++p) {
    const T ap = values[p];
    const T* column = gram.col(support[p]).data();  // G symmetric: row S_p of G_SS
    T row = 0;
    for (Index q = 0; q < m; ++q) row += column[support[q]] * values[q];
    aGa += ap * row;
    ctA += c[support[p]] * ap;
    norm1 += std::abs(ap);
    norm2 += ap * ap;
  }
  const T residual = std::max(T(0), x_norm2 - 2 * ctA + aGa);
  SampleStats s;
  s.objective = 0.5 * (static_cast<double>(residual) + penalty.lambda2 * static_cast<double>(norm2)) +
                penalty.lambda * static_cast<double>(norm1);
  s.nonzeros = m;
  s.relative_residual = x_norm2 > T(0) ? std::sqrt(static_cast<double>(residual / x_norm2)) : -1.0;
  return s;
}

}  // namespace

// Everything kept between calls: the solver prototype, D and its G, one solver clone with its
// chunk's DᵀX and gradient/support buffers per thread, and per-sample statistics. DᵀX lives per
// thread and per chunk (k × chunk_size, cache-sized) rather than per block: a block's k × N
// array would be allocated and faulted in afresh by every short-lived coder (sparsecode.encode,
// one CLI run) for values used once.
template <class T>
struct SparseCoder<T>::Workspace {
  struct Worker {
    std::unique_ptr<solvers::CodeSolver<T>> solver;
    Matrix<T> dtx;  // k × chunk_size
    Vector<T> x_norm2;
    std::vector<solvers::SampleResult> results;
    Vector<T> grad;
    Vector<T> support_values;
    std::vector<Index> support;
  };

  std::unique_ptr<solvers::CodeSolver<T>> prototype;
  std::string solver_name;
  bool omp = false;  // OMP has no duality gap
  Matrix<T> dictionary;
  std::unique_ptr<solvers::GramCache<T>> cache;  // null until compute(); address stable for the workers
  std::vector<Worker> workers;
  std::vector<SampleStats> stats;

  void bind(Worker& w) const {
    w.solver->prepare(*cache);
    const Index k = dictionary.cols();
    w.grad.resize(k);
    w.support_values.resize(k);
    w.support.resize(static_cast<std::size_t>(k));
  }

  void ensure_workers(int threads) {
    while (workers.size() < static_cast<std::size_t>(threads)) {
      workers.push_back({prototype->clone(), {}, {}, {}, {}, {}, {}});
      bind(workers.back());
    }
  }

  // The encoding itself, on checked inputs: codes is k×N (zeroed here for a cold start).
  // `visit` (may be null) sees each chunk's final codes, in order (SparseCoder::ChunkVisitor).
  EncodeSummary run(const EncodeOptions& options, const Eigen::Ref<const Matrix<T>>& signals,
                    Eigen::Ref<Matrix<T>> codes, const core::internal::Stopwatch& started,
                    const ChunkVisitor* visit = nullptr);
};

template <class T>
EncodeSummary SparseCoder<T>::Workspace::run(const EncodeOptions& options, const Eigen::Ref<const Matrix<T>>& signals,
                                             Eigen::Ref<Matrix<T>> codes,
                                             const core::internal::Stopwatch& started,
                                             const ChunkVisitor* visit) {
  const Index k = dictionary.cols();
  const Index n = signals.cols();
  // A cold start's zeros are written chunk by chunk inside the parallel loop, so that the k×N
  // codes (mostly zeros, often larger than X) are first touched by the threads that solve them.
  const bool cold = options.start == EncodeOptions::Start::cold;
  if (!cold && options.penalty.sign == solvers::CodeSign::nonnegative) codes = codes.cwiseMax(T(0));

  // OpenBLAS stays single-threaded for the whole call: every product below is done per chunk
  // inside the OpenMP loop. Waking OpenBLAS's own thread pool for DᵀX would leave its threads
  // spin-yielding against the OpenMP workers afterwards.
  const core::SingleThreadedBlas single_threaded_blas;
  const Matrix<T>& gram = cache->gram();
  // Chunks have a fixed width, whatever the thread count, so every sample's result is the same
  // for 1 and N threads (batched FISTA's GEMMs see the same columns).
  const Index chunk = options.chunk_size;
  const long chunks = static_cast<long>((n + chunk - 1) / chunk);
  // Never more threads (and per-thread solver clones) than chunks: 4096 threads on 500 samples
  // would otherwise make 4096 workspaces for 8 chunks of work.
  const int threads = core::threads_for_work(options.threads, std::max(chunks, 1L));
  ensure_workers(threads);

  stats.resize(static_cast<std::size_t>(n));
  EncodeSummary summary;
  summary.solver = solver_name;
  summary.samples = n;
  summary.threads = threads;
  summary.status.resize(static_cast<std::size_t>(n));

  std::unique_ptr<core::internal::InOrderVisits> visits;
  if (visit) {
    visits = std::make_unique<core::internal::InOrderVisits>(chunks, [&](long c) {
      const Index first = static_cast<Index>(c) * chunk;
      (*visit)(first, std::min(chunk, n - first));
    });
  }
  std::exception_ptr failure;
#pragma omp parallel for schedule(dynamic) num_threads(threads)
  for (long c = 0; c < chunks; ++c) {
    try {
      Worker& worker = workers[static_cast<std::size_t>(omp_get_thread_num())];
      const Index first = static_cast<Index>(c) * chunk;  // the chunk's first sample
      const Index w = std::min(chunk, n - first);
      if (worker.dtx.rows() != k || worker.dtx.cols() < chunk) {
        worker.dtx.resize(k, chunk);
        worker.x_norm2.resize(chunk);
        worker.results.resize(static_cast<std::size_t>(chunk));
      }
      auto dtx = worker.dtx.leftCols(w);
      auto x_norm2 = worker.x_norm2.head(w);
      // DᵀX and ‖x‖² of the chunk: one single-threaded GEMM of fixed width.
      dtx.noalias() = dictionary.transpose() * signals.middleCols(first, w);
      x_norm2 = signals.middleCols(first, w).colwise().squaredNorm().transpose();
      if (cold) codes.middleCols(first, w).setZero();
      worker.solver->solve_block(dtx, x_norm2, codes.middleCols(first, w), worker.results.data());
      for (Index j = 0; j < w; ++j) {
        const auto a = codes.col(first + j);
        SampleStatus& st = summary.status[static_cast<std::size_t>(first + j)];
        st.termination = worker.results[static_cast<std::size_t>(j)].termination;
        st.iterations = worker.results[static_cast<std::size_t>(j)].iterations;
        if (omp) {
          stats[static_cast<std::size_t>(first + j)] =
              support_stats<T>(gram, dtx.col(j).data(), a.data(), x_norm2(j), options.penalty,
                               worker.support.data(), worker.support_values.data());
          st.relative_gap = 0.0;
          continue;
        }
        const Index nnz = solvers::internal::sparse_gradient(gram.data(), k, dtx.col(j).data(), a.data(),
                                                             worker.support.data(), worker.support_values.data(),
                                                             worker.grad.data());
        const solvers::Certificate<T> cert =
            solvers::certify_from_gradient<T>(dtx.col(j), x_norm2(j), a, options.penalty, worker.grad);
        SampleStats& s = stats[static_cast<std::size_t>(first + j)];
        s.objective = static_cast<double>(cert.objective);
        s.gap = static_cast<double>(cert.gap());
        s.nonzeros = nnz;
        s.relative_residual =
            x_norm2(j) > T(0) ? std::sqrt(static_cast<double>(cert.residual_norm2 / x_norm2(j))) : -1.0;
        st.relative_gap = static_cast<double>(cert.relative_gap());
      }
      if (visits) visits->completed(c);
    } catch (...) {
#pragma omp critical(sparsecode_encode_failure)
      if (!failure) failure = std::current_exception();
    }
  }
  if (failure) std::rethrow_exception(failure);
  if (visits) visits->finish();

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
  summary.seconds = started.seconds();
  return summary;
}

template <class T>
SparseCoder<T>::SparseCoder(const EncodeOptions& options) : options_(options) {
  options_.validate();
  workspace_ = std::make_unique<Workspace>();
  workspace_->prototype = solvers::make_code_solver<T>(options_.penalty, options_.solver);
  workspace_->solver_name = solvers::solver_name(options_.solver);
  workspace_->omp = std::holds_alternative<solvers::OmpOptions>(options_.solver);
}

template <class T>
SparseCoder<T>::~SparseCoder() = default;
template <class T>
SparseCoder<T>::SparseCoder(SparseCoder&&) noexcept = default;
template <class T>
SparseCoder<T>& SparseCoder<T>::operator=(SparseCoder&&) noexcept = default;

template <class T>
SparseCoder<T>& SparseCoder<T>::compute(const Eigen::Ref<const Matrix<T>>& dictionary) {
  if (!workspace_) throw std::invalid_argument("SparseCoder::compute: the coder was moved from");
  check_dictionary<T>(dictionary);
  check_least_squares_limit(options_, dictionary.rows(), dictionary.cols());
  Workspace& ws = *workspace_;
  ws.cache.reset();  // the workers' old cache goes; they are bound to the new one below
  ws.dictionary = dictionary;
  {
    const core::SingleThreadedBlas single_threaded_blas;  // G as encode() always computed it
    ws.cache = std::make_unique<solvers::GramCache<T>>(ws.dictionary);
  }
  for (typename Workspace::Worker& w : ws.workers) ws.bind(w);
  return *this;
}

template <class T>
bool SparseCoder<T>::computed() const {
  return workspace_ && workspace_->cache != nullptr;
}

template <class T>
Index SparseCoder<T>::dimension() const {
  return computed() ? workspace_->dictionary.rows() : 0;
}

template <class T>
Index SparseCoder<T>::atoms() const {
  return computed() ? workspace_->dictionary.cols() : 0;
}

template <class T>
EncodeSummary SparseCoder<T>::encode(const Eigen::Ref<const Matrix<T>>& signals, Eigen::Ref<Matrix<T>> codes) {
  const core::internal::Stopwatch started;
  if (!computed()) throw std::invalid_argument("SparseCoder::encode: no dictionary; call compute(D) first");
  check_signals<T>(signals, dimension());
  const bool warm = options_.start == EncodeOptions::Start::warm;
  if (codes.rows() != atoms() || codes.cols() != signals.cols()) {
    throw std::invalid_argument(std::string(warm ? "warm-start codes" : "codes") + " are " +
                                shape(codes.rows(), codes.cols()) + ", expected " + shape(atoms(), signals.cols()) +
                                " (atoms x signals)");
  }
  if (warm && !codes.allFinite()) throw std::invalid_argument("warm-start codes contain NaN or Inf");
  return workspace_->run(options_, signals, codes, started);
}

template <class T>
EncodeSummary SparseCoder<T>::encode(const Eigen::Ref<const Matrix<T>>& signals, Matrix<T>& codes) {
  if (options_.start == EncodeOptions::Start::cold && computed()) return encode(signals, codes, ChunkVisitor{});
  return encode(signals, Eigen::Ref<Matrix<T>>(codes));
}

template <class T>
EncodeSummary SparseCoder<T>::encode(const Eigen::Ref<const Matrix<T>>& signals, Matrix<T>& codes,
                                     const ChunkVisitor& visit) {
  const core::internal::Stopwatch started;
  if (!computed()) throw std::invalid_argument("SparseCoder::encode: no dictionary; call compute(D) first");
  if (options_.start != EncodeOptions::Start::cold) {
    throw std::invalid_argument("SparseCoder::encode with a chunk visitor codes from a cold start only");
  }
  check_signals<T>(signals, dimension());  // before touching the caller's matrix
  codes.resize(atoms(), signals.cols());
  return workspace_->run(options_, signals, codes, started, visit ? &visit : nullptr);
}

template class SparseCoder<float>;
template class SparseCoder<double>;

}  // namespace sparsecode::sparse
