// ratchet: upgrades the schema of live databases in place.
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "common.h"
#include "ratchet/interrupt.h"
#include "util/fault.h"

namespace {

// The first SIGINT or SIGTERM asks the run to stop where it stands (the
// running statement is cancelled on the server, the state recorded); a
// second one ends ratchet at once. Only async-signal-safe calls here.
void OnStopSignal(int signal_number) {
  if (ratchet::InterruptRequested() != 0) {
    static const char kNow[] =
        "\nratchet: second signal: exiting now, without waiting for the server; whatever was "
        "running and had not committed is rolled back by the server, and 'ratchet status' "
        "says where the database stands\n";
    ssize_t ignored = write(STDERR_FILENO, kNow, sizeof(kNow) - 1);
    (void)ignored;
    _exit(128 + signal_number);
  }
  static const char kStopping[] =
      "\nratchet: stopping: cancelling the running statement and recording where the run "
      "stands (a second Ctrl-C exits at once)\n";
  ssize_t ignored = write(STDERR_FILENO, kStopping, sizeof(kStopping) - 1);
  (void)ignored;
  ratchet::RequestInterrupt(signal_number);
}

void InstallStopHandlers() {
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ratchet::tool;
  CLI::App app{
      "ratchet upgrades the schema of live databases in place, one item at a time, each "
      "committed with its bookkeeping, and always says where a database stands."};
  app.name("ratchet");
  app.set_version_flag("--version", std::string("ratchet ") + RATCHET_VERSION);
  app.require_subcommand(1);

  Runner run;
  for (SetupFunction setup : RegisteredCommands()) setup(app, &run);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;  // --help and --version exit 0; bad usage exits 2
  }
  // A testing aid set wrongly must not pass for a run that converged.
  if (const std::string& fault = ratchet::fault::ConfigError(); !fault.empty()) {
    std::cerr << "ratchet: error: " << fault << "\n";
    return 2;
  }
  InstallStopHandlers();
  return run ? run() : 2;
}
