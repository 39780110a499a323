// The binding functions that module.cpp calls to fill sparsecode._core, one per file.
#pragma once

#include <pybind11/pybind11.h>

namespace sparsecode::python {

void bind_encode(pybind11::module_& m);    ///< encode, encode_csr (encode_binding.cpp)
void bind_learners(pybind11::module_& m);  ///< OnlineLearner, BatchLearner (learner_binding.cpp)
void bind_images(pybind11::module_& m);    ///< extract_patches, whiten_images, montage (image_binding.cpp)
void bind_autoencoder(pybind11::module_& m);  ///< autoencoder training and inference (autoencoder_binding.cpp)
void bind_features(pybind11::module_& m);     ///< FeatureExtractor, the convolutional features (features_binding.cpp)

}  // namespace sparsecode::python
