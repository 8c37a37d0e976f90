// `ratchet rollback`: undoes prepare on every database that has not pivoted.
#include <fmt/format.h>

#include <iostream>

#include "common.h"
#include "fleet.h"
#include "json_output.h"
#include "ratchet/online.h"

namespace ratchet::tool {
namespace {

struct RollbackCommandOptions {
  CommonOptions common;
};

DatabaseResult RollBackOne(SetCache& sets, std::chrono::milliseconds wait, const Target& target,
                           std::ostream& out, bool live, const std::string& again) {
  std::ostream& err = ErrorStream(out);
  DatabaseResult failed;
  auto session = OpenForJob(sets, target, OpenMode::kMustExist, out, &failed);
  if (!session) return failed;
  auto set = sets.For(target.kind);
  Connection& conn = *session->conn;
  UpgradeOptions upgrade;
  upgrade.lock_wait = wait;
  out << fmt::format("Rolling back prepare on {}\n", conn.display_name());
  auto reporter = MakeItemReporter(out, live, conn.display_name(), "undone");
  auto summary = RollBackPrepared(conn, **set, upgrade, reporter.get());
  if (!summary.ok()) {
    err << "ratchet: error: " << summary.status().message() << "\n";
    const Code code = summary.status().code();
    // A refusal names its own way on; anything else is retried.
    return WithNext(FailedResult(conn.display_name(), summary.status()),
                    code == Code::kRefused ? "" : again);
  }
  DatabaseResult result;
  result.database = conn.display_name();
  if (summary->nothing_to_do) {
    out << fmt::format("Nothing to roll back on {}: nothing is prepared.\n", conn.display_name());
    result.label = "nothing to do";
    result.detail = "nothing prepared";
    return result;
  }
  result.label = "rolled back";
  result.detail = fmt::format("{} item(s) undone{}", summary->rolled_back,
                              summary->thawed ? "; DDL thawed" : "");
  out << fmt::format("Rolled back {}: {}; the database is as before prepare.\n",
                     conn.display_name(), result.detail);
  return result;
}

int RunRollback(const RollbackCommandOptions& options) {
  auto wait = LockWait(options.common);
  if (!wait.ok()) return ReportError(wait.status());
  SetCache sets(options.common.set_dir);
  auto targets = TargetsAndSets(options.common, sets);
  if (!targets.ok()) return ReportError(targets.status());
  const std::string again = FleetCommandLine("rollback", options.common);
  auto results = RunOnEach(*targets, options.common.jobs,
                           [&](const Target& target, std::ostream& out, bool live) {
                             return RollBackOne(sets, *wait, target, out, live, again);
                           });
  return Summarize(results, again);
}

}  // namespace

void SetupRollbackCommand(CLI::App& app, Runner* run) {
  auto options = std::make_shared<RollbackCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "rollback",
      "undo prepare (also a partial one) on every database that has not pivoted; refuses a "
      "database that has");
  AddCommonOptions(cmd, &options->common);
  AddTargetOptions(cmd, &options->common);
  AddJsonFlag(cmd);
  cmd->callback([options, run] { *run = [options] { return RunRollback(*options); }; });
}

const CommandRegistration kRollbackRegistered(60, SetupRollbackCommand);

}  // namespace ratchet::tool
