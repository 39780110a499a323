// Pieces shared by the online and batch dictionary learners: initialisation, progress, stopping, atom replacement.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "sparsecode/solvers/dictionary_qp.hpp"
#include "sparsecode/sparse/encoder.hpp"
#include "sparsecode/io/checkpoint.hpp"
#include "sparsecode/core/random.hpp"
#include "sparsecode/core/types.hpp"

namespace sparsecode::sparse {

/// How the first dictionary is chosen.
enum class DictionaryInit {
  data_patches,  ///< k distinct training samples drawn with the seed, scaled to unit norm (default)
  gaussian,      ///< i.i.d. standard normal entries, atoms scaled to unit norm
  given,         ///< a dictionary passed to initialize()
};

/// Whether dictionary atoms must be non-negative.
enum class DictionarySign { any, nonnegative };

solvers::DictionaryConstraint to_constraint(DictionarySign sign);

/// The learners' coding options: encode()'s defaults, i.e. LARS-Lasso, exact at λ (measured
/// faster than coordinate descent on mini-batches; see OnlineLearnerOptions::coding).
EncodeOptions default_coding();

/// What a learner reports after every iteration (a mini-batch for the online learner, a pass
/// over all samples for the batch learner).
struct LearnerProgress {
  long long iteration = 0;      ///< iterations done so far (1 after the first)
  long long samples_seen = 0;   ///< samples coded for training so far
  long long epoch = 0;          ///< completed passes over the training set
  double batch_objective = 0;   ///< mean ½‖x − Da‖² + λ‖a‖₁ of this iteration's samples (D before its update)
  /// Mean objective on the held-out set (coded with the same solver and λ) if evaluated at
  /// this iteration, NaN otherwise.
  double heldout_objective = std::numeric_limits<double>::quiet_NaN();
  double mean_nonzeros = 0;     ///< mean non-zeros per code in this iteration
  long long atoms_replaced = 0; ///< unused atoms replaced by data samples so far (cumulative)
  double seconds = 0;           ///< training time so far (held-out evaluation excluded)
};

using ProgressCallback = std::function<void(const LearnerProgress&)>;

/// Writes progress rows as CSV (header iteration,samples_seen,epoch,batch_objective,
/// heldout_objective,mean_nonzeros,atoms_replaced,seconds; an empty field when not evaluated),
/// atomically. Throws std::runtime_error naming the file on failure.
void write_progress_csv(const std::filesystem::path& path, const std::vector<LearnerProgress>& rows);

/// Why fit() returned.
enum class LearnerTermination {
  epochs, iterations, samples, seconds,
  early_stopping,  ///< the held-out objective did not improve for `patience` evaluations
  converged,       ///< batch learner: relative objective decrease below its tolerance
};
std::string to_string(LearnerTermination termination);

/// When to stop fit(); totals count from the start of learning, across resumes. A criterion
/// that is 0 is off; at least one of epochs, iterations, samples, seconds must be on.
struct StopCriteria {
  long long epochs = 1;
  long long iterations = 0;
  long long samples = 0;
  double seconds = 0;
  /// Early stopping on the held-out objective (needs a held-out set): stop after this many
  /// evaluations without a relative improvement of at least `min_improvement` (0: off).
  int patience = 0;
  double min_improvement = 1e-4;

  void validate() const;  ///< throws std::invalid_argument naming the field
};

/// The first of epochs, iterations, samples, seconds that `progress` has reached, if any.
std::optional<LearnerTermination> stop_reached(const StopCriteria& stop, const LearnerProgress& progress);

/// What fit() reports, for both learners.
struct LearnerSummary {
  LearnerTermination termination = LearnerTermination::iterations;
  LearnerProgress last;  ///< progress after the last iteration
  double best_heldout_objective = std::numeric_limits<double>::quiet_NaN();
  solvers::DictionaryUpdateSummary last_update;  ///< the last dictionary update (with the QP's KKT residual)
  bool resumed = false;                          ///< started from a checkpoint
};

/// Early-stopping bookkeeping on the held-out objective: the best value so far and how many
/// evaluations since it improved by the relative margin `min_improvement`.
struct HeldoutTracker {
  double best = std::numeric_limits<double>::quiet_NaN();
  long long without_improvement = 0;

