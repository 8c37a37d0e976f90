// `finalize` on one database: whether it is ready, the dry run (every
// finalize section in a transaction that is rolled back), and the pivot:
// the point of no return, one transaction that applies the prepared items.
#include <fmt/format.h>

#include <functional>

#include "ratchet/online.h"
#include "run/item_runner.h"
#include "run/online_items.h"
#include "run/run_context.h"
#include "run/transaction.h"
#include "util/clock.h"
#include "util/fault.h"

namespace ratchet {
namespace {

// Runs the finalize sections of `items` in the open transaction, calling
// `after_each` (if set) after each item's.
Status RunFinalizeSections(Connection& conn, const UpgradeSet& set,
                           const std::vector<const Item*>& items, ItemRunner& runner,
                           const std::function<Status(const Item&)>& after_each) {
  for (const Item* item : items) {
    RATCHET_RETURN_IF_ERROR(UseTimeoutsOf(conn, set, *item));
    if (const Section* finalize = item->section(SectionKind::kFinalize)) {
      RATCHET_RETURN_IF_ERROR(runner.RunSection(*item, *finalize));
    }
    if (after_each) RATCHET_RETURN_IF_ERROR(after_each(*item));
  }
  return Status::Ok();
}

// Where the database `run` has read stands for finalize.
Result<FinalizeReadiness> Readiness(const RunContext& run, const std::optional<Version>& target) {
  PlanOptions up_to;
  up_to.target = target;
  const std::string& db = run.conn.display_name();
  if (run.format == 0) {
    if (MakePlan(run.set, run.conn.kind(), {}, up_to).pending.empty()) {
      return FinalizeReadiness::kUpToDate;
    }
    return Status(Code::kRefused, fmt::format("{}: not prepared: ratchet has not run here; run "
                                              "'ratchet prepare' first",
                                              db));
  }
  RATCHET_RETURN_IF_ERROR(MayStart(RunKind::kFinalize, run.state.status, db));
  if (run.state.status == DbState::kPrepared) {
    auto prepared = PreparedItems(run.conn, run.set, run.recorded);
    if (!prepared.ok()) return prepared.status();
    return FinalizeReadiness::kPrepared;
  }
  Plan plan = MakePlan(run.set, run.conn.kind(), run.recorded, up_to);
  if (!plan.pending.empty()) {
    return Status(Code::kRefused,
                  fmt::format("{}: not prepared: {} item(s) pending; run 'ratchet prepare' first",
                              db, plan.pending.size()));
  }
  return run.state.pivoted ? FinalizeReadiness::kAlreadyPivoted : FinalizeReadiness::kUpToDate;
}

// Records why a pivot failed, so that status shows why finalize stopped.
// Nothing else committed: the database is still prepared.
void RecordPivotFailure(RunContext& run, const Status& s) {
  StateRow failed = run.state;
  RecordedError e;
  e.message = s.message();
  e.at = NowUtc();
  if (const DbError* db = s.db_error()) {
    e.file = db->file;
    e.line = db->line;
    e.column = db->column;
    e.sqlstate = db->sqlstate;
    e.statement = db->statement.substr(0, 4000);
    e.message = db->message;
  }
  failed.error = e;
  RunInTransaction(run.conn, [&]() -> Status {
    return run.books.RecordState(failed, "finalize-failed", s.message());
  });
}

}  // namespace

Result<FinalizeReadiness> CheckFinalizeReady(Connection& conn, const UpgradeSet& set,
                                             const std::optional<Version>& target) {
  RunContext run(conn, set, nullptr);
  RATCHET_RETURN_IF_ERROR(ReadRecorded(run));
  return Readiness(run, target);
}

Status DryRunFinalize(Connection& conn, const UpgradeSet& set, const UpgradeOptions& options,
                      Reporter* reporter) {
  RunContext run(conn, set, reporter);
  RATCHET_RETURN_IF_ERROR(OpenRun(run, options.lock_wait, OpenMode::kRead));
  auto ready = Readiness(run, options.target);
  if (!ready.ok()) return ready.status();
  if (*ready != FinalizeReadiness::kPrepared) return Status::Ok();
  auto items = PreparedItems(conn, set, run.recorded);
  if (!items.ok()) return items.status();
  ItemRunner runner(conn, set, run.books, run.state, options, &run.reporter);
  // Everything runs in a transaction that is always rolled back: the dry
  // run takes the pivot's locks briefly and leaves nothing behind.
  return RetryOnLockTimeout("finalize dry run", options, &run.reporter, [&]() -> Status {
    RATCHET_RETURN_IF_ERROR(conn.Begin());
    Status ran = RunFinalizeSections(conn, set, *items, runner, nullptr);
    conn.Rollback();
    return ran;
  });
}

Result<PivotSummary> PivotDatabase(Connection& conn, const UpgradeSet& set,
                                   const UpgradeOptions& options, Reporter* reporter) {
  const RunStates& states = StatesOf(RunKind::kFinalize);
  RunContext run(conn, set, reporter);
  RATCHET_RETURN_IF_ERROR(OpenRun(run, options.lock_wait, OpenMode::kRead));
  auto ready = Readiness(run, options.target);
  if (!ready.ok()) return ready.status();
  PivotSummary summary;
  if (*ready != FinalizeReadiness::kPrepared) return summary;
  auto items = PreparedItems(conn, set, run.recorded);
  if (!items.ok()) return items.status();

  // The release the database reaches once the prepared items are applied.
  std::vector<AppliedItem> after = run.recorded;
  for (AppliedItem& a : after) {
    if (a.phase == Phase::kPrepared) a.phase = Phase::kApplied;
  }
  const std::string& upgrade_id = run.state.upgrade_id;
  StateRow pivoted = run.state;
  pivoted.status = states.done;
  pivoted.pivoted = true;
  pivoted.finalized_at = NowUtc();
  pivoted.in_flight.clear();
  pivoted.error.reset();
  pivoted.to_release = CurrentRelease(set, conn.kind(), after);
  ItemRunner runner(conn, set, run.books, run.state, options, &run.reporter);
  // The point of no return: finalize sections, the items' rows, the pivot
  // mark and the end of the freeze commit together or not at all.
  Status s = RetryOnLockTimeout("finalize", options, &run.reporter, [&]() -> Status {
    return RunInTransaction(conn, [&]() -> Status {
      RATCHET_RETURN_IF_ERROR(
          RunFinalizeSections(conn, set, *items, runner, [&](const Item& item) -> Status {
            RATCHET_RETURN_IF_ERROR(run.books.MarkApplied(item.version, upgrade_id));
            return run.books.AddEvent(upgrade_id, "item-finalized", item.version.ToString(),
                                      item.checksum);
          }));
      RATCHET_RETURN_IF_ERROR(ThawDdl(conn));
      return run.books.RecordState(pivoted, "pivoted",
                                   fmt::format("{} item(s) finalized", items->size()));
    });
  });
  if (!s.ok()) {
    RecordPivotFailure(run, s);
    return s;
  }
  RATCHET_FAULT_POINT("pivot.committed");
  summary.finalized = items->size();
  summary.pivoted = true;
  summary.release = pivoted.to_release;
  return summary;
}

}  // namespace ratchet
