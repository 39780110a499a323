// Entry point of `sparsecode-mpi`: MPI set-up, parsing on every rank, errors reported once by rank 0.
#include <exception>
#include <iostream>
#include <string>

#include <mpi.h>

#include "cli/commands.hpp"
#include "cli_mpi/commands.hpp"
#include "cli_mpi/session.hpp"

namespace {

int run(int argc, char** argv, const sparsecode::cli_mpi::Session& session) {
  CLI::App app{"sparsecode-mpi: data-parallel sparse coding and dictionary learning over MPI "
               "(run as mpirun -np P sparsecode-mpi ...)",
               "sparsecode-mpi"};
  app.set_version_flag("--version", std::string("sparsecode-mpi ") + SPARSECODE_VERSION);
  app.require_subcommand(1);
  sparsecode::cli_mpi::add_encode_command(app, session);
  sparsecode::cli_mpi::add_learn_command(app, session);
  auto report = [&](const std::string& message) {
    if (session.root()) std::cerr << "sparsecode-mpi: error: " << message << '\n';
  };
  // Every rank parses the same arguments, so parse errors are the same on all; subcommand
  // callbacks run inside parse() and fail on all ranks together (Session::step).
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
      return session.root() ? app.exit(e) : 0;  // --help / --version
    }
    report(e.what());
    return 2;
  } catch (const sparsecode::cli_mpi::RankFailure& e) {
    report(e.what());
    return e.exit_status();
  } catch (const sparsecode::cli::UsageError& e) {
    report(e.what());
    return 2;
  } catch (const std::exception& e) {
    report(e.what());
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int status = 0;
  {
    const sparsecode::cli_mpi::Session session;
    status = run(argc, argv, session);
  }
  MPI_Finalize();
  return status;
}
