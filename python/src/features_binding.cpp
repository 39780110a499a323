// Python class FeatureExtractor: the convolutional feature extractor on N×(H·W) float32 image rows, Ctrl-C checked in fit and transform.
#include <filesystem>
#include <string>

#include "arrays.hpp"
#include "bindings.hpp"
#include "settings.hpp"
#include "sparsecode/features/extractor.hpp"

namespace sparsecode::python {
namespace {

namespace ft = features;

/// Images per transform call between two Ctrl-C checks: a multiple of the extractor's fixed chunk
/// of 8 images, so the batches split the work exactly where one call would and the features are
/// the same bits as one call's.
constexpr Index kBatchImages = 256;

ft::ExtractorOptions options_from(const py::dict& s) {
  ft::ExtractorOptions o;
  o.patch = get_or<int>(s, "patch", o.patch);
  o.stride = get_or<int>(s, "stride", o.stride);
  o.atoms = get_or<Index>(s, "atoms", o.atoms);
  if (s.contains("dictionary")) o.dictionary = ft::parse_dictionary_kind(py::cast<std::string>(s["dictionary"]));
  o.lambda = get_or<double>(s, "lambda", o.lambda);
  if (s.contains("encoder")) o.encoder = ft::parse_encoder_kind(py::cast<std::string>(s["encoder"]));
  o.alpha = get_or<double>(s, "alpha", o.alpha);
  if (s.contains("pool")) o.pool = ft::parse_pool_kind(py::cast<std::string>(s["pool"]));
  if (s.contains("grids")) o.grids = ft::parse_grids(py::cast<std::string>(s["grids"]));
  o.patches_count = get_or<long long>(s, "patches_count", o.patches_count);
  o.seed = get_or<std::uint64_t>(s, "seed", o.seed);
  o.validate();
  return o;
}

/// The rows of a C-ordered N×(H·W) float32 array as the extractor's (H·W)×N images: no copy.
ConstMap<float> image_columns(const py::array& images, ft::ImageShape shape) {
  const ConstMap<float> columns = rows_as_columns<float>(images, "images");
  if (columns.rows() != shape.pixels()) {
    throw std::invalid_argument("images have " + std::to_string(columns.rows()) + " pixels, not " +
                                std::to_string(shape.height) + "x" + std::to_string(shape.width));
  }
  return columns;
}

py::dict options_dict(const ft::ExtractorOptions& o) {
  py::dict d;
  d["patch"] = o.patch;
  d["stride"] = o.stride;
  d["atoms"] = o.atoms;
  d["dictionary"] = ft::to_string(o.dictionary);
  d["lambda"] = o.lambda;
  d["encoder"] = ft::to_string(o.encoder);
  d["alpha"] = o.alpha;
  d["pool"] = ft::to_string(o.pool);
  d["grids"] = ft::grids_text(o.grids);
  d["patches_count"] = o.patches_count;
  d["seed"] = o.seed;
  return d;
}

/// Fits with the GIL released; after every iteration of the dictionary learner the GIL is taken
/// briefly: Ctrl-C is checked (KeyboardInterrupt propagates out of fit, nothing is returned),
/// then progress({dictionary, iteration, objective, seconds}) is called if given.
py::tuple fit(const py::array& images, Index height, Index width, const py::dict& settings, int threads,
              const py::object& progress) {
  const ft::ExtractorOptions options = options_from(settings);
  const ft::ImageShape shape{height, width};
  const ConstMap<float> columns = image_columns(images, shape);
  ft::FitSummary summary;
  ft::Extractor extractor;
  const ft::FitCallback check_signals = [&progress](const ft::FitProgress& p) {
    py::gil_scoped_acquire acquire;
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    if (!progress.is_none()) {
      py::dict d;
      d["dictionary"] = ft::to_string(p.dictionary);
      d["iteration"] = p.iteration;
      d["objective"] = p.objective;
      d["seconds"] = p.seconds;
      progress(d);
    }
    return core::CallbackResult::proceed;
  };
  {
    py::gil_scoped_release release;
    extractor = ft::Extractor::fit(columns, shape, options, threads, &summary, check_signals);
  }
  py::dict s;
  s["patches"] = summary.patches;
  s["dictionary"] = summary.dictionary;
  s["termination"] = core::to_string(summary.termination);
  s["seconds"] = summary.seconds;
  return py::make_tuple(std::move(extractor), s);
}

/// Features (N×F float32) in batches of kBatchImages with the GIL released; between batches
/// Ctrl-C is checked (KeyboardInterrupt) and progress(done, total) is called if given.
py::array_t<float> transform(const ft::Extractor& e, const py::array& images, Index height, Index width,
                             int threads, const py::object& progress) {
  const ft::ImageShape shape{height, width};
  const ConstMap<float> columns = image_columns(images, shape);
  const Index n = columns.cols(), f = e.feature_count();
  py::array_t<float> out({static_cast<py::ssize_t>(n), static_cast<py::ssize_t>(f)});
  MutableMap<float> features(out.mutable_data(), f, n);
  for (Index first = 0; first < n; first += kBatchImages) {
    const Index count = std::min(kBatchImages, n - first);
    {
      py::gil_scoped_release release;
      features.middleCols(first, count) = e.transform(columns.middleCols(first, count), shape, threads);
    }
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    if (!progress.is_none()) progress(first + count, n);
  }
  return out;
}

}  // namespace

void bind_features(py::module_& m) {
  py::class_<ft::Extractor>(m, "FeatureExtractor",
                            "A fitted single-layer feature extractor (sparsecode::features::Extractor)")
      .def_static("fit", &fit, py::arg("images"), py::arg("height"), py::arg("width"), py::arg("settings"),
                  py::arg("threads"), py::arg("progress") = py::none(),
                  "Fits on images (N×(H·W) float32, C order, read in place); settings as `features fit`'s flags. "
                  "After every iteration of the dictionary learner Ctrl-C is checked (KeyboardInterrupt) and "
                  "progress({dictionary, iteration, objective, seconds}) is called if given. "
                  "Returns (extractor, summary).")
      .def("transform", &transform, py::arg("images"), py::arg("height"), py::arg("width"), py::arg("threads"),
           py::arg("progress") = py::none(), "Features (N×F float32) of images (N×(H·W) float32, C order).")
      .def("save", [](const ft::Extractor& e, const std::string& path) { e.save(path); }, py::arg("path"),
           "Writes the model file of `features fit --out`.")
      .def_static("load", [](const std::string& path) { return ft::Extractor::load(path); }, py::arg("path"))
      .def_property_readonly("options", [](const ft::Extractor& e) { return options_dict(e.options()); })
      .def_property_readonly("height", [](const ft::Extractor& e) { return e.shape().height; })
      .def_property_readonly("width", [](const ft::Extractor& e) { return e.shape().width; })
      .def_property_readonly("feature_count", &ft::Extractor::feature_count)
      .def_property_readonly("dictionary",
                             [](const ft::Extractor& e) { return columns_as_rows<float>(e.dictionary()); })
      .def_property_readonly("whitening_mean",
                             [](const ft::Extractor& e) { return columns_as_rows<float>(e.whitening_mean().transpose()); })
      .def_property_readonly("whitening_matrix", [](const ft::Extractor& e) {
        return columns_as_rows<float>(e.whitening_matrix().transpose());
      })
      .def_property_readonly("encoder_weights", [](const ft::Extractor& e) {
        return columns_as_rows<float>(e.encoder_weights().transpose());
      })
      .def_property_readonly("encoder_bias",
                             [](const ft::Extractor& e) { return columns_as_rows<float>(e.encoder_bias().transpose()); });
}

}  // namespace sparsecode::python
