// Tests for `sparsecode learn`: exit codes and no output on bad input, and resume after kill -9.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "autoencoder_test_support.hpp"
#include "learner_fixtures.hpp"
#include "sparsecode/io/npy.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using sparsecode::test::TempDir;

namespace {

int run_cli(const std::string& args, const fs::path& err) {
  const std::string cmd = std::string(SPARSECODE_CLI_PATH) + " learn " + args + " 2> '" + err.string() + "'";
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("learn CLI: bad options exit 2, bad data exit 1, and no output file is left") {
  const TempDir dir("learn_cli_errors");
  const auto planted = sparsecode::test::make_planted(9, 6, 40, 2, 0.01, 3);
  sparsecode::io::save_samples<double>(dir / "x.npy", planted.signals);
  auto nan = planted.signals;
  auto huge = planted.signals;
  nan(2, 5) = std::numeric_limits<double>::quiet_NaN();
  sparsecode::io::save_samples<double>(dir / "nan.npy", nan);
  sparsecode::Matrix<double> d0 = planted.signals.leftCols(4);  // d×k, atoms as columns
  d0 = d0.array().rowwise() / d0.colwise().norm().array();
  d0.col(2).setZero();
  sparsecode::io::save_samples<double>(dir / "zero_atom.npy", d0);
  d0.col(2) = planted.signals.col(9).normalized();
  d0(0, 1) = std::numeric_limits<double>::infinity();
  sparsecode::io::save_samples<double>(dir / "inf_atom.npy", d0);
  huge(3, 7) = 1e300;
  sparsecode::io::save_samples<double>(dir / "huge.npy", huge);
  auto big = planted.signals;
  big(3, 11) = 1e30;  // finite in double, its square overflows float
  sparsecode::io::save_samples<double>(dir / "big.npy", big);
  const std::string x = " --input '" + (dir / "x.npy").string() + "'";
  const std::string out = " --out '" + (dir / "D.npy").string() + "'";
  const fs::path err = dir / "err.txt";
  struct Case {
    std::string args;
    int status;
    std::string message;
  };
  const std::vector<Case> cases = {
      {x + " --atoms 0 --lambda 0.1" + out, 2, "--atoms"},
      {x + " --atoms 4 --lambda -0.5" + out, 2, "--lambda"},
      {x + " --atoms 4 --lambda 0.1 --batch-size 0" + out, 2, "--batch-size"},
      {x + " --atoms 4 --lambda 0.1", 2, "--out"},
      {x + " --atoms 4 --lambda 0.1 --resume" + out, 2, "--checkpoint"},
      {x + " --atoms 4 --lambda 0.1 --weighting forgetful" + out, 2, "--weighting"},
      {x + " --atoms 4 --lambda 0.1 --rho -1" + out, 2, "--rho"},
      {" --input '" + (dir / "nan.npy").string() + "' --atoms 4 --lambda 0.1" + out, 1, "NaN"},
      {x + " --atoms 50 --lambda 0.1" + out, 1, "40 samples < k = 50"},
      {x + " --atoms 4 --lambda 0.1 --init '" + (dir / "zero_atom.npy").string() + "'" + out, 1,
       "atom 2 (row 2) is zero"},
      {x + " --atoms 4 --lambda 0.1 --init '" + (dir / "inf_atom.npy").string() + "'" + out, 1,
       "atom 1 (row 1) contains NaN or Inf"},
      {" --input '" + (dir / "huge.npy").string() + "' --atoms 4 --lambda 0.1" + out, 1,
       "sample 7 (row 7) is too large"},
      {x + " --atoms 4 --lambda 0.1 --method batch --float32" + out, 2, "--float32 applies only with --method online"},
      {" --input '" + (dir / "big.npy").string() + "' --atoms 4 --lambda 0.1 --float32" + out, 1,
       "sample 11 (row 11) is too large: its squared norm overflows float"},
      {" --input '" + (dir / "big.npy").string() + "' --atoms 4 --lambda 0.1 --float32 --stream" + out, 1,
       "sample 11 (row 11) is too large: its squared norm overflows float"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.args);
    CHECK(run_cli(c.args, err) == c.status);
    CHECK(read_bytes(err).find(c.message) != std::string::npos);
    CHECK(!fs::exists(dir / "D.npy"));
  }
  CHECK(run_cli(x + " --atoms 4 --lambda 0.1 --log '" + (dir / "c.csv").string() + "'" + out, err) == 0);
  CHECK(sparsecode::io::load_samples<double>(dir / "D.npy").cols() == 4);
  // Both past weightings run; they down-weight the statistics differently, so the dictionaries differ.
  for (const char* w : {"minibatch", "power"}) {
    CHECK(run_cli(x + " --atoms 4 --lambda 0.1 --batch-size 8 --weighting " + w + " --out '" +
                      (dir / (std::string(w) + ".npy")).string() + "'", err) == 0);
  }
  CHECK(sparsecode::io::load_samples<double>(dir / "minibatch.npy") !=
        sparsecode::io::load_samples<double>(dir / "power.npy"));
  // --float32 codes in single precision and still writes a float64 dictionary of unit-ball atoms.
  CHECK(run_cli(x + " --atoms 4 --lambda 0.1 --batch-size 8 --float32 --out '" + (dir / "f32.npy").string() + "'",
                err) == 0);
  const auto single = sparsecode::io::load_samples<double>(dir / "f32.npy");
  CHECK(single.cols() == 4);
  CHECK(single.colwise().norm().maxCoeff() <= 1.0 + 1e-12);
  CHECK(single != sparsecode::io::load_samples<double>(dir / "power.npy"));
}

TEST_CASE("learn CLI: after kill -9 mid-run, --resume ends bit-identical to an uninterrupted run") {
  const TempDir dir("learn_cli_kill");
  const auto planted = sparsecode::test::make_planted(16, 8, 3000, 2, 0.05, 8);
  sparsecode::io::save_samples<double>(dir / "x.npy", planted.signals);
  const std::string common = " --input '" + (dir / "x.npy").string() +
                             "' --atoms 8 --lambda 0.1 --batch-size 8 --iterations 350 --seed 5 --quiet";
  const fs::path err = dir / "err.txt";
  REQUIRE(run_cli(common + " --out '" + (dir / "whole.npy").string() + "'", err) == 0);

  const std::string resumable = common + " --checkpoint '" + (dir / "ckpt").string() + "' --out '" +
                                (dir / "resumed.npy").string() + "'";
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const std::string cmd = std::string(SPARSECODE_CLI_PATH) + " learn" + resumable + " 2>/dev/null";
    execl("/bin/sh", "sh", "-c", ("exec " + cmd).c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  // Kill as soon as a checkpoint exists (the run may also have finished by then: resuming
  // from its final checkpoint must give the same dictionary too).
  const fs::path ckpt = dir / "ckpt" / "online.ckpt";
  for (int i = 0; i < 6000 && !fs::exists(ckpt); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  fs::remove(dir / "resumed.npy");
  REQUIRE(fs::exists(ckpt));
  REQUIRE(run_cli(resumable + " --resume --log '" + (dir / "resumed.csv").string() + "'", err) == 0);
  CHECK(read_bytes(dir / "resumed.npy") == read_bytes(dir / "whole.npy"));
  // The resumed run's log holds the whole curve: one row per iteration, 1 to 350, in order.
  std::ifstream log(dir / "resumed.csv");
  std::string line;
  std::getline(log, line);  // header
  long long expected = 1;
  bool in_order = true;
  while (std::getline(log, line)) in_order = in_order && std::stoll(line.substr(0, line.find(','))) == expected++;
  CHECK(in_order);
  CHECK(expected == 351);

  // Resuming with other data of the same size is refused, saying so; nothing is written.
  auto other = planted.signals;
  other(0, 0) += 1e-6;
  sparsecode::io::save_samples<double>(dir / "other.npy", other);
  fs::remove(dir / "resumed.npy");
  const std::string on_other = " --input '" + (dir / "other.npy").string() +
                               "' --atoms 8 --lambda 0.1 --batch-size 8 --iterations 350 --seed 5 --quiet"
                               " --checkpoint '" + (dir / "ckpt").string() + "' --out '" +
                               (dir / "resumed.npy").string() + "' --resume";
  CHECK(run_cli(on_other, err) == 1);
  CHECK(read_bytes(err).find("the training data differ from the checkpoint's") != std::string::npos);
  CHECK(!fs::exists(dir / "resumed.npy"));
}

TEST_CASE("learn CLI: non-converged training codes are reported even with --quiet, and --fail-on-nonconverged stops with exit 1 and no output") {
  const TempDir dir("learn_cli_nonconverged");
  const auto planted = sparsecode::test::make_planted(9, 6, 40, 2, 0.01, 3);
  sparsecode::io::save_samples<double>(dir / "x.npy", planted.signals);
  const fs::path d = dir / "D.npy", log = dir / "curve.csv", err = dir / "err.txt";
  const std::string base = " --input '" + (dir / "x.npy").string() + "' --atoms 6 --batch-size 8 --iterations 3 --quiet" +
                           " --out '" + d.string() + "' --log '" + log.string() + "'";
  // A relative gap of 1e-300 is out of reach for CD: codes stop at the iteration cap.
  const std::string unreachable = " --lambda 0.001 --solver cd --tol 1e-300";
  REQUIRE(run_cli(base + unreachable, err) == 0);
  CHECK(read_bytes(err).find(" of 24 training codes did not converge") != std::string::npos);
  CHECK(fs::exists(d));
  fs::remove(d);
  fs::remove(log);
  CHECK(run_cli(base + unreachable + " --fail-on-nonconverged", err) == 1);
  const std::string message = read_bytes(err);
  CHECK(message.find("training codes did not converge") != std::string::npos);
  CHECK(message.find("no output written (--fail-on-nonconverged)") != std::string::npos);
  CHECK(std::count(message.begin(), message.end(), '\n') == 1);  // one line
  CHECK(!fs::exists(d));
  CHECK(!fs::exists(log));
  // Exact LARS codes converge: the flag changes nothing, and nothing is printed under --quiet.
  REQUIRE(run_cli(base + " --lambda 0.1 --fail-on-nonconverged", err) == 0);
  CHECK(read_bytes(err).empty());
  CHECK(fs::exists(d));
}

TEST_CASE("learn CLI: --png with non-square atoms and unwritable outputs fail before any work: exit 2, no file") {
  const TempDir dir("learn_cli_png");
  const auto planted = sparsecode::test::make_planted(10, 6, 300, 2, 0.01, 4);  // d = 10: not a square patch
  sparsecode::io::save_samples<double>(dir / "x.npy", planted.signals);
  const std::string x = " --input '" + (dir / "x.npy").string() + "' --atoms 4 --lambda 0.1";
  const std::string outputs = " --out '" + (dir / "D.npy").string() + "' --log '" + (dir / "c.csv").string() +
                              "' --curve-png '" + (dir / "c.png").string() + "' --checkpoint '" +
                              (dir / "ckpt").string() + "'";
  const fs::path err = dir / "err.txt";
  const auto nothing_written = [&] {
    for (const char* name : {"D.npy", "c.csv", "c.png", "f.png", "ckpt"}) {
      CAPTURE(name);
      CHECK(!fs::exists(dir / name));
    }
  };
  CHECK(run_cli(x + outputs + " --png '" + (dir / "f.png").string() + "'", err) == 2);
  CHECK(read_bytes(err).find("perfect square") != std::string::npos);
  nothing_written();
  CHECK(run_cli(x + outputs + " --png '" + (dir / "no_such_dir" / "f.png").string() + "'", err) == 2);
  CHECK(read_bytes(err).find("no_such_dir") != std::string::npos);
  nothing_written();
  CHECK(run_cli(x + outputs + " --png '" + (dir / "c.csv").string() + "'", err) == 2);
  CHECK(read_bytes(err).find("same file") != std::string::npos);
  nothing_written();
  // The same run without --png writes every output and reports its summary on stderr.
  CHECK(run_cli(x + outputs, err) == 0);
  for (const char* name : {"D.npy", "c.csv", "c.png", "ckpt"}) CHECK(fs::exists(dir / name));
  CHECK(read_bytes(err).find("stopped (epoch budget used up)") != std::string::npos);
  CHECK(run_cli(x + " --quiet --out '" + (dir / "D2.npy").string() + "'", err) == 0);
  CHECK(read_bytes(err).empty());
}

TEST_CASE("learn and autoencoder train on a terminal: percent done and ETA, no held-out nan, a closing summary") {
  if (std::system("command -v script >/dev/null 2>&1") != 0) {
    MESSAGE("util-linux 'script' not found: no pseudo-terminal to test the progress line on");
    return;
  }
  const TempDir dir("learn_cli_progress");
  const auto planted = sparsecode::test::make_planted(9, 6, 400, 2, 0.01, 6);
  sparsecode::io::save_samples<double>(dir / "x.npy", planted.signals);
  // `script` runs the command on a pseudo-terminal, so stderr is a terminal and the line is shown.
  const auto on_terminal = [&](const std::string& args) {
    const fs::path out = dir / "tty.txt";
    const std::string command = "script -qec \"'" + std::string(SPARSECODE_CLI_PATH) + "' " + args +
                                "\" /dev/null > '" + out.string() + "' 2>&1";
    CHECK(std::system(command.c_str()) == 0);
    return read_bytes(out);
  };
  const std::string x = "--input '" + (dir / "x.npy").string() + "'";
  std::string text = on_terminal("learn " + x + " --atoms 6 --lambda 0.1 --batch-size 4 --epochs 3 "
                                 "--heldout-frac 0.2 --out '" + (dir / "D.npy").string() + "'");
  CHECK(text.find("%") != std::string::npos);
  CHECK(text.find("100.0%") != std::string::npos);  // the line ends in the final state
  CHECK(text.find("ETA") != std::string::npos);     // the first row already has a rate
  CHECK(text.find("nan") == std::string::npos);
  CHECK(text.find("stopped (epoch budget used up)") != std::string::npos);
  text = on_terminal("learn " + x + " --atoms 6 --lambda 0.1 --epochs 3 --quiet --out '" +
                     (dir / "D.npy").string() + "'");
  CHECK(text.find("%") == std::string::npos);
  CHECK(text.find("stopped") == std::string::npos);
  sparsecode::io::save_samples<double>(dir / "u.npy", sparsecode::test::uniform_data(9, 200, 0.1, 0.9, 7));
  text = on_terminal("autoencoder train --input '" + (dir / "u.npy").string() + "' --hidden 4 --max-iter 20 --out '" +
                     (dir / "m.sae").string() + "'");
  CHECK(text.find("100.0%") != std::string::npos);
  CHECK(text.find("training stopped (") != std::string::npos);
}
