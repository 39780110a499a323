// Options of the feature extractor: names, validation and sizes.
#include "sparsecode/features/options.hpp"

#include <cmath>
#include <sstream>
#include <stdexcept>

#include "sparsecode/features/pooling.hpp"

namespace sparsecode::features {

namespace {

[[noreturn]] void bad(const std::string& field, const std::string& detail) {
  throw std::invalid_argument("ExtractorOptions::" + field + " " + detail);
}

}  // namespace

DictionaryKind parse_dictionary_kind(const std::string& name) {
  if (name == "sparse-coding") return DictionaryKind::sparse_coding;
  if (name == "kmeans") return DictionaryKind::kmeans;
  if (name == "autoencoder") return DictionaryKind::autoencoder;
  throw std::invalid_argument("unknown dictionary '" + name + "' (sparse-coding, kmeans, autoencoder)");
}

EncoderKind parse_encoder_kind(const std::string& name) {
  if (name == "soft") return EncoderKind::soft;
  if (name == "lasso") return EncoderKind::lasso;
  if (name == "omp") return EncoderKind::omp;
  if (name == "triangle") return EncoderKind::triangle;
  if (name == "sae") return EncoderKind::sae;
  throw std::invalid_argument("unknown encoder '" + name + "' (soft, lasso, omp, triangle, sae)");
}

PoolKind parse_pool_kind(const std::string& name) {
  if (name == "sum") return PoolKind::sum;
  if (name == "max") return PoolKind::max;
  if (name == "mean") return PoolKind::mean;
  throw std::invalid_argument("unknown pooling '" + name + "' (sum, max, mean)");
}

std::string to_string(DictionaryKind kind) {
  switch (kind) {
    case DictionaryKind::sparse_coding: return "sparse-coding";
    case DictionaryKind::kmeans: return "kmeans";
    case DictionaryKind::autoencoder: return "autoencoder";
  }
  return "?";
}

std::string to_string(EncoderKind kind) {
  switch (kind) {
    case EncoderKind::soft: return "soft";
    case EncoderKind::lasso: return "lasso";
    case EncoderKind::omp: return "omp";
    case EncoderKind::triangle: return "triangle";
    case EncoderKind::sae: return "sae";
  }
  return "?";
}

std::string to_string(PoolKind kind) {
  switch (kind) {
    case PoolKind::sum: return "sum";
    case PoolKind::max: return "max";
    case PoolKind::mean: return "mean";
  }
  return "?";
}

std::string grids_text(const std::vector<int>& grids) {
  std::string text;
  for (int g : grids) {
    if (!text.empty()) text.push_back(',');
    text.append(std::to_string(g));
  }
  return text;
}

std::vector<int> parse_grids(const std::string& text) {
  std::vector<int> grids;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    std::size_t used = 0;
    int g = 0;
    try {
      g = std::stoi(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != item.size() || g < 1) {
      throw std::invalid_argument("pooling grids must be a positive integer or a comma-separated pyramid such as "
                                  "1,2,4; got '" + text + "'");
    }
    grids.push_back(g);
  }
  if (grids.empty()) throw std::invalid_argument("pooling grids: empty list");
  return grids;
}

void ExtractorOptions::validate() const {
  if (patch < 1) bad("patch", "must be >= 1, got " + std::to_string(patch));
  if (stride < 1) bad("stride", "must be >= 1, got " + std::to_string(stride));
  if (atoms < 1) bad("atoms", "must be >= 1, got " + std::to_string(atoms));
  const bool needs_lambda = dictionary == DictionaryKind::sparse_coding || encoder == EncoderKind::lasso;
  if (!std::isfinite(lambda) || lambda < 0.0 || (needs_lambda && lambda == 0.0)) {
    bad("lambda", "must be finite and > 0 (>= 0 when unused), got " + std::to_string(lambda));
  }
  if (!std::isfinite(alpha) || alpha < 0.0) bad("alpha", "must be finite and >= 0, got " + std::to_string(alpha));
  if (grids.empty()) bad("grids", "must name at least one pooling grid");
  for (int g : grids) {
    if (g < 1) bad("grids", "entries must be >= 1, got " + std::to_string(g));
  }
  if (patches_count < 1) bad("patches_count", "must be >= 1, got " + std::to_string(patches_count));
  if (!(contrast_epsilon > 0.0) || !std::isfinite(contrast_epsilon)) {
    bad("contrast_epsilon", "must be finite and > 0, got " + std::to_string(contrast_epsilon));
  }
  if (!(zca_epsilon > 0.0) || !std::isfinite(zca_epsilon)) {
    bad("zca_epsilon", "must be finite and > 0, got " + std::to_string(zca_epsilon));
  }
  if (kmeans_iterations < 1) bad("kmeans_iterations", "must be >= 1, got " + std::to_string(kmeans_iterations));
  if (omp_atoms < 1) bad("omp_atoms", "must be >= 1, got " + std::to_string(omp_atoms));
  if (autoencoder_iterations < 1) {
    bad("autoencoder_iterations", "must be >= 1, got " + std::to_string(autoencoder_iterations));
  }
  if (!(autoencoder_rho > 0.0 && autoencoder_rho < 1.0)) {
    bad("autoencoder_rho", "must be in (0, 1), got " + std::to_string(autoencoder_rho));
  }
  if (!(autoencoder_beta >= 0.0) || !std::isfinite(autoencoder_beta)) {
    bad("autoencoder_beta", "must be finite and >= 0, got " + std::to_string(autoencoder_beta));
  }
  if (!(autoencoder_decay >= 0.0) || !std::isfinite(autoencoder_decay)) {
    bad("autoencoder_decay", "must be finite and >= 0, got " + std::to_string(autoencoder_decay));
  }
  if (encoder == EncoderKind::sae && dictionary != DictionaryKind::autoencoder) {
    bad("encoder", "'sae' needs the autoencoder dictionary, got dictionary '" + to_string(dictionary) + "'");
  }
}

Index ExtractorOptions::code_size() const {
  const bool split = encoder == EncoderKind::soft || encoder == EncoderKind::lasso || encoder == EncoderKind::omp;
  return split ? 2 * atoms : atoms;
}

Index positions_along(Index side, int patch, int stride) {
  if (side < patch) {
    throw std::invalid_argument("patch of side " + std::to_string(patch) + " is larger than the image side " +
                                std::to_string(side));
  }
  return (side - patch) / stride + 1;
}

Index feature_count(const ExtractorOptions& options) {
  return options.code_size() * region_count(options.grids);
}

}  // namespace sparsecode::features
