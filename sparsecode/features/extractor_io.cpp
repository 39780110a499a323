// Saving and loading a fitted Extractor: one versioned io::Checkpoint file of kind "sparsecode-features-extractor".
#include <stdexcept>
#include <string>

#include "sparsecode/features/extractor.hpp"
#include "sparsecode/io/checkpoint.hpp"

namespace sparsecode::features {

void Extractor::save(const std::filesystem::path& path) const {
  if (!fitted()) throw std::invalid_argument("Extractor::save: not fitted");
  io::Checkpoint c;
  c.set_string("kind", kKind);
  c.set_int("version", kVersion);
  const ExtractorOptions& o = options_;
  c.set_int("patch", o.patch);
  c.set_int("stride", o.stride);
  c.set_int("atoms", o.atoms);
  c.set_string("dictionary", to_string(o.dictionary));
  c.set_real("lambda", o.lambda);
  c.set_string("encoder", to_string(o.encoder));
  c.set_real("alpha", o.alpha);
  c.set_string("pool", to_string(o.pool));
  c.set_string("grids", grids_text(o.grids));
  c.set_int("patches_count", o.patches_count);
  c.set_string("seed", std::to_string(o.seed));  // all 64 bits
  c.set_real("contrast_epsilon", o.contrast_epsilon);
  c.set_real("zca_epsilon", o.zca_epsilon);
  c.set_int("kmeans_iterations", o.kmeans_iterations);
  c.set_int("omp_atoms", o.omp_atoms);
  c.set_int("autoencoder_iterations", o.autoencoder_iterations);
  c.set_real("autoencoder_rho", o.autoencoder_rho);
  c.set_real("autoencoder_beta", o.autoencoder_beta);
  c.set_real("autoencoder_decay", o.autoencoder_decay);
  c.set_int("height", shape_.height);
  c.set_int("width", shape_.width);
  c.set_matrix("zca_mean", zca_mean_.cast<double>());
  c.set_matrix("zca", zca_.cast<double>());
  c.set_matrix("dictionary", dictionary_.cast<double>());
  c.set_matrix("encoder_weights", encoder_weights_.cast<double>());
  c.set_matrix("encoder_bias", encoder_bias_.cast<double>());
  c.save(path);
}

Extractor Extractor::load(const std::filesystem::path& path) {
  std::string name = path.string();
  name.insert(name.begin(), '\'');
  name.push_back('\'');
  const io::Checkpoint c = io::Checkpoint::load(path, "feature extractor");  // CheckpointError naming the file
  std::string kind = "none";
  try {
    kind = c.string("kind");
  } catch (const io::CheckpointError&) {
  }
  if (kind != kKind) {
    throw std::runtime_error(name + " is not a feature extractor (its kind is '" + kind + "', expected '" + kKind +
                             "')");
  }
  Extractor e;
  try {
    const std::int64_t version = c.integer("version");
    if (version != kVersion) {
      std::string message = "format version ";
      message.append(std::to_string(version)).append(" (this program reads ").append(std::to_string(kVersion));
      throw std::runtime_error(message + ")");
    }
    ExtractorOptions& o = e.options_;
    o.patch = static_cast<int>(c.integer("patch"));
    o.stride = static_cast<int>(c.integer("stride"));
    o.atoms = c.integer("atoms");
    o.dictionary = parse_dictionary_kind(c.string("dictionary"));
    o.lambda = c.real("lambda");
    o.encoder = parse_encoder_kind(c.string("encoder"));
    o.alpha = c.real("alpha");
    o.pool = parse_pool_kind(c.string("pool"));
    o.grids = parse_grids(c.string("grids"));
    o.patches_count = c.integer("patches_count");
    o.seed = std::stoull(c.string("seed"));
    o.contrast_epsilon = c.real("contrast_epsilon");
    o.zca_epsilon = c.real("zca_epsilon");
    o.kmeans_iterations = static_cast<int>(c.integer("kmeans_iterations"));
    o.omp_atoms = static_cast<int>(c.integer("omp_atoms"));
    o.autoencoder_iterations = static_cast<int>(c.integer("autoencoder_iterations"));
    o.autoencoder_rho = c.real("autoencoder_rho");
    o.autoencoder_beta = c.real("autoencoder_beta");
    o.autoencoder_decay = c.real("autoencoder_decay");
    o.validate();
    e.shape_ = ImageShape{c.integer("height"), c.integer("width")};
    const Index rows = e.patch_rows(), cols = e.patch_cols();
    for (int g : o.grids) {
      if (g > rows || g > cols) throw std::runtime_error("a pooling grid finer than the patch positions");
    }
    e.zca_mean_ = c.matrix("zca_mean").cast<float>();
    e.zca_ = c.matrix("zca").cast<float>();
    e.dictionary_ = c.matrix("dictionary").cast<float>();
    e.encoder_weights_ = c.matrix("encoder_weights").cast<float>();
    e.encoder_bias_ = c.matrix("encoder_bias").cast<float>();
    const Index d = static_cast<Index>(o.patch) * o.patch;
    const bool sae = o.encoder == EncoderKind::sae;
    if (e.zca_mean_.size() != d || e.zca_.rows() != d || e.zca_.cols() != d || e.dictionary_.rows() != d ||
        e.dictionary_.cols() != o.atoms || (sae && (e.encoder_weights_.rows() != o.atoms ||
                                                    e.encoder_weights_.cols() != d || e.encoder_bias_.size() != o.atoms))) {
      throw std::runtime_error("matrix shapes do not match the options");
    }
  } catch (const std::exception& error) {
    throw std::runtime_error(name + ": not a valid feature extractor: " + error.what());
  }
  return e;
}

}  // namespace sparsecode::features
