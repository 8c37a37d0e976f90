// `prepare` (the online path's first phase): every pending item's prepare
// section, recorded prepared, while the old application runs. Checks first
// when asked, and optionally freezes DDL. Never runs a finalize section.
#include <fmt/format.h>

#include "engine/engine_driver.h"
#include "ratchet/online.h"
#include "run/item_loop.h"
#include "run/item_runner.h"
#include "run/online_items.h"
#include "run/pre_checks.h"
#include "run/run_context.h"
#include "run/transaction.h"
#include "util/clock.h"

namespace ratchet {

Result<PrepareSummary> PrepareItems(Connection& conn, const UpgradeSet& set,
                                    const PrepareOptions& options, Reporter* reporter) {
  const RunStates& states = StatesOf(RunKind::kPrepare);
  RunContext run(conn, set, reporter);
  PlanOptions plan_options;
  plan_options.target = options.upgrade.target;
  RATCHET_RETURN_IF_ERROR(OpenRun(run, options.upgrade.lock_wait, OpenMode::kRead));
  // The checks come first, as in upgrade, and write nothing: only after
  // them is the bookkeeping created, or brought to the current format.
  RATCHET_RETURN_IF_ERROR(
      RunPreChecks(run, MakePlan(set, conn.kind(), run.recorded, plan_options), options.upgrade));
  if (run.format != kBookkeepingFormat) {
    RATCHET_RETURN_IF_ERROR(run.books.Ensure());
    RATCHET_RETURN_IF_ERROR(ReadRecorded(run));
  }
  RATCHET_RETURN_IF_ERROR(MayStart(RunKind::kPrepare, run.state.status, conn.display_name()));

  Plan plan = MakePlan(set, conn.kind(), run.recorded, plan_options);
  RATCHET_RETURN_IF_ERROR(RefuseProblems(conn, plan, options.upgrade.allow_unknown));
  auto prepared = PreparedItems(conn, set, run.recorded);
  if (!prepared.ok()) return prepared.status();
  RATCHET_RETURN_IF_ERROR(RefuseUnfitForOnline(plan.pending));

  PrepareSummary summary;
  summary.already_prepared = prepared->size();
  const bool resuming = IsOnline(run.state.status);
  if (plan.pending.size() == prepared->size() && !resuming) return summary;  // nothing to do

  const std::string interrupted = InterruptedItem(run.state, states.failed);
  StateRow& state = run.state;
  if (!resuming) {
    state.upgrade_id = NewUpgradeId();
    state.from_release = CurrentRelease(set, conn.kind(), run.recorded);
    state.to_release = TargetRelease(set, options.upgrade.target);
    state.started_at = NowUtc();
    state.pivoted = false;
    state.prepared_at.clear();
    state.finalized_at.clear();
  }
  if (options.freeze) {
    Status frozen = FreezeDdl(conn, state.upgrade_id);
    const EngineDriver& driver = DriverFor(conn.kind());
    if (frozen.code() == Code::kInvalidArgument && driver.ddl_freeze() == nullptr) {
      run.reporter.Note(
          fmt::format("--freeze does not apply to {}: it cannot block another process's "
                      "DDL; keep schema changes out of the application until finalize",
                      driver.title()));
    } else if (!frozen.ok()) {
      return frozen;
    } else {
      summary.froze = true;
      run.reporter.Note(
          "DDL frozen: other sessions' schema changes are refused until finalize "
          "or rollback");
    }
  }
  state.status = *states.running;
  // A journaled item left partly prepared stays in flight until it runs
  // again, so a crash before then still leads rollback or the next run to it.
  state.in_flight = StillInFlight(plan, interrupted, ItemLoopStep::kPrepare);
  state.error.reset();
  // As in upgrade: SQLite's steps share transactions; PostgreSQL's commit
  // without waiting for the disk until the closing write.
  const Timeouts project_timeouts{set.project.lock_timeout, set.project.statement_timeout};
  RATCHET_RETURN_IF_ERROR(conn.SetTimeouts(project_timeouts));  // as upgrade
  TransactionGroup group(conn, GroupsItems(conn, set), &run.reporter,
                         {set.project.sqlite_commit_interval});
  RATCHET_RETURN_IF_ERROR(group.Run([&]() -> Status {
    return run.books.RecordState(state, resuming ? "prepare-resumed" : "prepare-started",
                                 fmt::format("{} pending item(s), {} already prepared",
                                             plan.pending.size(), prepared->size()));
  }));
  RATCHET_RETURN_IF_ERROR(group.Commit());  // as in upgrade: status can name a stopped run

  ItemRunner runner(conn, set, run.books, state, options.upgrade, &run.reporter);
  runner.set_interrupted(interrupted);
  runner.set_session_timeouts(project_timeouts);
  UpgradeSummary items;
  RATCHET_RETURN_IF_ERROR(
      RunPendingItems(run, plan, ItemLoopStep::kPrepare, runner, group, &items));
  summary.prepared = items.applied;
  summary.failed_optional = items.failed_optional;
  summary.skipped = items.skipped;

  state.status = states.done;
  state.prepared_at = NowUtc();
  state.in_flight.clear();
  state.error.reset();
  RATCHET_RETURN_IF_ERROR(group.RunDurable([&]() -> Status {
    return run.books.RecordState(
        state, "prepare-done",
        fmt::format("{} prepared, {} optional failed, {} skipped", summary.prepared,
                    summary.failed_optional, summary.skipped));
  }));
  return summary;
}

}  // namespace ratchet
