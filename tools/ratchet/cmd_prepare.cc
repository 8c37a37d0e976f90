// `ratchet prepare`: the first half of an online upgrade, while the
// application keeps running.
#include <fmt/format.h>

#include <iostream>

#include "common.h"
#include "fleet.h"
#include "json_output.h"
#include "ratchet/online.h"
#include "ratchet/text.h"

namespace ratchet::tool {
namespace {

struct PrepareCommandOptions {
  CommonOptions common;
  std::string to;
  bool allow_unknown = false;
  bool skip_check = false;
  bool freeze = false;
};

DatabaseResult PrepareOne(const PrepareCommandOptions& options, SetCache& sets,
                          std::chrono::milliseconds wait, const Target& target, std::ostream& out,
                          bool live, const std::string& again) {
  std::ostream& err = ErrorStream(out);
  DatabaseResult failed;
  auto session = OpenForJob(sets, target, OpenMode::kCreate, out, &failed);
  if (!session) return failed;
  auto set = sets.For(target.kind);
  PrepareOptions prepare;
  prepare.upgrade.lock_wait = wait;
  prepare.upgrade.allow_unknown = options.allow_unknown;
  prepare.freeze = options.freeze;
  if (!options.to.empty()) {
    auto version = ResolveTarget(**set, options.to);
    if (!version.ok()) {
      err << "ratchet: error: " << version.status().message() << "\n";
      return FailedResult(target.display, version.status());
    }
    prepare.upgrade.target = *version;
  }
  Connection& conn = *session->conn;
  out << fmt::format("Preparing {}: prepare sections only; the application keeps running\n",
                     conn.display_name());
  auto reporter = MakeItemReporter(out, live, conn.display_name(), "prepared");
  prepare.upgrade.run_checks = !options.skip_check;
  auto summary = PrepareItems(conn, **set, prepare, reporter.get());
  if (!summary.ok()) {
    const Status& st = summary.status();
    err << "ratchet: error: " << st.message() << "\n";
    if (st.code() == Code::kCheckFailed) {
      // The findings are what `ratchet check` reports.
      return WithNext(FailedResult(conn.display_name(), st),
                      CommandLine("check", options.common, conn.display_name()));
    }
    if (st.code() == Code::kUpgradeFailed) {
      // The state is read back, not assumed: the failure may have kept
      // ratchet from recording it.
      auto now = ReadStatus(conn, **set);
      std::string marked = !now.ok() ? "ratchet could not read the database's state back: " +
                                           Clip(now.status().message(), 200)
                           : now->status == "failed-prepare"
                               ? std::string("The database is marked failed-prepare.")
                               : fmt::format(
                                     "The failure could not be recorded: the database's status is "
                                     "still {}; 'ratchet status' shows where it stands.",
                                     now->status);
      err << "The failed item's prepare was rolled back; items prepared before it stay "
             "prepared. "
          << marked << "\n";
      std::string again = CommandLine("prepare", options.common, conn.display_name());
      if (st.db_error() && st.db_error()->sqlstate == "55P03") {
        err << "Next: the item is not at fault; when the sessions named above have ended, run: "
            << again << "\n";
      } else {
        err << "Next: fix "
            << (st.db_error() && !st.db_error()->file.empty() ? st.db_error()->file
                                                              : std::string("the failed item"))
            << ", then run: " << again
            << "; or undo everything prepared with 'ratchet rollback'.\n";
      }
    }
    return WithNext(FailedResult(conn.display_name(), st), again);
  }
  DatabaseResult result;
  result.database = conn.display_name();
  if (summary->prepared == 0 && summary->already_prepared == 0 && summary->failed_optional == 0) {
    out << fmt::format("Nothing to prepare: {} is up to date.\n", conn.display_name());
    result.label = "up to date";
    result.detail = "nothing pending";
    return result;
  }
  result.label = "prepared";
  result.detail = fmt::format("{} item(s) prepared", summary->prepared);
  if (summary->already_prepared) {
    result.detail += fmt::format(" ({} earlier)", summary->already_prepared);
  }
  if (summary->failed_optional || summary->skipped) {
    result.detail +=
        fmt::format("; {} optional failed, {} skipped", summary->failed_optional, summary->skipped);
  }
  if (summary->froze) result.detail += "; DDL frozen";
  out << fmt::format("Prepared {}: {}.\n", conn.display_name(), result.detail);
  return result;
}

int RunPrepare(const PrepareCommandOptions& options) {
  auto wait = LockWait(options.common);
  if (!wait.ok()) return ReportError(wait.status());
  SetCache sets(options.common.set_dir);
  auto targets = TargetsAndSets(options.common, sets);
  if (!targets.ok()) return ReportError(targets.status());
  const std::string again = FleetCommandLine("prepare", options.common);
  auto results = RunOnEach(*targets, options.common.jobs,
                           [&](const Target& target, std::ostream& out, bool live) {
                             return PrepareOne(options, sets, *wait, target, out, live, again);
                           });
  int code = Summarize(results, again, "", FleetCommandLine("finalize", options.common));
  if (code == 0 && !JsonMode()) {
    std::cout << "Next: the new application can be deployed once finalize has run: "
              << FleetCommandLine("finalize", options.common) << "\n"
              << "To undo prepare instead: " << FleetCommandLine("rollback", options.common)
              << "\n";
  }
  return code;
}

}  // namespace

void SetupPrepareCommand(CLI::App& app, Runner* run) {
  auto options = std::make_shared<PrepareCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "prepare",
      "online upgrade, part 1: run every pending item's prepare section while the application "
      "runs; undo with rollback, complete with finalize");
  AddCommonOptions(cmd, &options->common);
  AddTargetOptions(cmd, &options->common);
  cmd->add_option("--to", options->to, "stop at this version (V3, V2.1) or release name");
  cmd->add_flag("--allow-unknown", options->allow_unknown,
                "proceed although the database has items this set does not know");
  cmd->add_flag("--skip-check", options->skip_check,
                "do not run the pre-upgrade checks ('ratchet check') first");
  cmd->add_flag("--freeze", options->freeze,
                "refuse DDL from every other session until finalize or rollback (PostgreSQL)");
  AddJsonFlag(cmd);
  cmd->callback([options, run] { *run = [options] { return RunPrepare(*options); }; });
}

const CommandRegistration kPrepareRegistered(40, SetupPrepareCommand);

}  // namespace ratchet::tool
