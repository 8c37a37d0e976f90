// `ratchet cleanup`: removes the original that copy-upgrade kept, and only
// with --approve: nothing else in ratchet ever removes it.
#include <fmt/format.h>

#include <iostream>

#include "common.h"
#include "fleet.h"
#include "json_output.h"
#include "ratchet/copy.h"

namespace ratchet::tool {
namespace {

struct CleanupCommandOptions {
  CommonOptions common;
  bool approve = false;
};

DatabaseResult CleanupOne(const CleanupCommandOptions& options, const Target& target,
                          std::ostream& out) {
  std::ostream& err = ErrorStream(out);
  DatabaseResult result;
  result.database = target.display;
  ConnectOptions connect;
  if (!options.approve) {
    auto state = ReadCopyState(target, connect);
    if (!state.ok()) {
      err << "ratchet: error: " << state.status().message() << "\n";
      return FailedResult(target.display, state.status());
    }
    result.label = state->kept.empty() ? "nothing kept" : "kept";
    result.detail = state->kept.empty() ? "no original kept" : state->kept + " would be removed";
    if (!state->kept.empty()) {
      result.next = CommandLine("cleanup --approve", options.common, target.display);
    }
    out << (state->kept.empty()
                ? fmt::format("{}: copy-upgrade kept no original here; nothing to remove.\n",
                              target.display)
                : fmt::format("{}: would remove {}, the original kept by copy-upgrade. Nothing "
                              "was removed: add --approve to remove it.\n",
                              target.display, state->kept));
    return result;
  }
  auto removed = RemoveKeptOriginal(target, connect);
  if (!removed.ok()) {
    err << "ratchet: error: " << removed.status().message() << "\n";
    return FailedResult(target.display, removed.status());
  }
  result.label = removed->empty() ? "nothing kept" : "removed";
  result.detail = removed->empty() ? "no original kept" : *removed;
  out << (removed->empty()
              ? fmt::format("{}: copy-upgrade kept no original here; nothing to remove.\n",
                            target.display)
              : fmt::format("{}: removed {}, the original kept by copy-upgrade.\n", target.display,
                            *removed));
  return result;
}

int RunCleanup(const CleanupCommandOptions& options) {
  auto targets = ResolveTargets(options.common);
  if (!targets.ok()) return ReportError(targets.status());
  auto results =
      RunOnEach(*targets, options.common.jobs, [&](const Target& target, std::ostream& out, bool) {
        return CleanupOne(options, target, out);
      });
  return Summarize(results, FleetCommandLine("cleanup --approve", options.common));
}

}  // namespace

void SetupCleanupCommand(CLI::App& app, Runner* run) {
  auto options = std::make_shared<CleanupCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "cleanup",
      "remove the original a finished copy-upgrade kept (<file>.old, <db>_old); only with "
      "--approve");
  AddCommonOptions(cmd, &options->common, /*with_lock_wait=*/false);
  AddTargetOptions(cmd, &options->common);
  cmd->add_flag("--approve", options->approve,
                "really remove it; without, say what would be removed");
  AddJsonFlag(cmd);
  cmd->callback([options, run] { *run = [options] { return RunCleanup(*options); }; });
}

const CommandRegistration kCleanupRegistered(36, SetupCleanupCommand);

}  // namespace ratchet::tool