  /// Records an evaluation; returns true when `patience` (> 0) evaluations passed without improvement.
  bool record(double objective, const StopCriteria& stop);
};


/// What both learners' fit() loops share: the held-out set, stop criteria, callback and
/// checkpoint schedule of the call, and how to evaluate the held-out objective and to save.
struct FitContext {
  const Matrix<double>& heldout;  ///< may be empty
  const StopCriteria& stop;
  const ProgressCallback& callback;
  const std::filesystem::path& checkpoint;  ///< empty: no checkpoints
  long long checkpoint_every;
  std::function<double(const Matrix<double>&)> evaluate;
  std::function<void(const std::filesystem::path&)> save;
};

/// After one iteration: when `evaluate_now` and there is a held-out set, its objective goes into
/// progress.heldout_objective and `tracker`; then the callback, then a checkpoint every
/// checkpoint_every iterations. Returns true when early stopping triggers.
bool after_iteration(const FitContext& fit, bool evaluate_now, LearnerProgress& progress, HeldoutTracker& tracker);

/// At the end of fit(): the final checkpoint, and the summary's progress, best held-out
/// objective and last dictionary update.
void finish_fit(const FitContext& fit, const LearnerProgress& progress, const HeldoutTracker& tracker,
                const solvers::DictionaryUpdateSummary& last_update, LearnerSummary& summary);

/// The initial dictionary (d×k). data_patches: k distinct columns of `data` chosen with `rng`
/// (partial Fisher–Yates), non-zero ones required; gaussian: random normal atoms. Atoms are
/// scaled to unit norm; for a non-negative dictionary their absolute values are taken first.
/// Throws std::invalid_argument if data has fewer columns than k for data_patches (naming both
/// counts) or if a chosen sample is zero.
Matrix<double> initial_dictionary(const Matrix<double>& data, Index atoms, DictionaryInit init,
                                  DictionarySign sign, std::mt19937_64& rng);

/// A user-given initial dictionary checked (finite, k atoms, norms ≤ 1 + 1e-6, non-negative if
/// asked) and projected onto the constraint set; throws std::invalid_argument naming the problem.
Matrix<double> checked_initial_dictionary(const Matrix<double>& given, Index atoms, DictionarySign sign);

/// Checks fit()'s inputs: finite non-empty data, held-out set (if any) of the same dimension,
/// and a held-out set when early stopping is on. Throws std::invalid_argument.
void check_fit_inputs(const Matrix<double>& data, const Matrix<double>& heldout, const StopCriteria& stop);

/// The checkpoint entries both learners share: progress counters, held-out bookkeeping, RNG
/// state, and the run's identity (seed, λ, λ₂, signs, training-set size), which
/// restore_common() compares with the resuming run (CheckpointError naming the difference).
struct RunIdentity {
  std::uint64_t seed = 0;
  solvers::Penalty penalty;
  DictionarySign dictionary_sign = DictionarySign::any;
  Index training_samples = 0;
};
void save_common(io::Checkpoint& c, const LearnerProgress& progress, const HeldoutTracker& heldout,
                 const std::mt19937_64& rng, const RunIdentity& identity);
void restore_common(const io::Checkpoint& c, const std::filesystem::path& path, const RunIdentity& identity,
                    LearnerProgress& progress, HeldoutTracker& heldout, std::mt19937_64& rng);

/// Mean over the columns of `data` of the coding objective on `dictionary`, codes solved exactly:
/// both learners' evaluate(). Throws std::invalid_argument if the dictionary is empty (the
/// learner has none yet).
double mean_coded_objective(const Matrix<double>& dictionary, const Matrix<double>& data,
                            const EncodeOptions& coding);

/// The head of both learners' fit(): checks the inputs (check_fit_inputs) and, unless the
/// learner's `dictionary` (a reference to its member) is set already, makes it from `data` by
/// `initialize`, which initialisation 'given' forbids (initialize_with() must come first). Then
/// the data must have the dictionary's dimension (a restored checkpoint may differ). Throws
/// std::invalid_argument. Returns whether the fit resumes earlier iterations (`resumed`).
bool begin_fit(const Matrix<double>& data, const Matrix<double>& heldout, const StopCriteria& stop,
               const LearnerProgress& progress, const Matrix<double>& dictionary, DictionaryInit init,
               const std::function<void()>& initialize);

/// Throws std::invalid_argument naming `what` if the matrix is empty or contains NaN/Inf.
void check_finite_data(const Matrix<double>& data, const std::string& what);

/// Replaces atom j by sample x scaled to unit norm (absolute values for a non-negative
/// dictionary) and clears its statistics: row and column j of A (k×k) and column j of B (d×k),
/// which belonged to the old atom. Returns false (and changes nothing) if x is zero.
bool replace_atom(Matrix<double>& dictionary, Matrix<double>& a, Matrix<double>& b, Index j,
                  const Eigen::Ref<const Vector<double>>& x, DictionarySign sign);

}  // namespace sparsecode::sparse
