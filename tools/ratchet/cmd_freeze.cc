// `ratchet freeze` and `ratchet thaw`: block and allow DDL by hand.
#include <fmt/format.h>

#include <iostream>

#include "common.h"
#include "fleet.h"
#include "json_output.h"
#include "ratchet/online.h"
#include "ratchet/runner.h"

namespace ratchet::tool {
namespace {

struct FreezeCommandOptions {
  CommonOptions common;
};

DatabaseResult FreezeOne(SetCache& sets, bool freeze, const Target& target, std::ostream& out) {
  std::ostream& err = ErrorStream(out);
  DatabaseResult failed;
  auto session = OpenForJob(sets, target, OpenMode::kMustExist, out, &failed);
  if (!session) return failed;
  Connection& conn = *session->conn;
  DatabaseResult result;
  result.database = conn.display_name();
  if (conn.kind() == EngineKind::kSqlite) {
    out << fmt::format(
        "{}: SQLite cannot refuse another process's DDL, so {} does not apply; "
        "keep schema changes out of the application during the online window.\n",
        conn.display_name(), freeze ? "freeze" : "thaw");
    result.label = "not applicable";
    result.detail = "SQLite has no DDL freeze";
    return result;
  }
  auto before = ReadFreeze(conn);
  if (!before.ok()) {
    err << "ratchet: error: " << before.status().message() << "\n";
    return FailedResult(conn.display_name(), before.status());
  }
  Status s =
      freeze ? FreezeDdl(conn, *before ? (*before)->upgrade_id : NewUpgradeId()) : ThawDdl(conn);
  if (!s.ok()) {
    err << "ratchet: error: " << s.message() << "\n";
    return FailedResult(conn.display_name(), s);
  }
  if (freeze) {
    result.label = "frozen";
    result.detail = *before ? "was frozen already" : "DDL refused for every session but ratchet's";
  } else {
    result.label = "thawed";
    result.detail = *before ? "DDL allowed again" : "was not frozen";
  }
  out << fmt::format("{}: {}.\n", conn.display_name(), result.detail);
  return result;
}

int RunFreeze(const FreezeCommandOptions& options, bool freeze) {
  auto targets = ResolveTargets(options.common);
  if (!targets.ok()) return ReportError(targets.status());
  SetCache sets(options.common.set_dir);
  auto results =
      RunOnEach(*targets, options.common.jobs, [&](const Target& target, std::ostream& out, bool) {
        return FreezeOne(sets, freeze, target, out);
      });
  return Summarize(results, FleetCommandLine(freeze ? "freeze" : "thaw", options.common));
}

void SetupFreeze(CLI::App& app, Runner* run, bool freeze) {
  auto options = std::make_shared<FreezeCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      freeze ? "freeze" : "thaw",
      freeze ? "refuse DDL from every session but ratchet's while reads and writes go on "
               "(PostgreSQL)"
             : "allow DDL again after freeze");
  AddCommonOptions(cmd, &options->common, /*with_lock_wait=*/false);
  AddTargetOptions(cmd, &options->common);
  AddJsonFlag(cmd);
  cmd->callback(
      [options, run, freeze] { *run = [options, freeze] { return RunFreeze(*options, freeze); }; });
}

}  // namespace

void SetupFreezeCommand(CLI::App& app, Runner* run) { SetupFreeze(app, run, true); }
void SetupThawCommand(CLI::App& app, Runner* run) { SetupFreeze(app, run, false); }

const CommandRegistration kFreezeRegistered(70, SetupFreezeCommand);
const CommandRegistration kThawRegistered(75, SetupThawCommand);

}  // namespace ratchet::tool
