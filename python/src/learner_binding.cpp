// Python classes OnlineLearner and BatchLearner: fit with a callback and Ctrl-C checks, partial_fit, pickling.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "bindings.hpp"
#include "coding.hpp"
#include "settings.hpp"
#include "sparsecode/io/checkpoint.hpp"
#include "sparsecode/sparse/batch_learner.hpp"
#include "sparsecode/sparse/online_learner.hpp"

namespace sparsecode::python {
namespace {

/// Removes a temporary file when it goes out of scope.
struct TempPath {
  std::filesystem::path path;
  TempPath() {
    std::random_device rd;
    path = std::filesystem::temp_directory_path() /
           ("sparsecode-state-" + std::to_string(rd()) + std::to_string(rd()) + ".ckpt");
  }
  ~TempPath() {
    std::error_code ec;
    std::filesystem::remove(path, ec);
  }
};

py::dict progress_dict(const sparse::LearnerProgress& p) {
  py::dict d;
  d["iteration"] = p.iteration;
  d["samples_seen"] = p.samples_seen;
  d["epoch"] = p.epoch;
  d["batch_objective"] = p.batch_objective;
  d["heldout_objective"] = p.heldout_objective;
  d["mean_nonzeros"] = p.mean_nonzeros;
  d["atoms_replaced"] = p.atoms_replaced;
  d["seconds"] = p.seconds;
  return d;
}

/// scikit-learn's MiniBatchDictionaryLearning convergence test (_check_convergence, 1.2): the
/// dictionary's change ‖D_t − D_{t−1}‖_F / k ≤ tol, or no improvement of the exponentially
/// weighted batch cost for `max_no_improvement` mini-batches. The first mini-batch is skipped.
struct SklearnConvergence {
  double tol = 0.0;
  long long max_no_improvement = 0;  ///< 0: off
  double ewa_weight = 1.0;           ///< batch_size / (n_samples + 1), at most 1
  Matrix<double> previous;
  std::optional<double> ewa, ewa_min;
  long long no_improvement = 0;

