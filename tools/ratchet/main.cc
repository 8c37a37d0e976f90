// ratchet: upgrades the schema of live databases in place.
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "cli_docs.h"
#include "common.h"
#include "json_output.h"
#include "ratchet/faults.h"
#include "ratchet/interrupt.h"

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
  app.set_version_flag("--version", std::string("ratchet ") + ratchet::ToolVersion());
  app.require_subcommand(1);
  app.footer("Run 'ratchet help COMMAND' (or 'ratchet COMMAND --help') for a command's options.");

  Runner run;
  for (SetupFunction setup : RegisteredCommands()) setup(app, &run);

  std::vector<std::string> args(argv + 1, argv + argc);
  const bool json = std::find(args.begin(), args.end(), "--json") != args.end();
  // The build writes the man pages and completions from these definitions.
  if (!args.empty() && args[0] == "--generate") {
    if (args.size() != 3) {
      std::cerr << "ratchet: error: usage: ratchet --generate man|bash|zsh|fish DIR\n";
      return 2;
    }
    ratchet::Status written = GenerateCliDocs(app, args[1], args[2]);
    return written.ok() ? 0 : ReportError(written);
  }
  // A first word that is no option must be a command.
  if (!args.empty() && !args[0].empty() && args[0][0] != '-') {
    auto named = app.get_subcommands(
        [&](const CLI::App* command) { return command->get_name() == args[0]; });
    if (named.empty()) {
      SetJsonMode(json, "");
      return ReportUnknownCommand(app, args[0]);
    }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (json && e.get_exit_code() != 0) {
      SetJsonMode(true, args.empty() ? "" : args[0]);
      return ReportError(ratchet::Status(ratchet::Code::kInvalidArgument, e.what()));
    }
    int code = app.exit(e);
    return code == 0 ? 0 : 2;  // --help and --version exit 0; bad usage exits 2
  }
  for (const CLI::App* command : app.get_subcommands()) {
    const CLI::Option* flag = command->get_option_no_throw("--json");
    SetJsonMode(flag != nullptr && flag->count() > 0, command->get_name());
  }
  // A testing aid set wrongly must not pass for a run that converged.
  if (const std::string& fault = ratchet::FaultConfigError(); !fault.empty()) {
    return ReportError(ratchet::Status(ratchet::Code::kInvalidArgument, fault));
  }
  InstallStopHandlers();
  return run ? run() : 2;
}
