// Python functions train_autoencoder and autoencoder_apply: every CLI training option, Ctrl-C checked per iteration.
#include <string>

#include "arrays.hpp"
#include "bindings.hpp"
#include "settings.hpp"
#include "sparsecode/autoencoder/lbfgs_trainer.hpp"
#include "sparsecode/autoencoder/minibatch_trainer.hpp"
#include "sparsecode/autoencoder/model.hpp"

namespace sparsecode::python {
namespace {

namespace ae = autoencoder;

ae::Architecture architecture(const py::dict& s, Index input_dim) {
  ae::Architecture a;
  a.input_dim = input_dim;
  a.hidden = get_or<Index>(s, "hidden", 0);
  const std::string activation = get_or<std::string>(s, "activation", "sigmoid");
  const std::string decoder = get_or<std::string>(s, "decoder", "sigmoid");
  if (activation != "sigmoid" && activation != "relu") {
    throw std::invalid_argument("activation must be 'sigmoid' or 'relu', got '" + activation + "'");
  }
  if (decoder != "sigmoid" && decoder != "linear") {
    throw std::invalid_argument("decoder must be 'sigmoid' or 'linear', got '" + decoder + "'");
  }
  a.activation = activation == "sigmoid" ? ae::Activation::sigmoid : ae::Activation::relu;
  a.decoder = decoder == "sigmoid" ? ae::Decoder::sigmoid : ae::Decoder::linear;
  a.tying = get_or<bool>(s, "tied", false) ? ae::Tying::tied : ae::Tying::untied;
  a.validate();
  return a;
}

ae::CostOptions cost_options(const py::dict& s) {
  ae::CostOptions c;
  c.rho = get_or<double>(s, "rho", c.rho);
  c.beta = get_or<double>(s, "beta", c.beta);
  c.weight_decay = get_or<double>(s, "weight_decay", c.weight_decay);
  c.l1 = get_or<double>(s, "l1", c.l1);
  c.threads = get_or<int>(s, "threads", c.threads);
  c.validate();
  return c;
}

ae::Model model_from(const py::dict& s, const py::array& theta, Index input_dim) {
  ae::Model model(architecture(s, input_dim));
  const auto t = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(theta);
  if (!t || t.ndim() != 1) throw std::invalid_argument("parameters must be a 1-D float64 array");
  model.set_parameters(Eigen::Map<const Vector<double>>(t.data(), t.shape(0)));
  return model;
}

py::dict summary_dict(const ae::TrainingSummary& s) {
  py::dict d;
  d["termination"] = core::to_string(s.termination);
  d["iterations"] = s.iterations;
  d["evaluations"] = s.evaluations;
  d["initial_cost"] = s.initial_cost;
  d["final_cost"] = s.final_terms.reconstruction + s.final_terms.weight_decay + s.final_terms.sparsity +
                    s.final_terms.l1;
  d["best_epoch"] = s.best_epoch;
  d["best_validation_cost"] = s.best_validation_cost;
  d["seconds"] = s.seconds;
  d["message"] = s.message;
  d["report"] = s.brief_report();
  return d;
}

/// Trains from `theta` (None: the seeded initialisation) on X (N×d); returns (θ, summary).
py::tuple train(const py::array& x, const py::dict& s, const py::object& theta, const py::object& callback) {
  const Matrix<double> data = rows_as_columns<double>(x, "X");
  ae::Model model(architecture(s, data.rows()));
  if (theta.is_none()) {
    model.initialize(get_or<std::uint64_t>(s, "seed", 0));
  } else {
    model = model_from(s, py::cast<py::array>(theta), data.rows());
  }
  const ae::CostOptions cost = cost_options(s);
  const ae::ProgressCallback on_progress = [&](const ae::Progress& p) {
    py::gil_scoped_acquire acquire;
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    if (callback.is_none()) return core::CallbackResult::proceed;
    py::dict d;
    d["iteration"] = p.iteration;
    d["cost"] = p.terms.reconstruction + p.terms.weight_decay + p.terms.sparsity + p.terms.l1;
    d["validation_cost"] = p.validation_cost;
    d["seconds"] = p.seconds;
    return py::cast<bool>(callback(d)) ? core::CallbackResult::stop : core::CallbackResult::proceed;
  };
  const std::string optimizer = get_or<std::string>(s, "optimizer", "lbfgs");
  ae::TrainingSummary summary;
  if (optimizer == "lbfgs") {
    ae::LbfgsOptions o;
    o.max_iterations = get_or<int>(s, "max_iter", o.max_iterations);
    o.validate();
    py::gil_scoped_release release;
    summary = ae::train_lbfgs(model, cost, data, o, on_progress);
  } else if (optimizer == "adam" || optimizer == "sgd") {
    ae::MinibatchOptions o;
    o.method = optimizer == "adam" ? ae::MinibatchMethod::adam : ae::MinibatchMethod::sgd_momentum;
    o.epochs = get_or<int>(s, "epochs", o.epochs);
    o.batch_size = get_or<Index>(s, "batch_size", o.batch_size);
    o.learning_rate = get_or<double>(s, "learning_rate", optimizer == "adam" ? 1e-3 : 0.1);
    o.patience = get_or<int>(s, "patience", o.patience);
    o.max_norm = get_or<double>(s, "max_norm", o.max_norm);
    o.seed = get_or<std::uint64_t>(s, "seed", 0);
    o.validate();
    const auto [train_part, validation] = ae::split_validation(data, get_or<double>(s, "val_frac", 0.1), o.seed);
    py::gil_scoped_release release;
    summary = ae::train_minibatch(model, cost, train_part, validation, o, on_progress);
  } else {
    throw std::invalid_argument("optimizer must be 'lbfgs', 'adam' or 'sgd', got '" + optimizer + "'");
  }
  const Vector<double>& p = model.parameters();
  return py::make_tuple(py::array_t<double>(p.size(), p.data()), summary_dict(summary));
}

}  // namespace

void bind_autoencoder(py::module_& m) {
  m.def("train_autoencoder", &train, py::arg("X"), py::arg("settings"), py::arg("parameters") = py::none(),
        py::arg("callback") = py::none(),
        "Trains a sparse autoencoder on X (N×d); settings as the CLI's options. Returns (θ, summary).");
  m.def(
      "autoencoder_apply",
      [](const py::array& theta, const py::dict& s, const py::array& x, const std::string& what) {
        const Matrix<double> data = rows_as_columns<double>(x, "X");
        const ae::Model model = model_from(s, theta, data.rows());
        Matrix<double> out;
        {
          py::gil_scoped_release release;
          if (what == "encode") out = model.encode(data);
          else if (what == "reconstruct") out = model.reconstruct(data);
          else throw std::invalid_argument("what must be 'encode' or 'reconstruct'");
        }
        return columns_as_rows<double>(out);
      },
      py::arg("parameters"), py::arg("settings"), py::arg("X"), py::arg("what"),
      "Hidden activations ('encode', N×h) or reconstructions ('reconstruct', N×d) of X (N×d).");
  m.def(
      "autoencoder_layers",
      [](const py::array& theta, const py::dict& s, Index input_dim) {
        const ae::Model model = model_from(s, theta, input_dim);
        // scikit-learn's MLP layout: coefs_[0] is d×h (W₁ᵀ), coefs_[1] is h×d (W₂ᵀ).
        return py::make_tuple(columns_as_rows<double>(model.W1()), columns_as_rows<double>(model.decoder_weights()),
                              py::array_t<double>(model.b1().size(), model.b1().data()),
                              py::array_t<double>(model.b2().size(), model.b2().data()));
      },
      py::arg("parameters"), py::arg("settings"), py::arg("input_dim"),
      "(W₁ᵀ as d×h, W₂ᵀ as h×d, b₁, b₂) of a model.");
}

}  // namespace sparsecode::python