  bool converged(const sparse::LearnerProgress& p, const Matrix<double>& dictionary) {
    const bool first = previous.size() == 0;
    const double change = first ? 0.0 : (dictionary - previous).norm() / static_cast<double>(dictionary.cols());
    previous = dictionary;
    if (first || p.iteration <= 1) return false;
    ewa = ewa ? *ewa * (1.0 - ewa_weight) + p.batch_objective * ewa_weight : p.batch_objective;
    if (tol > 0.0 && change <= tol) return true;
    if (!ewa_min || *ewa < *ewa_min) {
      no_improvement = 0;
      ewa_min = ewa;
    } else {
      ++no_improvement;
    }
    return max_no_improvement > 0 && no_improvement >= max_no_improvement;
  }
};

CodingParams coding_from_settings(const py::dict& settings) {
  py::dict coding;
  for (const char* key : {"solver", "alpha", "positive", "tolerance", "max_iterations", "threads"}) {
    if (settings.contains(key)) coding[key] = settings[key];
  }
  return coding_params_from(coding);
}

sparse::DictionaryInit parse_init(const std::string& init) {
  if (init == "data") return sparse::DictionaryInit::data_patches;
  if (init == "gaussian") return sparse::DictionaryInit::gaussian;
  if (init == "given") return sparse::DictionaryInit::given;
  throw std::invalid_argument("init must be 'data', 'gaussian' or 'given', got '" + init + "'");
}

sparse::OnlineLearnerOptions online_options(const py::dict& s) {
  sparse::OnlineLearnerOptions o;
  o.atoms = get_or<Index>(s, "atoms", o.atoms);
  o.coding = to_encode_options(coding_from_settings(s));
  o.dictionary_sign = get_or<bool>(s, "positive_dict", false) ? sparse::DictionarySign::nonnegative
                                                              : sparse::DictionarySign::any;
  o.batch_size = get_or<Index>(s, "batch_size", o.batch_size);
  const std::string weighting = get_or<std::string>(s, "weighting", "power");
  if (weighting != "power" && weighting != "minibatch") {
    throw std::invalid_argument("weighting must be 'power' or 'minibatch', got '" + weighting + "'");
  }
  o.weighting = weighting == "power" ? sparse::PastWeighting::power : sparse::PastWeighting::minibatch;
  o.precision = get_or<bool>(s, "float32", false) ? sparse::OnlineLearnerOptions::Precision::float32
                                                  : sparse::OnlineLearnerOptions::Precision::float64;
  o.init = parse_init(get_or<std::string>(s, "init", "data"));
  o.seed = get_or<std::uint64_t>(s, "seed", 0);
  o.stop = sparse::StopCriteria{get_or<long long>(s, "epochs", 0), get_or<long long>(s, "iterations", 0), 0, 0, 0,
                                1e-4};
  if (o.stop.epochs == 0 && o.stop.iterations == 0) o.stop.epochs = 1;
  return o;
}

sparse::BatchLearnerOptions batch_options(const py::dict& s) {
  sparse::BatchLearnerOptions o;
  o.atoms = get_or<Index>(s, "atoms", o.atoms);
  o.coding = to_encode_options(coding_from_settings(s));
  const bool nonnegative = get_or<bool>(s, "positive_dict", false);
  o.dictionary_sign = nonnegative ? sparse::DictionarySign::nonnegative : sparse::DictionarySign::any;
  // The Lagrange dual handles only the unit ball; BCD also the non-negative constraint.
  o.method = nonnegative ? sparse::DictionaryMethod::bcd : sparse::DictionaryMethod::lagrange_dual;
  o.init = parse_init(get_or<std::string>(s, "init", "data"));
  o.seed = get_or<std::uint64_t>(s, "seed", 0);
  o.stop = sparse::StopCriteria{0, get_or<long long>(s, "iterations", 50), 0, 0, 0, 1e-4};
  o.relative_decrease = get_or<double>(s, "relative_decrease", o.relative_decrease);
  return o;
}

/// One Python class for either learner: the settings dict it was made from (kept for pickling)
/// and the C++ learner.
template <class Learner>
class LearnerBinding {
 public:
  explicit LearnerBinding(py::dict settings) : settings_(std::move(settings)), learner_(make(settings_)) {}

  static Learner make(const py::dict& s) {
    if constexpr (std::is_same_v<Learner, sparse::OnlineLearner>) {
      return Learner(online_options(s));
    } else {
      return Learner(batch_options(s));
    }
  }

  void initialize_with(const py::array& dictionary) {
    learner_.initialize_with(Matrix<double>(rows_as_columns<double>(dictionary, "dict_init")));
  }

  py::dict partial_fit(const py::array& x) {
    const Matrix<double> data = rows_as_columns<double>(x, "X");
    sparse::LearnerProgress p;
    {
      py::gil_scoped_release release;
      p = learner_.partial_fit(data);
    }
    return progress_dict(p);
  }

  /// fit() from the current state. After every iteration: Ctrl-C is checked (KeyboardInterrupt
  /// propagates, the learner keeps the completed iterations), then `callback(progress)` is
  /// called if given (a true result stops), then scikit-learn's convergence test if tol > 0 or
  /// max_no_improvement > 0. Returns (progress dict, termination, the summary's brief_report()).
  py::tuple fit(const py::array& x, const py::object& callback, double tol, long long max_no_improvement) {
    const Matrix<double> data = rows_as_columns<double>(x, "X");
    SklearnConvergence convergence;
    convergence.tol = tol;
    convergence.max_no_improvement = max_no_improvement;
    convergence.ewa_weight = std::min(1.0, static_cast<double>(get_or<Index>(settings_, "batch_size", 256)) /
                                               static_cast<double>(data.cols() + 1));
    bool converged = false;
    const sparse::ProgressCallback on_progress = [&](const sparse::LearnerProgress& p) {
      {
        py::gil_scoped_acquire acquire;
        // KeyboardInterrupt (or the callback's exception) propagates out of fit(); the learner
        // keeps the iterations it completed.
        if (PyErr_CheckSignals() != 0) throw py::error_already_set();
        if (!callback.is_none() && py::cast<bool>(callback(progress_dict(p)))) return sparse::CallbackResult::stop;
      }
      if ((tol > 0.0 || max_no_improvement > 0) && convergence.converged(p, learner_.dictionary())) {
        converged = true;
        return sparse::CallbackResult::stop;
      }
      return sparse::CallbackResult::proceed;
    };
    sparse::LearnerSummary summary;
    {
      py::gil_scoped_release release;
      summary = learner_.fit(data, Matrix<double>(), on_progress);
    }
    // scikit-learn's convergence test stops through the callback; it is reported as converged.
    const std::string termination = converged ? "converged" : sparse::to_string(summary.termination);
    return py::make_tuple(progress_dict(learner_.progress()), termination, summary.brief_report());
  }

