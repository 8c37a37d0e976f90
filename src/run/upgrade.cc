// `upgrade`: lock, bookkeeping, refusals, then each pending item atomically
// with its bookkeeping row.
#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <set>
#include <thread>

#include "ratchet/online.h"
#include "ratchet/runner.h"
#include "run/bookkeeping.h"
#include "run/item_loop.h"
#include "run/item_runner.h"
#include "run/stopped_run.h"
#include "run/transaction.h"
#include "util/clock.h"

namespace ratchet {

Plan ItemsToStart(Plan plan, const std::vector<AppliedItem>& applied,
                  const std::string& in_flight) {
  auto started_before = [&](const Item* item) {
    if (item->version.ToString() == in_flight) return true;
    return std::any_of(applied.begin(), applied.end(), [&](const AppliedItem& a) {
      return a.version == item->version && a.phase == Phase::kPrepared;
    });
  };
  plan.pending.erase(std::remove_if(plan.pending.begin(), plan.pending.end(), started_before),
                     plan.pending.end());
  return plan;
}

namespace {

// A read that found the database busy (SQLite: another process holds the
// file's write lock): when it is a ratchet run, its upgrade lock names it.
Status BusyReading(Connection& conn, const Status& read) {
  const DbError* e = read.db_error();
  if (e == nullptr || e->sqlstate != "SQLITE_BUSY") return read;
  Status lock = conn.AcquireUpgradeLock(std::chrono::milliseconds(0));
  if (lock.ok()) {
    conn.ReleaseUpgradeLock();
    return Status(Code::kLockBusy,
                  fmt::format("{}: the file is busy: another process (not ratchet) is writing "
                              "it; run status again when it is done",
                              conn.display_name()));
  }
  if (lock.code() != Code::kLockBusy) return read;
  return Status(Code::kLockBusy, fmt::format("status: upgrading now, and the file is busy "
                                             "with it: {}",
                                             lock.message()));
}

}  // namespace

Result<DatabaseStatus> ReadStatus(Connection& conn, const UpgradeSet& set) {
  DatabaseStatus out;
  out.database = conn.display_name();
  out.engine = conn.kind();
  Bookkeeping books(conn);
  auto format = books.Format();
  if (!format.ok()) return BusyReading(conn, format.status());
  out.initialized = *format != 0;
  out.bookkeeping_format = *format;
  StateRow state_row;
  if (out.initialized) {
    auto items = books.ReadItems();
    if (!items.ok()) return BusyReading(conn, items.status());
    auto state = books.ReadState();
    if (!state.ok()) return BusyReading(conn, state.status());
    state_row = *state;
    out.applied = std::move(*items);
    out.status = state->status;
    out.upgrade_id = state->upgrade_id;
    out.updated_at = state->updated_at;
    out.in_flight = state->in_flight;
    out.last_error = state->error;
    out.pivoted = state->pivoted;
    out.prepared_at = state->prepared_at;
    out.finalized_at = state->finalized_at;
  }
  auto freeze = ReadFreeze(conn);
  if (!freeze.ok()) return freeze.status();
  if (*freeze) {
    out.frozen_since = (*freeze)->since;
    out.frozen_by = (*freeze)->upgrade_id;
  }
  out.plan = MakePlan(set, conn.kind(), out.applied);
  out.release = CurrentRelease(set, conn.kind(), out.applied);
  if (out.initialized) {
    auto stopped = FindStoppedRun(conn, set, state_row, out.plan, out.applied);
    if (!stopped.ok()) return stopped.status();
    out.stopped = std::move(*stopped);
  }
  return out;
}

Result<UpgradeSummary> Upgrade(Connection& conn, const UpgradeSet& set,
                               const UpgradeOptions& options, Reporter* reporter) {
  Reporter quiet;
  if (!reporter) reporter = &quiet;
  RATCHET_RETURN_IF_ERROR(conn.AcquireUpgradeLock(options.lock_wait));
  Bookkeeping books(conn);
  // A database without bookkeeping has nothing applied; its tables are only
  // created once the pending items have parsed.
  auto format = books.Format();
  if (!format.ok()) return format.status();
  Result<std::vector<AppliedItem>> applied = std::vector<AppliedItem>{};
  Result<StateRow> state = StateRow{};
  if (*format != 0) {
    applied = books.ReadItems();
    if (!applied.ok()) return applied.status();
    state = books.ReadState();
    if (!state.ok()) return state.status();
  }
  PlanOptions plan_options;
  plan_options.target = options.target;
  Plan plan = MakePlan(set, conn.kind(), *applied, plan_options);
  // The checks come first, as when the tool ran them before the run: their
  // report is what an operator fixes before anything else.
  if (options.check_pending && !plan.pending.empty()) {
    Plan starting = ItemsToStart(plan, *applied, state->in_flight);
    if (!starting.pending.empty()) RATCHET_RETURN_IF_ERROR(options.check_pending(starting));
  }
  RATCHET_RETURN_IF_ERROR(RefuseBusyState(conn, *state, "upgrade"));
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
  RATCHET_RETURN_IF_ERROR(books.Ensure(&group));

  UpgradeSummary summary;
  summary.covered = plan.covered.size();
  if (plan.pending.empty()) {
    summary.release = CurrentRelease(set, conn.kind(), *applied);
    if (state->status != "upgrading") return summary;
    // An earlier run stopped after its last item, before recording its end.
    StateRow done = *state;
    done.status = "active";
    done.to_release = summary.release;
    done.in_flight.clear();
    done.error.reset();
    RATCHET_RETURN_IF_ERROR(RunInTransaction(conn, [&]() -> Status {
      RATCHET_RETURN_IF_ERROR(books.WriteState(done));
      return books.AddEvent(done.upgrade_id, "upgrade-done", "", "recorded by a later run");
    }));
    return summary;
  }

  // Mark the run as started before the first item: a crash from here on
  // leaves state 'upgrading', which status reports with the next step.
  StateRow run_state = *state;
  run_state.status = "upgrading";
  run_state.upgrade_id = NewUpgradeId();
  run_state.from_release = CurrentRelease(set, conn.kind(), *applied);
  run_state.to_release = TargetRelease(set, options.target);
  run_state.started_at = NowUtc();
  // The item an earlier run left unfinished, if any, before it is forgotten.
  std::string interrupted = state->in_flight;
  if (interrupted.empty() && state->status == "failed-upgrade" && state->error) {
    interrupted = state->error->version;
  }
  // A journaled item left unfinished stays in flight until it runs again:
  // a crash before then must still lead the next run to what it left behind.
  run_state.in_flight.clear();
  run_state.pivoted = false;
  for (const Item* item : plan.pending) {  // parsed: RunsJournaled needs that
    if (item->version.ToString() == interrupted && RunsJournaled(*item)) {
      run_state.in_flight = interrupted;
    }
  }
  RATCHET_RETURN_IF_ERROR(group.Run([&]() -> Status {
    RATCHET_RETURN_IF_ERROR(books.WriteState(run_state));
    return books.AddEvent(run_state.upgrade_id, "upgrade-started", "",
                          fmt::format("{} pending item(s)", plan.pending.size()));
  }));
  // Committed before the first item, so that a kill from here on leaves
  // 'upgrading' for status to name. (PostgreSQL does not wait for the disk
  // here: a server crash can lose the start only together with everything
  // the run did after it.)
  RATCHET_RETURN_IF_ERROR(group.Commit());

  ItemRunner runner(conn, set, books, run_state, options, reporter);
  runner.set_interrupted(interrupted);
  runner.set_session_timeouts(project_timeouts);
  RATCHET_RETURN_IF_ERROR(RunPendingItems(plan, ItemLoopStep::kApply, runner, group, books,
                                          run_state, reporter, &summary));

  // What the bookkeeping now holds, from what the run did rather than read
  // back, so that a preview (PreviewUpgrade), which writes nothing, reaches
  // the same release as the run.
  std::vector<AppliedItem> after = *applied;
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
  summary.release = CurrentRelease(set, conn.kind(), after);
  run_state.status = "active";
  run_state.to_release = summary.release;
  // in_flight is left as the items left it: empty, or a journaled item this
  // run did not reach (--to), which is still unfinished.
  run_state.error.reset();
  // Synchronous: once it commits, every item of the run is durable.
  RATCHET_RETURN_IF_ERROR(group.RunDurable([&]() -> Status {
    RATCHET_RETURN_IF_ERROR(books.WriteState(run_state));
    return books.AddEvent(run_state.upgrade_id, "upgrade-done", "",
                          fmt::format("{} applied, {} optional failed, {} skipped", summary.applied,
                                      summary.failed_optional, summary.skipped));
  }));
  conn.ReleaseUpgradeLock();
  return summary;
}

Result<RepairSummary> Repair(Connection& conn, const UpgradeSet& set,
                             std::chrono::milliseconds lock_wait) {
  RATCHET_RETURN_IF_ERROR(conn.AcquireUpgradeLock(lock_wait));
  Bookkeeping books(conn);
  RATCHET_RETURN_IF_ERROR(books.Ensure());
  auto applied = books.ReadItems();
  if (!applied.ok()) return applied.status();
  auto state = books.ReadState();
  if (!state.ok()) return state.status();
  Plan plan = MakePlan(set, conn.kind(), *applied);
  RepairSummary summary;
  std::string upgrade_id = NewUpgradeId();
  auto run = [&]() -> Status {
    for (const Drift& d : plan.drift) {
      RATCHET_RETURN_IF_ERROR(books.UpdateChecksum(d.version, d.current_checksum));
      RATCHET_RETURN_IF_ERROR(books.AddEvent(
          upgrade_id, "repair-drift-accepted", d.version.ToString(),
          fmt::format("checksum {} -> {}", d.recorded_checksum, d.current_checksum)));
      summary.accepted_drift.push_back(d);
    }
    if (state->status == "failed-upgrade" || state->status == "upgrading") {
      StateRow cleared = *state;
      std::string was = state->status;
      cleared.status = "active";
      cleared.error.reset();
      cleared.in_flight.clear();
      RATCHET_RETURN_IF_ERROR(books.WriteState(cleared));
      RATCHET_RETURN_IF_ERROR(
          books.AddEvent(upgrade_id, "repair-state-cleared", "", "state was " + was));
      summary.cleared_failure = true;
    }
    return Status::Ok();
  };
  RATCHET_RETURN_IF_ERROR(RunInTransaction(conn, run));
  return summary;
}

Result<size_t> Baseline(Connection& conn, const UpgradeSet& set, const Version& head,
                        const std::string& release_name, std::chrono::milliseconds lock_wait) {
  RATCHET_RETURN_IF_ERROR(conn.AcquireUpgradeLock(lock_wait));
  Bookkeeping books(conn);
  RATCHET_RETURN_IF_ERROR(books.Ensure());
  auto applied = books.ReadItems();
  if (!applied.ok()) return applied.status();
  if (!applied->empty()) {
    return Status(Code::kRefused,
                  fmt::format("{}: already has {} item(s) recorded; baseline is for a database "
                              "that predates ratchet. Use 'ratchet status' to see where it is.",
                              conn.display_name(), applied->size()));
  }
  PlanOptions options;
  options.target = head;
  Plan plan = MakePlan(set, conn.kind(), {}, options);
  std::string upgrade_id = NewUpgradeId();
  auto run = [&]() -> Status {
    for (const Item* item : plan.pending) {
      RATCHET_RETURN_IF_ERROR(books.WriteItem(*item, Phase::kApplied, 0, upgrade_id, ""));
    }
    StateRow state;
    state.status = "active";
    state.upgrade_id = upgrade_id;
    state.to_release = release_name;
    RATCHET_RETURN_IF_ERROR(books.WriteState(state));
    return books.AddEvent(
        upgrade_id, "baseline", head.ToString(),
        fmt::format("marked {} item(s) applied for release {}", plan.pending.size(),
                    release_name.empty() ? head.ToString() : release_name));
  };
  RATCHET_RETURN_IF_ERROR(RunInTransaction(conn, run));
  return plan.pending.size();
}

}  // namespace ratchet
