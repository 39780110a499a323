// Entry point of the `sparsecode` command-line tool: parses, dispatches, maps errors to exit codes.
#include <exception>
#include <iostream>
#include <string>

#include "cli/commands.hpp"

namespace {

/// CLI11 reports an unknown first word only as "A subcommand is required": name it, and the
/// subcommands there are, instead.
void check_subcommand_name(CLI::App& app, int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') return;
  std::string known;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->check_name(argv[1])) return;
    known += (known.empty() ? "" : ", ") + sub->get_name();
  }
  throw sparsecode::cli::UsageError("unknown subcommand '" + std::string(argv[1]) + "' (expected one of: " +
                                    known + "; see sparsecode --help)");
}

}  // namespace

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
  sparsecode::cli::add_classify_command(app);
  sparsecode::cli::add_features_command(app);

  // Subcommand callbacks run inside parse(), so their exceptions arrive here too.
  try {
    check_subcommand_name(app, argc, argv);
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