  double evaluate(const py::array& x) const {
    const Matrix<double> data = rows_as_columns<double>(x, "X");
    py::gil_scoped_release release;
    return learner_.evaluate(data);
  }

  py::object dictionary() const {
    if (!learner_.initialized()) return py::none();
    return columns_as_rows<double>(learner_.dictionary());
  }

  py::dict progress() const { return progress_dict(learner_.progress()); }

  /// (settings, checkpoint bytes or None): the learner's whole state, statistics included.
  py::tuple get_state() const {
    if (!learner_.initialized()) return py::make_tuple(settings_, py::none());
    const TempPath file;
    learner_.save_checkpoint(file.path);
    std::ifstream in(file.path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return py::make_tuple(settings_, py::bytes(bytes));
  }

  static LearnerBinding from_state(const py::tuple& state) {
    if (state.size() != 2) throw std::invalid_argument("invalid learner state");
    LearnerBinding binding(py::cast<py::dict>(state[0]));
    if (!state[1].is_none()) {
      const TempPath file;
      {
        const std::string bytes = py::cast<std::string>(state[1]);
        std::ofstream out(file.path, std::ios::binary);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        if (!out) throw std::runtime_error("cannot write the learner state to a temporary file");
      }
      const Index samples = io::Checkpoint::load(file.path).integer("training_samples");
      binding.learner_.load_checkpoint(file.path, samples);
    }
    return binding;
  }

 private:
  py::dict settings_;
  Learner learner_;
};

template <class Learner>
void bind_learner(py::module_& m, const char* name, const char* doc) {
  using B = LearnerBinding<Learner>;
  py::class_<B>(m, name, doc)
      .def(py::init<py::dict>(), py::arg("settings"))
      .def("initialize_with", &B::initialize_with, py::arg("dictionary"))
      .def("partial_fit", &B::partial_fit, py::arg("X"))
      .def("fit", &B::fit, py::arg("X"), py::arg("callback") = py::none(), py::arg("tol") = 0.0,
           py::arg("max_no_improvement") = 0)
      .def("evaluate", &B::evaluate, py::arg("X"))
      .def_property_readonly("dictionary", &B::dictionary)
      .def_property_readonly("progress", &B::progress)
      .def(py::pickle([](const B& b) { return b.get_state(); },
                      [](const py::tuple& t) { return B::from_state(t); }));
}

}  // namespace

void bind_learners(py::module_& m) {
  bind_learner<sparse::OnlineLearner>(
      m, "OnlineLearner",
      "Online mini-batch dictionary learning (Mairal et al. 2010); settings: atoms, alpha, solver, "
      "positive, positive_dict, batch_size, weighting, float32 (coding and update in single precision), "
      "init, seed, epochs, iterations, tolerance, max_iterations, threads.");
  bind_learner<sparse::BatchLearner>(
      m, "BatchLearner",
      "Batch dictionary learning by alternating minimisation; settings: atoms, alpha, solver, positive, "
      "positive_dict, init, seed, iterations, relative_decrease, tolerance, max_iterations, threads.");
}

}  // namespace sparsecode::python
