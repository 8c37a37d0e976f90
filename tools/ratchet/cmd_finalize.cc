// `ratchet finalize`: the second half of an online upgrade. A dry run on
// every database first; only if all of them pass does any database pivot.
#include <fmt/format.h>

#include <iostream>

#include "common.h"
#include "fleet.h"
#include "json_output.h"
#include "ratchet/online.h"
#include "util/fault.h"

namespace ratchet::tool {
namespace {

struct FinalizeCommandOptions {
  CommonOptions common;
};

using Step = std::function<DatabaseResult(Connection& conn, const UpgradeSet& set,
                                          std::ostream& out, bool live)>;

// Connects to `target` and runs `step` on it.
DatabaseResult OnDatabase(SetCache& sets, const Target& target, std::ostream& out, bool live,
                          const Step& step) {
  DatabaseResult failed;
  auto session = OpenForJob(sets, target, OpenMode::kMustExist, out, &failed);
  if (!session) return failed;
  auto set = sets.For(target.kind);
  return step(*session->conn, **set, out, live);
}

// Dry-runs the finalize sections on `conn`, or with `check_only` only
// checks that the database is ready for its pivot.
DatabaseResult DryRun(Connection& conn, const UpgradeSet& set, const UpgradeOptions& upgrade,
                      bool check_only, std::ostream& out, bool live) {
  DatabaseResult result;
  result.database = conn.display_name();
  auto ready = CheckFinalizeReady(conn, set, upgrade.target);
  if (!ready.ok()) {
    ErrorStream(out) << "ratchet: error: " << ready.status().message() << "\n";
    return FailedResult(conn.display_name(), ready.status());
  }
  if (*ready == FinalizeReadiness::kAlreadyPivoted) {
    result.outcome = "pivoted";
    result.detail = "pivoted earlier: skipped";
    return result;
  }
  if (*ready == FinalizeReadiness::kUpToDate) {
    result.outcome = "up to date";
    result.detail = "nothing prepared, nothing pending";
    return result;
  }
  if (check_only) {
    result.outcome = "dry run ok";
    result.detail = "prepared, ready for its pivot";
    return result;
  }
  auto reporter = MakeItemReporter(out, live, conn.display_name());
  Status s = DryRunFinalize(conn, set, upgrade, reporter.get());
  if (!s.ok()) {
    std::ostream& err = ErrorStream(out);
    err << "ratchet: error: dry run failed on " << conn.display_name() << ": " << s.message()
        << "\n";
    if (const DbError* e = s.db_error(); e && !e->statement.empty()) {
      err << "  statement: " << e->statement.substr(0, 400) << "\n";
    }
    return FailedResult(conn.display_name(), s);
  }
  result.outcome = "dry run ok";
  result.detail = "every finalize section ran and was rolled back";
  return result;
}

DatabaseResult Pivot(Connection& conn, const UpgradeSet& set, const UpgradeOptions& upgrade,
                     std::ostream& out, bool live) {
  auto reporter = MakeItemReporter(out, live, conn.display_name());
  auto summary = PivotDatabase(conn, set, upgrade, reporter.get());
  if (!summary.ok()) {
    // A refusal (not prepared, a rollback unfinished ...) changed nothing;
    // only a pivot that ran and failed leaves a prepared database prepared.
    const bool refused =
        summary.status().code() == Code::kRefused || summary.status().code() == Code::kLockBusy;
    ErrorStream(out) << "ratchet: error: pivot failed on " << conn.display_name() << ": "
                     << summary.status().message() << "\n"
                     << (refused ? "Nothing was changed on this database.\n"
                                 : "Nothing of this database's pivot was committed; it is "
                                   "still prepared.\n");
    return FailedResult(conn.display_name(), summary.status());
  }
  DatabaseResult result;
  result.database = conn.display_name();
  if (!summary->pivoted) {
    result.outcome = "pivoted";
    result.detail = "pivoted earlier: skipped";
    return result;
  }
  out << fmt::format("pivoted database '{}'\n", conn.display_name());
  result.outcome = "pivoted";
  result.show_output = true;
  result.detail = fmt::format("{} item(s) finalized{}", summary->finalized,
                              summary->release.empty() ? "" : ", release " + summary->release);
  return result;
}

int RunFinalize(const FinalizeCommandOptions& options) {
  auto wait = LockWait(options.common);
  if (!wait.ok()) return ReportError(wait.status());
  SetCache sets(options.common.set_dir);
  auto targets = TargetsAndSets(options.common, sets);
  if (!targets.ok()) return ReportError(targets.status());
  UpgradeOptions upgrade;
  upgrade.lock_wait = *wait;
  std::string again = FleetCommandLine("finalize", options.common);

  // With one database the pivot is its own dry run: its finalize sections
  // and bookkeeping commit together or not at all, so a separate dry run
  // would only take the same locks twice while the application waits.
  const bool one = targets->size() == 1;
  const bool json = JsonMode();
  if (json) {
    // The stage and summary objects say it all.
  } else if (one) {
    std::cout << "Finalize, step 1 of 2: one database: checking that it is ready (no separate "
                 "dry run: its pivot commits every finalize section with the bookkeeping, or "
                 "nothing)\n";
  } else {
    std::cout << fmt::format(
        "Finalize, step 1 of 2: dry run on {} database(s): every finalize "
        "section runs in a transaction that is rolled back\n",
        targets->size());
  }
  auto dry = RunOnEach(
      *targets, options.common.jobs, [&](const Target& target, std::ostream& out, bool live) {
        DatabaseResult r = OnDatabase(sets, target, out, live,
                                      [&](Connection& c, const UpgradeSet& s, std::ostream& o,
                                          bool l) { return DryRun(c, s, upgrade, one, o, l); });
        r.stage = "dry-run";
        return r;
      });
  int code = Summarize(dry, again, "dry-run");
  if (code != 0 && json) {
    Summarize(dry, again, "final");
    return code;
  }
  if (code != 0) {
    std::cerr << "Finalize stopped before any pivot: nothing was changed on any database, "
                 "and each stands where it stood (a prepared one is still prepared). Fix the "
                 "problem named above and run "
              << again << ", or undo prepare with " << FleetCommandLine("rollback", options.common)
              << "\n";
    return code;
  }
  size_t to_pivot = 0;
  for (const DatabaseResult& r : dry) to_pivot += r.outcome == "dry run ok";
  if (to_pivot == 0) {
    if (json) return Summarize(dry, again, "final");
    std::cout << "Nothing to finalize: no database is waiting for its pivot.\n";
    return 0;
  }

  RATCHET_FAULT_POINT("finalize.dry-run-done");
  if (!json) {
    std::cout << fmt::format(
        "Finalize, step 2 of 2: the point of no return. Pivoting {} "
        "database(s); from the first pivot the only way is forward.\n",
        to_pivot);
  }
  auto pivots = RunOnEach(
      *targets, options.common.jobs, [&](const Target& target, std::ostream& out, bool live) {
        DatabaseResult r = OnDatabase(sets, target, out, live,
                                      [&](Connection& c, const UpgradeSet& s, std::ostream& o,
                                          bool l) { return Pivot(c, s, upgrade, o, l); });
        r.stage = "pivot";
        return r;
      });
  code = Summarize(pivots, again, "final");
  if (json) return code;
  if (code != 0) {
    std::cerr << "Some databases did not pivot. Run finalize again to complete them (databases "
                 "that pivoted are skipped): "
              << again << "\n";
    return code;
  }
  std::cout << "Finalize complete: every database has pivoted.\n";
  return 0;
}

}  // namespace

void SetupFinalizeCommand(CLI::App& app, Runner* run) {
  auto options = std::make_shared<FinalizeCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "finalize",
      "online upgrade, part 2: dry run on every database, then pivot each one atomically "
      "(finalize sections + bookkeeping); retry-safe");
  AddCommonOptions(cmd, &options->common);
  AddTargetOptions(cmd, &options->common);
  AddJsonFlag(cmd);
  cmd->callback([options, run] { *run = [options] { return RunFinalize(*options); }; });
}

const CommandRegistration kFinalizeRegistered(50, SetupFinalizeCommand);

}  // namespace ratchet::tool
