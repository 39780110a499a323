// Placeholder: `sparsecode patches` is being written.
#include "cli/commands.hpp"

namespace sparsecode::cli {

void add_patches_command(CLI::App& app) { app.add_subcommand("patches", "not yet implemented"); }

}  // namespace sparsecode::cli
