// Entry point of the `sparsecode` command-line tool: parses, dispatches, maps errors to exit codes.
#include <exception>
#include <iostream>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"sparsecode: sparse coding and dictionary learning on image patches", "sparsecode"};
  app.set_version_flag("--version", std::string("sparsecode ") + SPARSECODE_VERSION);
  app.require_subcommand(1);
  sparsecode::cli::add_patches_command(app);
  sparsecode::cli::add_whiten_command(app);
  sparsecode::cli::add_montage_command(app);
  sparsecode::cli::add_encode_command(app);
  sparsecode::cli::add_learn_command(app);
  sparsecode::cli::add_autoencoder_command(app);
  sparsecode::cli::add_features_command(app);

  // Subcommand callbacks run inside parse(), so their exceptions arrive here too.
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
      return app.exit(e);  // --help / --version
    }
    std::cerr << "sparsecode: error: " << e.what() << '\n';
    return 2;
  } catch (const sparsecode::cli::UsageError& e) {
    std::cerr << "sparsecode: error: " << e.what() << '\n';
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "sparsecode: error: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
