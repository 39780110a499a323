// Placeholder: `sparsecode montage` is being written.
#include "cli/commands.hpp"

namespace sparsecode::cli {

void add_montage_command(CLI::App& app) { app.add_subcommand("montage", "not yet implemented"); }

}  // namespace sparsecode::cli
