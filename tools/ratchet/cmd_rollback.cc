// `ratchet rollback`: undoes prepare on every database that has not pivoted.
#include <iostream>

#include <fmt/format.h>

#include "common.h"
#include "fleet.h"
#include "ratchet/online.h"

namespace ratchet::tool {
namespace {

struct RollbackCommandOptions {
  CommonOptions common;
};

DatabaseResult RollBackOne(SetCache& sets, std::chrono::milliseconds wait, const Target& target,
                           std::ostream& out, bool live) {
  std::ostream& err = ErrorStream(out);
  DatabaseResult failed;
  auto session = OpenForJob(sets, target, OpenMode::kMustExist, out, &failed);
  if (!session) return failed;
  auto set = sets.For(target.kind);
  Connection& conn = *session->conn;
  UpgradeOptions upgrade;
  upgrade.lock_wait = wait;
  out << fmt::format("Rolling back prepare on {}\n", conn.display_name());
  LineReporter reporter(out, live);
  reporter.set_done_word("undone");
  auto summary = RollBackPrepared(conn, **set, upgrade, &reporter);
  if (!summary.ok()) {
    err << "ratchet: error: " << summary.status().message() << "\n";
    return FailedResult(conn.display_name(), summary.status());
  }
  DatabaseResult result;
  result.database = conn.display_name();
  if (summary->nothing_to_do) {
    out << fmt::format("Nothing to roll back on {}: nothing is prepared.\n", conn.display_name());
    result.outcome = "nothing to do";
    result.detail = "nothing prepared";
    return result;
  }
  result.outcome = "rolled back";
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
  auto results = RunOnEach(*targets, options.common.jobs,
                           [&](const Target& target, std::ostream& out, bool live) {
                             return RollBackOne(sets, *wait, target, out, live);
                           });
  return Summarize(results, FleetCommandLine("rollback", options.common));
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
  cmd->callback([options, run] { *run = [options] { return RunRollback(*options); }; });
}

const CommandRegistration kRollbackRegistered(60, SetupRollbackCommand);

}  // namespace ratchet::tool
