// Placeholder: `sparsecode whiten` is being written.
#include "cli/commands.hpp"

namespace sparsecode::cli {

void add_whiten_command(CLI::App& app) { app.add_subcommand("whiten", "not yet implemented"); }

}  // namespace sparsecode::cli
