// The `sparsecode-mpi` subcommands: each registers itself on the CLI11 app with the plain CLI's flags.
#pragma once

#include <CLI/CLI.hpp>

#include "cli_mpi/session.hpp"

namespace sparsecode::cli_mpi {

void add_encode_command(CLI::App& app, const Session& session);
void add_learn_command(CLI::App& app, const Session& session);

}  // namespace sparsecode::cli_mpi
