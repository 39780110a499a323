// Python functions load_images, extract_patches, whiten_images, montage and save_montage over 2-D NumPy images.
#include <string>
#include <vector>

#include "arrays.hpp"
#include "bindings.hpp"
#include "sparsecode/io/image_io.hpp"
#include "sparsecode/preprocess/patches.hpp"
#include "sparsecode/preprocess/whitening.hpp"
#include "sparsecode/viz/montage.hpp"

namespace sparsecode::python {
namespace {

/// An H×W C-ordered float64 array as an Image (row-major to Eigen's column-major: one copy).
io::Image to_image(const py::handle& item, std::size_t index) {
  const auto array = py::array::ensure(item);
  const std::string what = "images[" + std::to_string(index) + "]";
  if (!array) throw std::invalid_argument(what + " is not an array");
  require_layout<double>(array, what);
  io::Image image;
  image.name = what;
  // The rows of an H×W array are the columns of the W×H map; transposed into H×W pixels.
  image.pixels = ConstMap<double>(static_cast<const double*>(array.data()), array.shape(1), array.shape(0)).transpose();
  return image;
}

std::vector<io::Image> to_images(const py::sequence& images) {
  std::vector<io::Image> out;
  out.reserve(images.size());
  for (std::size_t i = 0; i < images.size(); ++i) out.push_back(to_image(images[i], i));
  return out;
}

py::array_t<double> from_image(const io::Image& image) {
  // H×W pixels (column-major) -> an H×W C-ordered array: the rows of the map are its columns.
  return columns_as_rows<double>(image.pixels.transpose());
}

viz::MontageOptions montage_options(int patch_height, int patch_width, int scale, int border) {
  viz::MontageOptions o;
  o.patch_height = patch_height;
  o.patch_width = patch_width;
  o.scale = scale;
  o.border = border;
  return o;
}

}  // namespace

void bind_images(py::module_& m) {
  m.def(
      "load_images",
      [](const std::string& directory) {
        const io::ImageSet set = io::load_image_directory(directory);
        py::list images;
        for (const io::Image& image : set.images) images.append(from_image(image));
        return images;
      },
      py::arg("directory"), "Every image in a directory as H×W float64 grayscale in [0, 1] (sorted by name).");
  m.def(
      "extract_patches",
      [](const py::sequence& images, int size, long long count, const std::string& sampling, int stride, int border,
         std::uint64_t seed, bool remove_mean, bool normalize_contrast) {
        preprocess::PatchOptions o;
        o.size = size;
        o.count = count;
        if (sampling != "random" && sampling != "grid") {
          throw std::invalid_argument("sampling must be 'random' or 'grid', got '" + sampling + "'");
        }
        o.sampling = sampling == "random" ? preprocess::PatchSampling::random : preprocess::PatchSampling::grid;
        o.stride = stride;
        o.border = border;
        o.seed = seed;
        o.remove_mean = remove_mean;
        o.normalize_contrast = normalize_contrast;
        o.validate();
        const std::vector<io::Image> list = to_images(images);
        Matrix<double> patches;
        {
          py::gil_scoped_release release;
          patches = preprocess::extract_patches(list, o);
        }
        return columns_as_rows<double>(patches);
      },
      py::arg("images"), py::arg("size"), py::arg("count"), py::arg("sampling"), py::arg("stride"),
      py::arg("border"), py::arg("seed"), py::arg("remove_mean"), py::arg("normalize_contrast"));
  m.def(
      "whiten_images",
      [](const py::sequence& images, double cutoff_fraction, double target_variance, int threads) {
        preprocess::WhiteningOptions o;
        o.cutoff_fraction = cutoff_fraction;
        o.target_variance = target_variance;
        o.threads = threads;
        const std::vector<io::Image> list = to_images(images);
        std::vector<io::Image> white;
        {
          py::gil_scoped_release release;
          white = preprocess::whiten_images(list, o);
        }
        py::list out;
        for (const io::Image& image : white) out.append(from_image(image));
        return out;
      },
      py::arg("images"), py::arg("cutoff_fraction"), py::arg("target_variance"), py::arg("threads"));
  m.def(
      "montage",
      [](const py::array& atoms, int patch_height, int patch_width, int scale, int border) {
        const viz::GrayImage image = viz::render_montage(Matrix<double>(rows_as_columns<double>(atoms, "atoms")),
                                                         montage_options(patch_height, patch_width, scale, border));
        py::array_t<std::uint8_t> out({image.height, image.width});
        std::copy(image.pixels.begin(), image.pixels.end(), out.mutable_data());
        return out;
      },
      py::arg("atoms"), py::arg("patch_height"), py::arg("patch_width"), py::arg("scale"), py::arg("border"));
  m.def(
      "save_montage",
      [](const py::array& atoms, const std::string& path, int patch_height, int patch_width, int scale, int border) {
        viz::write_montage_png(path, Matrix<double>(rows_as_columns<double>(atoms, "atoms")),
                               montage_options(patch_height, patch_width, scale, border));
      },
      py::arg("atoms"), py::arg("path"), py::arg("patch_height"), py::arg("patch_width"), py::arg("scale"),
      py::arg("border"));
}

}  // namespace sparsecode::python
