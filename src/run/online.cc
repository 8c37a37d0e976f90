// The online path on one database: prepare, the finalize dry run, the pivot,
// and rollback. The order of the states matters: active -> preparing ->
// prepared -> (pivot) active + pivoted; rollback leads from any state before
// the pivot back to active. The pivot is the point of no return.
#include "ratchet/online.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "run/bookkeeping.h"
#include "run/item_loop.h"
#include "run/item_runner.h"
#include "run/rollback_guard.h"
#include "run/transaction.h"
#include "util/clock.h"
#include "util/fault.h"

namespace ratchet {
namespace {

bool IsOnlineState(const std::string& status) {
  return status == "preparing" || status == "failed-prepare" || status == "prepared" ||
         status == "finalizing" || status == "rolling-back";
}

std::string Where(const Item& item, const Section& section, size_t offset) {
  int line = 0, column = 0;
  item.LineColumn(section.offset + offset, &line, &column);
  return fmt::format("items/{}:{}:{}", item.file_name, line, column);
}

// Everything that would make an item unfit for the online path, for every
// pending item, before anything runs: a finalize that cannot run inside the
// pivot's transaction, and a prepare that rollback could not undo.
Status RefuseUnfitForOnline(const std::vector<const Item*>& pending) {
  std::string problems;
  for (const Item* item : pending) {
    const Section* prepare = item->section(SectionKind::kPrepare);
    const Section* finalize = item->section(SectionKind::kFinalize);
    const Section* rollback = item->section(SectionKind::kRollback);
    if (finalize && !finalize->statements.empty()) {
      if (item->transaction == TransactionMode::kNone) {
        problems += fmt::format(
            "\n  {}: 'transaction none' cannot pivot: finalize runs inside one transaction; "
            "move the statements to the prepare section, or apply the item with "
            "'ratchet upgrade'",
            Where(*item, *finalize, 0));
      }
      for (const Statement& st : finalize->statements) {
        if (!st.non_transactional) continue;
        std::string text = finalize->text.substr(st.offset, std::min<size_t>(st.length, 60));
        problems += fmt::format(
            "\n  {}: '{}' cannot run inside the pivot's transaction; move it to the "
            "prepare section",
            Where(*item, *finalize, st.offset), text);
      }
    }
    if (prepare && !prepare->statements.empty() && !rollback) {
      problems += fmt::format(
          "\n  items/{}: has a prepare section but no rollback section; add "
          "'-- ratchet: rollback' with statements that undo prepare (they must also work when "
          "prepare stopped halfway)",
          item->file_name);
    }
  }
  if (problems.empty()) return Status::Ok();
  return Status(Code::kInvalidSet,
                "these items cannot take the online path (nothing was changed):" + problems);
}

// The set's items behind the rows in phase prepared, in version order;
// kRefused when one has left the set or its file changed since prepare.
Result<std::vector<const Item*>> PreparedItems(const Connection& conn, const UpgradeSet& set,
                                               const std::vector<AppliedItem>& recorded) {
  std::map<Version, const Item*> by_version;
  for (const Item* item : set.ItemsFor(conn.kind())) by_version[item->version] = item;
  std::vector<const Item*> out;
  std::string problems;
  for (const AppliedItem& a : recorded) {
    if (a.phase != Phase::kPrepared) continue;
    auto it = by_version.find(a.version);
    if (it == by_version.end()) {
      problems += fmt::format("\n  {} {} was prepared but is not in this set", a.version.ToString(),
                              a.description);
      continue;
    }
    if (it->second->checksum != a.checksum) {
      problems += fmt::format("\n  {} items/{} changed since it was prepared", a.version.ToString(),
                              it->second->file_name);
      continue;
    }
    out.push_back(it->second);
  }
  if (!problems.empty()) {
    return Status(Code::kRefused,
                  fmt::format("{}: the prepared items do not match this set:{}\nUse the set "
                              "that prepared them, or undo prepare with 'ratchet rollback'",
                              conn.display_name(), problems));
  }
  return out;
}

// Sets the item's lock and statement timeouts on the session.
Status UseTimeoutsOf(Connection& conn, const UpgradeSet& set, const Item& item) {
  Timeouts t;
  t.lock_timeout = item.lock_timeout.value_or(set.project.lock_timeout);
  t.statement_timeout = item.statement_timeout.value_or(set.project.statement_timeout);
  return conn.SetTimeouts(t);
}

// Runs the finalize sections of `items` in the open transaction.
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

}  // namespace

Result<PrepareSummary> PrepareItems(Connection& conn, const UpgradeSet& set,
                                    const PrepareOptions& options, Reporter* reporter) {
  Reporter quiet;
  if (!reporter) reporter = &quiet;
  RATCHET_RETURN_IF_ERROR(conn.AcquireUpgradeLock(options.upgrade.lock_wait));
  Bookkeeping books(conn);
  RATCHET_RETURN_IF_ERROR(books.Ensure());
  auto recorded = books.ReadItems();
  if (!recorded.ok()) return recorded.status();
  auto state = books.ReadState();
  if (!state.ok()) return state.status();
  RATCHET_RETURN_IF_ERROR(RefuseBusyState(conn, *state, "prepare"));

  PlanOptions plan_options;
  plan_options.target = options.upgrade.target;
  Plan plan = MakePlan(set, conn.kind(), *recorded, plan_options);
  RATCHET_RETURN_IF_ERROR(RefuseProblems(conn, plan, options.upgrade.allow_unknown));
  auto prepared = PreparedItems(conn, set, *recorded);
  if (!prepared.ok()) return prepared.status();
  RATCHET_RETURN_IF_ERROR(RefuseUnfitForOnline(plan.pending));

  PrepareSummary summary;
  summary.already_prepared = prepared->size();
  bool resuming = IsOnlineState(state->status);
  if (plan.pending.size() == prepared->size() && !resuming) {
    conn.ReleaseUpgradeLock();
    return summary;  // nothing pending: nothing to prepare
  }

  StateRow run_state = *state;
  if (!resuming) {
    run_state.upgrade_id = NewUpgradeId();
    run_state.from_release = CurrentRelease(set, conn.kind(), *recorded);
    run_state.to_release = TargetRelease(set, options.upgrade.target);
    run_state.started_at = NowUtc();
    run_state.pivoted = false;
    run_state.prepared_at.clear();
    run_state.finalized_at.clear();
  }
  if (options.freeze) {
    Status frozen = FreezeDdl(conn, run_state.upgrade_id);
    if (frozen.code() == Code::kInvalidArgument && conn.kind() == EngineKind::kSqlite) {
      reporter->Note(
          "--freeze does not apply to SQLite: it cannot block another process's "
          "DDL; keep schema changes out of the application until finalize");
    } else if (!frozen.ok()) {
      return frozen;
    } else {
      summary.froze = true;
      reporter->Note(
          "DDL frozen: other sessions' schema changes are refused until finalize "
          "or rollback");
    }
  }
  std::string interrupted = state->in_flight;
  if (interrupted.empty() && state->status == "failed-prepare" && state->error) {
    interrupted = state->error->version;
  }
  run_state.status = "preparing";
  // A journaled item left partly prepared stays in flight until it runs
  // again, so a crash before then still leads rollback or the next run to it.
  run_state.in_flight.clear();
  for (const Item* item : plan.pending) {  // parsed: RunsJournaled needs that
    if (item->version.ToString() == interrupted && RunsJournaled(*item, /*prepare_only=*/true)) {
      run_state.in_flight = interrupted;
    }
  }
  run_state.error.reset();
  // As in upgrade: SQLite's steps share transactions; PostgreSQL's commit
  // without waiting for the disk until the closing write.
  const Timeouts project_timeouts{set.project.lock_timeout, set.project.statement_timeout};
  RATCHET_RETURN_IF_ERROR(conn.SetTimeouts(project_timeouts));  // as upgrade
  TransactionGroup group(conn, GroupsItems(conn, set), reporter,
                         {set.project.sqlite_commit_interval});
  RATCHET_RETURN_IF_ERROR(group.Run([&]() -> Status {
    RATCHET_RETURN_IF_ERROR(books.WriteState(run_state));
    return books.AddEvent(run_state.upgrade_id, resuming ? "prepare-resumed" : "prepare-started",
                          "",
                          fmt::format("{} pending item(s), {} already prepared",
                                      plan.pending.size(), prepared->size()));
  }));
  RATCHET_RETURN_IF_ERROR(group.Commit());  // as in upgrade: status can name a stopped run

  ItemRunner runner(conn, set, books, run_state, options.upgrade, reporter);
  runner.set_interrupted(interrupted);
  runner.set_session_timeouts(project_timeouts);
  UpgradeSummary items;
  RATCHET_RETURN_IF_ERROR(RunPendingItems(plan, ItemLoopStep::kPrepare, runner, group, books,
                                          run_state, reporter, &items, *recorded));
  summary.prepared = items.applied;
  summary.failed_optional = items.failed_optional;
  summary.skipped = items.skipped;

  run_state.status = "prepared";
  run_state.prepared_at = NowUtc();
  run_state.in_flight.clear();
  run_state.error.reset();
  RATCHET_RETURN_IF_ERROR(group.RunDurable([&]() -> Status {
    RATCHET_RETURN_IF_ERROR(books.WriteState(run_state));
    return books.AddEvent(run_state.upgrade_id, "prepare-done", "",
                          fmt::format("{} prepared, {} optional failed, {} skipped",
                                      summary.prepared, summary.failed_optional, summary.skipped));
  }));
  conn.ReleaseUpgradeLock();
  return summary;
}

Result<FinalizeReadiness> CheckFinalizeReady(Connection& conn, const UpgradeSet& set,
                                             const std::optional<Version>& target) {
  PlanOptions up_to;
  up_to.target = target;
  Bookkeeping books(conn);
  auto format = books.Format();
  if (!format.ok()) return format.status();
  if (*format == 0) {
    if (MakePlan(set, conn.kind(), {}, up_to).pending.empty()) return FinalizeReadiness::kUpToDate;
    return Status(Code::kRefused, fmt::format("{}: not prepared: ratchet has not run here; run "
                                              "'ratchet prepare' first",
                                              conn.display_name()));
  }
  auto recorded = books.ReadItems();
  if (!recorded.ok()) return recorded.status();
  auto state = books.ReadState();
  if (!state.ok()) return state.status();
  const std::string& s = state->status;
  if (s == "prepared") {
    auto prepared = PreparedItems(conn, set, *recorded);
    if (!prepared.ok()) return prepared.status();
    return FinalizeReadiness::kPrepared;
  }
  if (s == "rolling-back") {
    return Status(Code::kRefused,
                  fmt::format("{}: a rollback did not finish here: run 'ratchet rollback' again "
                              "to complete it",
                              conn.display_name()));
  }
  if (s == "preparing" || s == "failed-prepare") {
    return Status(Code::kRefused,
                  fmt::format("{}: prepare did not finish here (status {}): run 'ratchet "
                              "prepare' again to complete it, or 'ratchet rollback' to undo it",
                              conn.display_name(), s));
  }
  if (s != "active") {
    return Status(Code::kRefused,
                  fmt::format("{}: status {}: finish the upgrade with 'ratchet upgrade' first",
                              conn.display_name(), s));
  }
  Plan plan = MakePlan(set, conn.kind(), *recorded, up_to);
  if (!plan.pending.empty()) {
    return Status(Code::kRefused,
                  fmt::format("{}: not prepared: {} item(s) pending; run 'ratchet prepare' first",
                              conn.display_name(), plan.pending.size()));
  }
  return state->pivoted ? FinalizeReadiness::kAlreadyPivoted : FinalizeReadiness::kUpToDate;
}

Status DryRunFinalize(Connection& conn, const UpgradeSet& set, const UpgradeOptions& options,
                      Reporter* reporter) {
  Reporter quiet;
  if (!reporter) reporter = &quiet;
  RATCHET_RETURN_IF_ERROR(conn.AcquireUpgradeLock(options.lock_wait));
  auto ready = CheckFinalizeReady(conn, set, options.target);
  if (!ready.ok()) return ready.status();
  if (*ready != FinalizeReadiness::kPrepared) return Status::Ok();
  Bookkeeping books(conn);
  auto recorded = books.ReadItems();
  if (!recorded.ok()) return recorded.status();
  auto state = books.ReadState();
  if (!state.ok()) return state.status();
  auto items = PreparedItems(conn, set, *recorded);
  if (!items.ok()) return items.status();
  ItemRunner runner(conn, set, books, *state, options, reporter);
  // Everything runs in a transaction that is always rolled back: the dry
  // run takes the pivot's locks briefly and leaves nothing behind.
  Status s = RetryOnLockTimeout("finalize dry run", options, reporter, [&]() -> Status {
    RATCHET_RETURN_IF_ERROR(conn.Begin());
    Status run = RunFinalizeSections(conn, set, *items, runner, nullptr);
    conn.Rollback();
    return run;
  });
  conn.ReleaseUpgradeLock();
  return s;
}

Result<PivotSummary> PivotDatabase(Connection& conn, const UpgradeSet& set,
                                   const UpgradeOptions& options, Reporter* reporter) {
  Reporter quiet;
  if (!reporter) reporter = &quiet;
  RATCHET_RETURN_IF_ERROR(conn.AcquireUpgradeLock(options.lock_wait));
  auto ready = CheckFinalizeReady(conn, set, options.target);
  if (!ready.ok()) return ready.status();
  PivotSummary summary;
  Bookkeeping books(conn);
  if (*ready != FinalizeReadiness::kPrepared) {
    conn.ReleaseUpgradeLock();
    return summary;
  }
  auto recorded = books.ReadItems();
  if (!recorded.ok()) return recorded.status();
  auto state = books.ReadState();
  if (!state.ok()) return state.status();
  auto items = PreparedItems(conn, set, *recorded);
  if (!items.ok()) return items.status();

  // The release the database reaches once the prepared items are applied.
  std::vector<AppliedItem> after = *recorded;
  for (AppliedItem& a : after) {
    if (a.phase == Phase::kPrepared) a.phase = Phase::kApplied;
  }
  StateRow pivoted = *state;
  pivoted.status = "active";
  pivoted.pivoted = true;
  pivoted.finalized_at = NowUtc();
  pivoted.in_flight.clear();
  pivoted.error.reset();
  pivoted.to_release = CurrentRelease(set, conn.kind(), after);
  ItemRunner runner(conn, set, books, *state, options, reporter);
  // The point of no return: finalize sections, the items' rows, the pivot
  // mark and the end of the freeze commit together or not at all.
  Status s = RetryOnLockTimeout("finalize", options, reporter, [&]() -> Status {
    return RunInTransaction(conn, [&]() -> Status {
      RATCHET_RETURN_IF_ERROR(
          RunFinalizeSections(conn, set, *items, runner, [&](const Item& item) -> Status {
            RATCHET_RETURN_IF_ERROR(books.MarkApplied(item.version, state->upgrade_id));
            return books.AddEvent(state->upgrade_id, "item-finalized", item.version.ToString(),
                                  item.checksum);
          }));
      RATCHET_RETURN_IF_ERROR(ThawDdl(conn));
      RATCHET_RETURN_IF_ERROR(books.WriteState(pivoted));
      return books.AddEvent(state->upgrade_id, "pivoted", "",
                            fmt::format("{} item(s) finalized", items->size()));
    });
  });
  if (!s.ok()) {
    // Nothing committed: the database is still prepared. Record the error so
    // status shows why finalize stopped.
    StateRow failed = *state;
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
    RunInTransaction(conn, [&]() -> Status {
      RATCHET_RETURN_IF_ERROR(books.WriteState(failed));
      return books.AddEvent(state->upgrade_id, "finalize-failed", "", s.message());
    });
    return s;
  }
  RATCHET_FAULT_POINT("pivot.committed");
  summary.finalized = items->size();
  summary.pivoted = true;
  summary.release = pivoted.to_release;
  conn.ReleaseUpgradeLock();
  return summary;
}

Result<RollbackSummary> RollBackPrepared(Connection& conn, const UpgradeSet& set,
                                         const UpgradeOptions& options, Reporter* reporter) {
  Reporter quiet;
  if (!reporter) reporter = &quiet;
  RATCHET_RETURN_IF_ERROR(conn.AcquireUpgradeLock(options.lock_wait));
  RollbackSummary summary;
  Bookkeeping books(conn);
  auto format = books.Format();
  if (!format.ok()) return format.status();
  if (*format == 0) {
    summary.nothing_to_do = true;
    return summary;
  }
  auto recorded = books.ReadItems();
  if (!recorded.ok()) return recorded.status();
  auto state = books.ReadState();
  if (!state.ok()) return state.status();
  bool any_prepared = std::any_of(recorded->begin(), recorded->end(),
                                  [](const AppliedItem& a) { return a.phase == Phase::kPrepared; });
  if (state->pivoted && !any_prepared && !IsOnlineState(state->status)) {
    return Status(
        Code::kRefused,
        fmt::format("{}: has pivoted (finalize committed at {}); rollback cannot undo "
                    "a pivot. The only way from here is forward: fix it with a new item.",
                    conn.display_name(),
                    state->finalized_at.empty() ? "an earlier run" : state->finalized_at));
  }
  if (!any_prepared && !IsOnlineState(state->status)) {
    summary.nothing_to_do = true;
    conn.ReleaseUpgradeLock();
    return summary;
  }

  // What to undo: every prepared item, and the one a crash (journaled, in
  // flight) or a failure left partly prepared; newest first.
  std::map<Version, const Item*> by_version;
  for (const Item* item : set.ItemsFor(conn.kind())) by_version[item->version] = item;
  std::map<Version, const Item*, std::greater<Version>> undo;
  std::string missing;
  auto add = [&](const std::string& version_text) {
    auto v = Version::Parse(version_text);
    if (!v) return;
    auto it = by_version.find(*v);
    if (it == by_version.end()) {
      missing += fmt::format("\n  {} is not in this set", version_text);
      return;
    }
    undo[*v] = it->second;
  };
  for (const AppliedItem& a : *recorded) {
    if (a.phase == Phase::kPrepared) add(a.version.ToString());
  }
  if (!state->in_flight.empty()) add(state->in_flight);
  if (state->status == "failed-prepare" && state->error) add(state->error->version);
  if (!missing.empty()) {
    return Status(Code::kRefused,
                  fmt::format("{}: cannot roll back items whose files are gone:{}\nUse the set "
                              "that prepared them",
                              conn.display_name(), missing));
  }
  std::vector<const Item*> items;
  for (const auto& [v, item] : undo) items.push_back(item);
  if (conn.kind() == EngineKind::kPostgres) {
    RATCHET_RETURN_IF_ERROR(RefuseOutsideDependents(conn, items));
  }

  // From here until it ends the state says rolling-back, so that after a
  // crash status names rollback as the way on, and finalize refuses.
  StateRow run_state = *state;
  run_state.status = "rolling-back";
  ItemRunner runner(conn, set, books, run_state, options, reporter);
  RATCHET_RETURN_IF_ERROR(RunInTransaction(conn, [&]() -> Status {
    RATCHET_RETURN_IF_ERROR(books.WriteState(run_state));
    return books.AddEvent(state->upgrade_id, "rollback-started", "",
                          fmt::format("{} item(s) to undo", items.size()));
  }));
  for (size_t i = 0; i < items.size(); ++i) {
    const Item& item = *items[i];
    reporter->ItemStarted(item, i + 1, items.size());
    auto started = std::chrono::steady_clock::now();
    const Section* rollback = item.section(SectionKind::kRollback);
    bool outside =
        rollback && (item.transaction == TransactionMode::kNone ||
                     std::any_of(rollback->statements.begin(), rollback->statements.end(),
                                 [](const Statement& st) { return st.non_transactional; }));
    // A rollback section must work on a partly prepared database, so it is
    // safe to run again: the row goes only after the section succeeded.
    Status s = RetryOnLockTimeout(item.version.ToString(), options, reporter, [&]() -> Status {
      if (rollback && outside) RATCHET_RETURN_IF_ERROR(runner.RunSection(item, *rollback));
      return RunInTransaction(conn, [&]() -> Status {
        if (rollback && !outside) {
          RATCHET_RETURN_IF_ERROR(UseTimeoutsOf(conn, set, item));
          RATCHET_RETURN_IF_ERROR(runner.RunSection(item, *rollback));
        }
        RATCHET_RETURN_IF_ERROR(books.DeleteItem(item.version));
        return books.AddEvent(state->upgrade_id, "item-rolled-back", item.version.ToString(),
                              rollback ? "" : "no rollback section");
      });
    });
    auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    reporter->ItemFinished(item, s.ok() ? ItemOutcome::kApplied : ItemOutcome::kFailed, elapsed, s);
    if (!s.ok()) return s;
    ++summary.rolled_back;
  }

  auto freeze = ReadFreeze(conn);
  if (!freeze.ok()) return freeze.status();
  summary.thawed = freeze->has_value();
  run_state.status = "active";
  run_state.in_flight.clear();
  run_state.error.reset();
  run_state.prepared_at.clear();
  run_state.to_release = run_state.from_release;
  RATCHET_RETURN_IF_ERROR(RunInTransaction(conn, [&]() -> Status {
    RATCHET_RETURN_IF_ERROR(ThawDdl(conn));
    RATCHET_RETURN_IF_ERROR(books.WriteState(run_state));
    return books.AddEvent(state->upgrade_id, "rollback-done", "",
                          fmt::format("{} item(s) undone", summary.rolled_back));
  }));
  conn.ReleaseUpgradeLock();
  return summary;
}

Status CheckFitForOnline(const std::vector<const Item*>& pending) {
  return RefuseUnfitForOnline(pending);
}

}  // namespace ratchet
