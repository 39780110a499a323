// The online learner's step (Mairal et al. 2010, Algorithm 1 with mini-batches): code, weight the past, add, BCD.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "sparsecode/sparse/code_statistics.hpp"
#include "sparsecode/sparse/learner_step.hpp"
#include "sparsecode/sparse/online_options.hpp"
#include "sparsecode/sparse/sparse_coder.hpp"

namespace sparsecode::sparse {

/// For a mini-batch X_t (d×η): codes on D_{t−1} (sparse::encode, cold start), A_t = β_t A_{t−1}
/// + (1/η) Σ a aᵀ, B_t = β_t B_{t−1} + (1/η) Σ x aᵀ (CodeStatistics), then block coordinate
/// descent on ½tr(DᵀDA_t) − tr(DᵀB_t) warm-started at D_{t−1}; every `replace_window` samples,
/// atoms no code used are replaced by samples of the mini-batch. In fit(), mini-batches follow
/// a seeded random order of the training set, reshuffled every epoch.
class OnlineStep final : public LearnerStep {
 public:
  /// `options` validated, with options.dictionary.constraint matching options.dictionary_sign.
  explicit OnlineStep(const OnlineLearnerOptions& options) : options_(options) {}

  std::string kind() const override { return "online"; }
  void reset(Index dimension) override;
  void begin(Index training_samples, LearnerState& state) override;
  StepOutcome step(const Matrix<double>& data, LearnerState& state) override;
  StepOutcome step_on(const Matrix<double>& samples, LearnerState& state) override;
  StepOutcome step_from(const TrainingSource& source, LearnerState& state) override;
  void save(io::Checkpoint& checkpoint) const override;
  void restore(const io::Checkpoint& checkpoint, const std::filesystem::path& path, Index dimension) override;

  const OnlineLearnerOptions& options() const { return options_; }
  const CodeStatistics& statistics() const { return statistics_; }

 private:
  double past_weight(long long iteration) const;  ///< β_t for iteration t ≥ 1
  /// The BCD sweep(s) on the statistics, into state.dictionary and state.last_update.
  void update_dictionary(LearnerState& state);
  /// step_on() for data-parallel learning: `mine` holds this process's share of a mini-batch
  /// of `batch_size` samples; B's increment and the outcome's sums are summed over processes
  /// in one DataParallel::sum, then the codes are gathered and every process adds them all to
  /// A, or (when the mini-batch's packed codes are larger than A) A's and usage's increments
  /// are summed too; every process applies the same update. `rows`: the training rows of
  /// `mine`'s columns, for messages.
  StepOutcome step_shared(const Matrix<double>& mine, Index batch_size, LearnerState& state, const Index* rows);
  bool replacement_due() const;
  long long replace_unused(const Matrix<double>& batch, LearnerState& state);
  void start_epoch(Index n, std::mt19937_64& rng);
  /// step_on(), with `beside_update` (if any) run on a second thread while the dictionary is
  /// updated (one thread's work), or after it with a single thread.
  /// `rows` (may be null: the columns' own indices) are the samples' training rows, for messages.
  StepOutcome step_with(const Matrix<double>& samples, LearnerState& state, const std::function<void()>& beside_update,
                        const Index* rows = nullptr);
  /// Codes of `samples` on the current dictionary into codes_, by the kept coder (its G, solver
  /// clones and buffers reused from mini-batch to mini-batch: same codes as a fresh encode()).
  /// `visit` sees each chunk's codes as they are final (SparseCoder::ChunkVisitor).
  /// With float32 learning, samples whose squared norm overflows float are refused first,
  /// named by `rows` (as in step_with()).
  EncodeSummary code(const Matrix<double>& dictionary, const Matrix<double>& samples,
                     const SparseCoder<double>::ChunkVisitor& visit, const Index* rows);

  /// A coder kept between mini-batches; a copied step starts without one (built on first use).
  template <class T>
  struct KeptCoder {
    std::unique_ptr<SparseCoder<T>> coder;
    KeptCoder() = default;
    KeptCoder(const KeptCoder&) {}
    KeptCoder& operator=(const KeptCoder&) {
      coder.reset();
      return *this;
    }
    KeptCoder(KeptCoder&&) noexcept = default;
    KeptCoder& operator=(KeptCoder&&) noexcept = default;
    ~KeptCoder() = default;
  };

  OnlineLearnerOptions options_;
  CodeStatistics statistics_;
  std::vector<Index> order_;      ///< this epoch's visiting order of the training samples
  Index position_ = 0;            ///< next index into order_
  long long window_samples_ = 0;  ///< samples seen in the current replacement window
  Matrix<double> batch_;          ///< workspace: the current mini-batch (d×η)
  Matrix<double> next_batch_;     ///< workspace: step_from()'s next mini-batch, read during the update
  Index next_ready_at_ = -1;      ///< position_ whose mini-batch next_batch_ holds (−1: none)
  Matrix<double> codes_;          ///< workspace: its codes (k×η)
  std::vector<Index> shard_rows_;  ///< workspace (data-parallel): the training rows of this process's share
  KeptCoder<double> coder_;       ///< workspace: the coder (G = DᵀD, per-thread solvers)
  KeptCoder<float> single_coder_;  ///< workspace: the float32 coder (options_.precision)
  Matrix<float> single_dictionary_, single_samples_, single_codes_;  ///< workspace: its inputs and codes
  Matrix<float> single_a_, single_b_;  ///< workspace: A and B rounded for the float32 update
  std::vector<double> packed_codes_;     ///< workspace: codes in pack_codes() form (data-parallel)
  std::vector<double> reduction_;        ///< workspace: B's increment and the sums, for one reduction
  std::vector<double> outer_reduction_;  ///< workspace: A's and usage's increments, when reduced
};

}  // namespace sparsecode::sparse
