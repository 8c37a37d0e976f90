// `finalize` across databases: a dry run on every database, then the pivots,
// only if every dry run passed.
#include <fmt/format.h>

#include "ratchet/fleet.h"
#include "ratchet/online.h"
#include "util/fault.h"

namespace ratchet {
namespace {

// One database's step of finalize: `targets[index]` opened on `conn`.
using DatabaseStep =
    std::function<DatabaseResult(Connection& conn, const UpgradeSet& set, Reporter* reporter)>;

// Opens `target` (a missing SQLite file is an error, not a new database)
// and runs `step` on it, its item progress going where `observer` says.
DatabaseResult OnDatabase(SetCache& sets, const Target& target, size_t index,
                          FleetObserver* observer, const DatabaseStep& step) {
  auto set = sets.For(target.kind);
  if (!set.ok()) return FailedResult(target.display, set.status());
  ConnectOptions connect;
  connect.history_schema = (*set)->project.history_schema;
  connect.create_if_missing = false;
  auto conn = Connect(target, connect);
  if (!conn.ok()) return FailedResult(target.display, conn.status());
  std::unique_ptr<Reporter> reporter =
      observer ? observer->ItemReporter(index, (*conn)->display_name()) : nullptr;
  return step(**conn, **set, reporter.get());
}

DatabaseResult Succeeded(const Connection& conn, DatabaseOutcome outcome, std::string label,
                         std::string detail) {
  DatabaseResult r;
  r.database = conn.display_name();
  r.outcome = outcome;
  r.label = std::move(label);
  r.detail = std::move(detail);
  return r;
}

DatabaseResult Failed(const Connection& conn, DatabaseOutcome outcome, const Status& status) {
  DatabaseResult r = FailedResult(conn.display_name(), status);
  r.outcome = outcome;
  return r;
}

// The dry run on one database, or with `check_only` only whether it is
// ready for its pivot. Changes nothing.
DatabaseResult DryRun(Connection& conn, const UpgradeSet& set, const UpgradeOptions& options,
                      bool check_only, Reporter* reporter) {
  auto ready = CheckFinalizeReady(conn, set, options.target);
  if (!ready.ok()) return FailedResult(conn.display_name(), ready.status());
  if (*ready == FinalizeReadiness::kAlreadyPivoted) {
    return Succeeded(conn, DatabaseOutcome::kPivotedEarlier, "pivoted", "pivoted earlier: skipped");
  }
  if (*ready == FinalizeReadiness::kUpToDate) {
    return Succeeded(conn, DatabaseOutcome::kUpToDate, "up to date",
                     "nothing prepared, nothing pending");
  }
  if (check_only) {
    return Succeeded(conn, DatabaseOutcome::kReadyToPivot, "dry run ok",
                     "prepared, ready for its pivot");
  }
  Status s = DryRunFinalize(conn, set, options, reporter);
  if (!s.ok()) return Failed(conn, DatabaseOutcome::kDryRunFailed, s);
  return Succeeded(conn, DatabaseOutcome::kReadyToPivot, "dry run ok",
                   "every finalize section ran and was rolled back");
}

// The pivot of one database: its point of no return.
DatabaseResult Pivot(Connection& conn, const UpgradeSet& set, const UpgradeOptions& options,
                     Reporter* reporter) {
  auto summary = PivotDatabase(conn, set, options, reporter);
  if (!summary.ok()) {
    // A refusal (not prepared, a rollback unfinished, the lock held)
    // changed nothing; a pivot that ran and failed committed nothing of it.
    const Code code = summary.status().code();
    const bool refused = code == Code::kRefused || code == Code::kLockBusy;
    return Failed(conn, refused ? DatabaseOutcome::kPivotRefused : DatabaseOutcome::kPivotFailed,
                  summary.status());
  }
  if (!summary->pivoted) {
    return Succeeded(conn, DatabaseOutcome::kPivotedEarlier, "pivoted", "pivoted earlier: skipped");
  }
  return Succeeded(conn, DatabaseOutcome::kPivoted, "pivoted",
                   fmt::format("{} item(s) finalized{}", summary->finalized,
                               summary->release.empty() ? "" : ", release " + summary->release));
}

// Runs `step` on every target as finalize step `which`, reporting it to
// `observer`; each result carries `stage`.
std::vector<DatabaseResult> RunStep(const std::vector<Target>& targets, SetCache& sets,
                                    const FinalizeOptions& options, FleetObserver* observer,
                                    FleetStep which, size_t databases, const std::string& stage,
                                    const DatabaseStep& step) {
  if (observer) observer->StepStarted(which, databases);
  auto results = ForEachDatabase(
      targets, options.jobs,
      [&](const Target& target, size_t index) {
        DatabaseResult r = OnDatabase(sets, target, index, observer, step);
        r.stage = stage;
        return r;
      },
      observer);
  if (observer) observer->StepFinished(which, results);
  return results;
}

}  // namespace

FinalizeResult FinalizeDatabases(const std::vector<Target>& targets, SetCache& sets,
                                 const FinalizeOptions& options, FleetObserver* observer) {
  FinalizeResult result;
  // With one database the pivot is its own dry run: its finalize sections
  // and bookkeeping commit together or not at all, so a separate dry run
  // would only take the same locks twice while the application waits.
  const bool one = targets.size() == 1;
  result.dry_run =
      RunStep(targets, sets, options, observer, one ? FleetStep::kCheckReady : FleetStep::kDryRun,
              targets.size(), "dry-run", [&](Connection& conn, const UpgradeSet& set, Reporter* r) {
                return DryRun(conn, set, options.upgrade, one, r);
              });
  // A failed dry run stops finalize before any pivot: nothing has changed
  // on any database, and each stands where it stood.
  for (const DatabaseResult& r : result.dry_run) {
    if (r.failed()) return result;
  }
  for (const DatabaseResult& r : result.dry_run) {
    result.to_pivot += r.outcome == DatabaseOutcome::kReadyToPivot;
  }
  if (result.to_pivot == 0) return result;

  RATCHET_FAULT_POINT("finalize.dry-run-done");
  // The point of no return: from the first pivot the only way is forward.
  // A database that does not pivot stays prepared, and finalize run again
  // pivots it, skipping those that did (invariant 5).
  result.pivots = RunStep(targets, sets, options, observer, FleetStep::kPivot, result.to_pivot,
                          "pivot", [&](Connection& conn, const UpgradeSet& set, Reporter* r) {
                            return Pivot(conn, set, options.upgrade, r);
                          });
  return result;
}

}  // namespace ratchet
