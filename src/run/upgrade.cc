// `upgrade`: lock, checks, refusals and bookkeeping, then each pending item
// atomically with its bookkeeping row, then the closing write.
#include <fmt/format.h>

#include <algorithm>
#include <deque>

#include "ratchet/online.h"
#include "ratchet/runner.h"
#include "run/item_loop.h"
#include "run/item_runner.h"
#include "run/pre_checks.h"
#include "run/run_context.h"
#include "run/transaction.h"
#include "util/clock.h"

namespace ratchet {

namespace {

// What the bookkeeping holds once `summary`'s items are applied, from what
// the run did rather than read back, so that a preview (PreviewUpgrade),
// which writes nothing, reaches the same release as the run.
std::vector<AppliedItem> RecordedAfter(const std::vector<AppliedItem>& before, const Plan& plan,
                                       const UpgradeSummary& summary) {
  std::vector<AppliedItem> after = before;
  for (const Item* item : plan.pending) {
    if (std::find(summary.applied_versions.begin(), summary.applied_versions.end(),
                  item->version) == summary.applied_versions.end()) {
      continue;
    }
    auto row = std::find_if(after.begin(), after.end(),
                            [&](const AppliedItem& a) { return a.version == item->version; });
    if (row == after.end()) row = after.insert(after.end(), AppliedItem{});
    row->version = item->version;
    row->description = item->description;
    row->checksum = item->checksum;
    row->phase = Phase::kApplied;
  }
  return after;
}

}  // namespace

Result<UpgradeSummary> Upgrade(Connection& conn, const UpgradeSet& set,
                               const UpgradeOptions& options, Reporter* reporter) {
  const RunStates& states = StatesOf(RunKind::kUpgrade);
  RunContext run(conn, set, reporter);
  // A database without bookkeeping has nothing applied; its tables are only
  // created once the pending items have parsed.
  RATCHET_RETURN_IF_ERROR(OpenRun(run, options.lock_wait, OpenMode::kRead));
  PlanOptions plan_options;
  plan_options.target = options.target;
  Plan plan = MakePlan(set, conn.kind(), run.recorded, plan_options);
  // The checks come first: their report is what an operator fixes before
  // anything else, and they write nothing, not even the bookkeeping.
  RATCHET_RETURN_IF_ERROR(RunPreChecks(run, plan, options));
  RATCHET_RETURN_IF_ERROR(MayStart(RunKind::kUpgrade, run.state.status, conn.display_name()));
  RATCHET_RETURN_IF_ERROR(RefuseProblems(conn, plan, options.allow_unknown));
  // Only what runs is parsed (a set loaded with defer_parse), and a bad item
  // stops the run before anything is written.
  std::deque<Item> parsed;
  RATCHET_RETURN_IF_ERROR(ParseDeferredItems(conn.kind(), &plan.pending, &parsed));
  // ratchet's own writes wait for a lock no longer than its items do, so
  // that it never sits in a lock queue with the application behind it; they
  // are retried like the items' (TransactionGroup::Commit).
  const Timeouts project_timeouts{set.project.lock_timeout, set.project.statement_timeout};
  if (!plan.pending.empty()) RATCHET_RETURN_IF_ERROR(conn.SetTimeouts(project_timeouts));
  // SQLite: the run's writes share transactions, a few per second, each
  // step under a savepoint (TransactionGroup); PostgreSQL: each commits
  // without waiting for the disk until the closing write.
  TransactionGroup group(conn, GroupsItems(conn, set) && !plan.pending.empty(), reporter,
                         {set.project.sqlite_commit_interval});
  // Creates the tables, or brings an older format up to date.
  RATCHET_RETURN_IF_ERROR(run.books.Ensure(&group));

  UpgradeSummary summary;
  summary.covered = plan.covered.size();
  if (plan.pending.empty()) {
    summary.release = CurrentRelease(set, conn.kind(), run.recorded);
    if (run.state.status != *states.running) return summary;
    // An earlier run stopped after its last item, before recording its end.
    StateRow done = run.state;
    done.status = states.done;
    done.to_release = summary.release;
    done.in_flight.clear();
    done.error.reset();
    RATCHET_RETURN_IF_ERROR(RunInTransaction(conn, [&]() -> Status {
      return run.books.RecordState(done, "upgrade-done", "recorded by a later run");
    }));
    return summary;
  }

  // Mark the run as started before the first item: a crash from here on
  // leaves state 'upgrading', which status reports with the next step.
  const std::string interrupted = InterruptedItem(run.state, states.failed);
  StateRow& state = run.state;
  state.status = *states.running;
  state.upgrade_id = NewUpgradeId();
  state.from_release = CurrentRelease(set, conn.kind(), run.recorded);
  state.to_release = TargetRelease(set, options.target);
  state.started_at = NowUtc();
  // A journaled item left unfinished stays in flight until it runs again:
  // a crash before then must still lead the next run to what it left behind.
  state.in_flight = StillInFlight(plan, interrupted, ItemLoopStep::kApply);
  state.pivoted = false;
  RATCHET_RETURN_IF_ERROR(group.Run([&]() -> Status {
    return run.books.RecordState(state, "upgrade-started",
                                 fmt::format("{} pending item(s)", plan.pending.size()));
  }));
  // Committed before the first item, so that a kill from here on leaves
  // 'upgrading' for status to name. (PostgreSQL does not wait for the disk
  // here: a server crash can lose the start only together with everything
  // the run did after it.)
  RATCHET_RETURN_IF_ERROR(group.Commit());

  ItemRunner runner(conn, set, run.books, state, options, &run.reporter);
  runner.set_interrupted(interrupted);
  runner.set_session_timeouts(project_timeouts);
  RATCHET_RETURN_IF_ERROR(
      RunPendingItems(run, plan, ItemLoopStep::kApply, runner, group, &summary));

  summary.release = CurrentRelease(set, conn.kind(), RecordedAfter(run.recorded, plan, summary));
  state.status = states.done;
  state.to_release = summary.release;
  // in_flight is left as the items left it: empty, or a journaled item this
  // run did not reach (--to), which is still unfinished.
  state.error.reset();
  // Synchronous: once it commits, every item of the run is durable.
  RATCHET_RETURN_IF_ERROR(group.RunDurable([&]() -> Status {
    return run.books.RecordState(
        state, "upgrade-done",
        fmt::format("{} applied, {} optional failed, {} skipped", summary.applied,
                    summary.failed_optional, summary.skipped));
  }));
  return summary;
}

}  // namespace ratchet
