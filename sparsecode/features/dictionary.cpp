// Dictionary learning for the feature extractor: dispatch to the sparse-coding learner, k-means or an autoencoder.
#include "sparsecode/features/dictionary.hpp"

#include <cstdio>
#include <functional>
#include <string>

#include "sparsecode/autoencoder/lbfgs_trainer.hpp"
#include "sparsecode/autoencoder/model.hpp"
#include "sparsecode/core/internal/stopwatch.hpp"
#include "sparsecode/features/spherical_kmeans.hpp"
#include "sparsecode/sparse/online_learner.hpp"

namespace sparsecode::features {

namespace {

std::string format(const char* fmt, double a, double b) {
  char line[160];
  std::snprintf(line, sizeof line, fmt, a, b);
  return line;
}

void normalize_columns(Matrix<double>& atoms) {
  for (Index j = 0; j < atoms.cols(); ++j) {
    const double norm = atoms.col(j).norm();
    if (norm > 0.0) atoms.col(j) /= norm;
  }
}

/// One learner's reports to the FitCallback, timed from construction: callable as
/// (iteration, objective), so it is a SphericalKMeansCallback as it is.
class Reporter {
 public:
  Reporter(const FitCallback& callback, DictionaryKind kind)
      : callback_(&callback), kind_(kind) {}
  core::CallbackResult operator()(long long iteration, double objective) const {
    FitProgress p;
    p.dictionary = kind_;
    p.iteration = iteration;
    p.objective = objective;
    p.seconds = start_.seconds();
    return (*callback_)(p);
  }

 private:
  const FitCallback* callback_;
  DictionaryKind kind_;
  core::internal::Stopwatch start_;
};

const char* stopped_note(core::Termination termination) {
  return termination == core::Termination::user_callback ? " (stopped by the callback)" : "";
}

}  // namespace

LearnedDictionary learn_dictionary(const Matrix<double>& whitened, const ExtractorOptions& options, int threads,
                                   const FitCallback& callback) {
  options.validate();
  LearnedDictionary out;
  switch (options.dictionary) {
    case DictionaryKind::kmeans: {
      SphericalKMeansOptions o;
      o.atoms = options.atoms;
      o.iterations = options.kmeans_iterations;
      o.seed = options.seed;
      o.threads = threads;
      SphericalKMeansSummary s;
      SphericalKMeansCallback on_pass;  // empty without a callback: k-means runs exactly as before
      if (callback) on_pass = Reporter(callback, DictionaryKind::kmeans);
      out.atoms = spherical_kmeans(whitened, o, &s, on_pass);
      out.termination = s.termination;
      out.report = format("spherical k-means: objective %.6g -> %.6g", s.objective.front(), s.objective.back()) +
                   ", " + std::to_string(s.iterations) + " iterations, " + std::to_string(s.unused_atoms) +
                   " unused atoms" + stopped_note(s.termination);
      break;
    }
    case DictionaryKind::sparse_coding: {
      sparse::OnlineLearnerOptions o;
      o.atoms = options.atoms;
      o.coding.penalty.lambda = options.lambda;
      o.coding.threads = threads;
      o.seed = options.seed;
      o.stop.epochs = 1;
      sparse::OnlineLearner learner(o);
      sparse::ProgressCallback on_batch;
      if (callback) {
        on_batch = [report = Reporter(callback, DictionaryKind::sparse_coding)](const sparse::LearnerProgress& p) {
          return report(p.iteration, p.batch_objective);
        };
      }
      const sparse::OnlineSummary s = learner.fit(whitened, Matrix<double>(), on_batch);
      out.termination = s.termination;
      out.atoms = learner.dictionary();
      normalize_columns(out.atoms);  // atoms of norm < 1 (rarely used) scaled up: encoders assume unit atoms
      out.report = format("sparse coding: last mini-batch objective %.6g, %.0f iterations", s.last.batch_objective,
                          static_cast<double>(s.last.iteration)) +
                   " (" + sparse::to_string(s.termination) + ")";
      break;
    }
    case DictionaryKind::autoencoder: {
      autoencoder::Architecture a;
      a.input_dim = whitened.rows();
      a.hidden = options.atoms;
      a.activation = autoencoder::Activation::sigmoid;
      a.decoder = autoencoder::Decoder::linear;
      autoencoder::Model model(a);
      model.initialize(options.seed);
      autoencoder::CostOptions cost;
      cost.rho = options.autoencoder_rho;
      cost.beta = options.autoencoder_beta;
      cost.weight_decay = options.autoencoder_decay;
      cost.threads = threads;
      autoencoder::LbfgsOptions lbfgs;
      lbfgs.max_iterations = options.autoencoder_iterations;
      autoencoder::ProgressCallback on_iteration;
      if (callback) {
        on_iteration = [report = Reporter(callback, DictionaryKind::autoencoder)](const autoencoder::Progress& p) {
          return report(p.iteration, p.terms.total());
        };
      }
      const autoencoder::TrainingSummary s = autoencoder::train_lbfgs(model, cost, whitened, lbfgs, on_iteration);
      out.termination = s.termination;
      out.encoder_weights = model.W1();
      out.encoder_bias = model.b1();
      out.atoms = out.encoder_weights.transpose();
      normalize_columns(out.atoms);
      out.report = format("sparse autoencoder: cost %.6g -> %.6g", s.initial_cost, s.final_terms.total()) + ", " +
                   std::to_string(s.iterations) + " L-BFGS iterations" + stopped_note(s.termination);
      break;
    }
  }
  return out;
}

}  // namespace sparsecode::features
