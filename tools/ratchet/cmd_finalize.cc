// `ratchet finalize`: the second half of an online upgrade, over every
// database at once (FinalizeDatabases: a dry run on every database first;
// only if all of them pass does any database pivot), and how it is printed.
#include <fmt/format.h>

#include <iostream>

#include "common.h"
#include "fleet.h"
#include "json_output.h"
#include "ratchet/fleet.h"

namespace ratchet::tool {
namespace {

struct FinalizeCommandOptions {
  CommonOptions common;
};

// Prints finalize as it goes: a banner per step, each database's lines and
// what went wrong on it, and the dry run's summary before any pivot.
class FinalizePrinter : public FleetPrinter {
 public:
  FinalizePrinter(const std::vector<Target>& targets, std::string again)
      : FleetPrinter(targets), again_(std::move(again)) {}

  void StepStarted(FleetStep step, size_t databases) override {
    if (!JsonMode()) std::cout << Banner(step, databases);
    Begin();
  }

  void StepFinished(FleetStep step, const std::vector<DatabaseResult>& results) override {
    End();
    if (step != FleetStep::kPivot) Summarize(results, again_, "dry-run");
  }

  void DatabaseFinished(size_t index, const DatabaseResult& r) override {
    std::ostream& out = Out(index);
    std::ostream& err = ErrorStream(out);
    switch (r.outcome) {
      case DatabaseOutcome::kFailed:
        err << "ratchet: error: " << r.error.message() << "\n";
        break;
      case DatabaseOutcome::kDryRunFailed:
        err << "ratchet: error: dry run failed on " << r.database << ": " << r.error.message()
            << "\n";
        if (const DbError* e = r.error.db_error(); e && !e->statement.empty()) {
          err << "  statement: " << e->statement.substr(0, 400) << "\n";
        }
        break;
      case DatabaseOutcome::kPivotRefused:
      case DatabaseOutcome::kPivotFailed:
        err << "ratchet: error: pivot failed on " << r.database << ": " << r.error.message() << "\n"
            << (r.outcome == DatabaseOutcome::kPivotRefused
                    ? "Nothing was changed on this database.\n"
                    : "Nothing of this database's pivot was committed; it is still prepared.\n");
        break;
      case DatabaseOutcome::kPivoted:
        out << fmt::format("pivoted database '{}'\n", r.database);
        break;
      default:
        break;
    }
    FleetPrinter::DatabaseFinished(index, r);
  }

 protected:
  bool ShowsOutput(const DatabaseResult& r) const override {
    return r.outcome == DatabaseOutcome::kPivoted;
  }

 private:
  static std::string Banner(FleetStep step, size_t databases) {
    switch (step) {
      case FleetStep::kCheckReady:
        return "Finalize, step 1 of 2: one database: checking that it is ready (no separate "
               "dry run: its pivot commits every finalize section with the bookkeeping, or "
               "nothing)\n";
      case FleetStep::kDryRun:
        return fmt::format(
            "Finalize, step 1 of 2: dry run on {} database(s): every finalize "
            "section runs in a transaction that is rolled back\n",
            databases);
      case FleetStep::kPivot:
        return fmt::format(
            "Finalize, step 2 of 2: the point of no return. Pivoting {} "
            "database(s); from the first pivot the only way is forward.\n",
            databases);
    }
    return "";
  }

  std::string again_;
};

int RunFinalize(const FinalizeCommandOptions& options) {
  auto wait = LockWait(options.common);
  if (!wait.ok()) return ReportError(wait.status());
  SetCache sets(options.common.set_dir);
  auto targets = TargetsAndSets(options.common, sets);
  if (!targets.ok()) return ReportError(targets.status());
  FinalizeOptions finalize;
  finalize.upgrade.lock_wait = *wait;
  finalize.jobs = options.common.jobs;
  const std::string again = FleetCommandLine("finalize", options.common);

  FinalizePrinter printer(*targets, again);
  FinalizeResult result = FinalizeDatabases(*targets, sets, finalize, &printer);
  const bool json = JsonMode();
  if (result.pivots.empty()) {
    const int code = SummarizeResults(result.dry_run).exit_code;
    if (json) {
      Summarize(result.dry_run, again, "final");
      return code;
    }
    if (code != 0) {
      std::cerr << "Finalize stopped before any pivot: nothing was changed on any database, "
                   "and each stands where it stood (a prepared one is still prepared). Fix the "
                   "problem named above and run "
                << again << ", or undo prepare with "
                << FleetCommandLine("rollback", options.common) << "\n";
      return code;
    }
    std::cout << "Nothing to finalize: no database is waiting for its pivot.\n";
    return 0;
  }
  const int code = Summarize(result.pivots, again, "final");
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
