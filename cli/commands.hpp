// The `sparsecode` subcommands: each registers itself on the CLI11 app; errors map to exit codes.
#pragma once

#include <stdexcept>

#include <CLI/CLI.hpp>

namespace sparsecode::cli {

/// A usage error found after parsing (e.g. options that conflict): exit status 2.
/// Any other exception escaping a command is a data error: exit status 1.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

void add_patches_command(CLI::App& app);
void add_whiten_command(CLI::App& app);
void add_montage_command(CLI::App& app);
void add_encode_command(CLI::App& app);
void add_learn_command(CLI::App& app);
void add_autoencoder_command(CLI::App& app);
void add_classify_command(CLI::App& app);
void add_features_command(CLI::App& app);

}  // namespace sparsecode::cli
