// Classifier <-> checkpoint entries, with the kind and version checked before anything else is read.
#include "sparsecode/classify/model_io.hpp"

#include <string>

#include "sparsecode/io/checkpoint.hpp"

namespace sparsecode::classify {

namespace {
constexpr const char* kKind = "classifier";

// "W3", "b3": built by appending (GCC 12 warns falsely on "W" + std::to_string(k)).
std::string entry(char prefix, std::int64_t k) {
  std::string name(1, prefix);
  name += std::to_string(k);
  return name;
}
}  // namespace

void save_classifier(const std::filesystem::path& path, const Classifier& model) {
  model.validate();
  io::Checkpoint ck;
  ck.set_string("kind", kKind);
  ck.set_int("format_version", kClassifierFormatVersion);
  ck.set_string("loss", to_string(model.loss));
  ck.set_real("l2", model.l2);
  ck.set_real("l1", model.l1);
  ck.set_matrix("mean", model.standardizer.mean.cast<double>());
  ck.set_matrix("scale", model.standardizer.scale.cast<double>());
  ck.set_int("members", static_cast<std::int64_t>(model.members.size()));
  for (std::size_t k = 0; k < model.members.size(); ++k) {
    ck.set_matrix(entry('W', static_cast<std::int64_t>(k)), model.members[k].weights.cast<double>());
    ck.set_matrix(entry('b', static_cast<std::int64_t>(k)), model.members[k].bias.cast<double>());
  }
  ck.save(path);
}

Classifier load_classifier(const std::filesystem::path& path) {
  const std::string name = path.string();
  // Appending (rather than "literal" + std::string) avoids GCC 12's false -Wrestrict warning.
  const auto fail = [&](const std::string& problem) -> void {
    std::string message = "classifier model '";
    message.append(name).append("': ").append(problem);
    throw ModelFileError(message);
  };
  io::Checkpoint ck;
  try {
    ck = io::Checkpoint::load(path, "classifier model");
  } catch (const io::CheckpointError& e) {
    throw ModelFileError(e.what());  // names the file as a classifier model
  }
  Classifier model;
  try {
    std::string kind;
    try {
      kind = ck.string("kind");
    } catch (const io::CheckpointError&) {
      fail("not a classifier model file (a sparsecode container without a kind)");
    }
    if (kind != kKind) {
      fail(std::string("is a '").append(kind).append("' file, not a classifier (write one with 'sparsecode classify train')"));
    }
    const auto version = ck.integer("format_version");
    if (version != kClassifierFormatVersion) {
      fail("format version " + std::to_string(version) + " is not supported (this build reads " +
           std::to_string(kClassifierFormatVersion) + ")");
    }
    model.loss = parse_loss(ck.string("loss"));
    model.l2 = ck.real("l2");
    model.l1 = ck.real("l1");
    model.standardizer.mean = ck.matrix("mean").reshaped().cast<float>();
    model.standardizer.scale = ck.matrix("scale").reshaped().cast<float>();
    const auto members = ck.integer("members");
    if (members < 1 || members > 100000) fail("member count " + std::to_string(members) + " is invalid");
    for (std::int64_t k = 0; k < members; ++k) {
      LinearMember m;
      m.weights = ck.matrix(entry('W', k)).cast<float>();
      m.bias = ck.matrix(entry('b', k)).reshaped().cast<float>();
      model.members.push_back(std::move(m));
    }
    model.validate();
  } catch (const ModelFileError&) {
    throw;
  } catch (const std::exception& e) {
    fail(e.what());
  }
  return model;
}

}  // namespace sparsecode::classify
