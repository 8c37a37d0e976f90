// `rollback` on one database that has not pivoted: every prepared (or
// partly prepared) item's rollback section, newest first, each with the
// removal of its row; then the state back to active and DDL thawed.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>

#include "engine/engine_driver.h"
#include "ratchet/online.h"
#include "run/item_runner.h"
#include "run/online_items.h"
#include "run/run_context.h"
#include "run/transaction.h"

namespace ratchet {
namespace {

// What to undo: every prepared item, and the one a crash (journaled, in
// flight) or a failure left partly prepared; newest first. kRefused when
// one of them is no longer in the set.
Result<std::vector<const Item*>> ItemsToUndo(const RunContext& run) {
  std::map<Version, const Item*> by_version;
  for (const Item* item : run.set.ItemsFor(run.conn.kind())) by_version[item->version] = item;
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
  for (const AppliedItem& a : run.recorded) {
    if (a.phase == Phase::kPrepared) add(a.version.ToString());
  }
  const StateRow& state = run.state;
  if (!state.in_flight.empty()) add(state.in_flight);
  if (state.status == DbState::kFailedPrepare && state.error) add(state.error->version);
  if (!missing.empty()) {
    return Status(Code::kRefused,
                  fmt::format("{}: cannot roll back items whose files are gone:{}\nUse the set "
                              "that prepared them",
                              run.conn.display_name(), missing));
  }
  std::vector<const Item*> items;
  for (const auto& [v, item] : undo) items.push_back(item);
  return items;
}

// Runs `item`'s rollback section (if any) and removes its row. A rollback
// section must work on a partly prepared database, so it is safe to run
// again: the row goes only after the section succeeded.
Status UndoItem(RunContext& run, ItemRunner& runner, const Item& item,
                const UpgradeOptions& options) {
  const Section* rollback = item.section(SectionKind::kRollback);
  const bool outside =
      rollback && (item.transaction == TransactionMode::kNone ||
                   std::any_of(rollback->statements.begin(), rollback->statements.end(),
                               [](const Statement& st) { return st.non_transactional; }));
  return RetryOnLockTimeout(item.version.ToString(), options, &run.reporter, [&]() -> Status {
    if (rollback && outside) RATCHET_RETURN_IF_ERROR(runner.RunSection(item, *rollback));
    return RunInTransaction(run.conn, [&]() -> Status {
      if (rollback && !outside) {
        RATCHET_RETURN_IF_ERROR(UseTimeoutsOf(run.conn, run.set, item));
        RATCHET_RETURN_IF_ERROR(runner.RunSection(item, *rollback));
      }
      RATCHET_RETURN_IF_ERROR(run.books.DeleteItem(item.version));
      return run.books.AddEvent(run.state.upgrade_id, "item-rolled-back", item.version.ToString(),
                                rollback ? "" : "no rollback section");
    });
  });
}

}  // namespace

Result<RollbackSummary> RollBackPrepared(Connection& conn, const UpgradeSet& set,
                                         const UpgradeOptions& options, Reporter* reporter) {
  const RunStates& states = StatesOf(RunKind::kRollback);
  RunContext run(conn, set, reporter);
  RATCHET_RETURN_IF_ERROR(OpenRun(run, options.lock_wait, OpenMode::kRead));
  RollbackSummary summary;
  if (run.format == 0) {
    summary.nothing_to_do = true;
    return summary;
  }
  StateRow& state = run.state;
  const bool any_prepared =
      std::any_of(run.recorded.begin(), run.recorded.end(),
                  [](const AppliedItem& a) { return a.phase == Phase::kPrepared; });
  if (state.pivoted && !any_prepared && !IsOnline(state.status)) {
    return Status(Code::kRefused,
                  fmt::format("{}: has pivoted (finalize committed at {}); rollback cannot undo "
                              "a pivot. The only way from here is forward: fix it with a new item.",
                              conn.display_name(),
                              state.finalized_at.empty() ? "an earlier run" : state.finalized_at));
  }
  if (!any_prepared && !IsOnline(state.status)) {
    summary.nothing_to_do = true;
    return summary;
  }
  auto items = ItemsToUndo(run);
  if (!items.ok()) return items.status();
  if (const DependentsCheck* dependents = DriverFor(conn.kind()).dependents_check()) {
    RATCHET_RETURN_IF_ERROR(dependents->RefuseOutsideDependents(conn, *items));
  }

  // From here until it ends the state says rolling-back, so that after a
  // crash status names rollback as the way on, and finalize refuses.
  state.status = *states.running;
  ItemRunner runner(conn, set, run.books, state, options, &run.reporter);
  RATCHET_RETURN_IF_ERROR(RunInTransaction(conn, [&]() -> Status {
    return run.books.RecordState(state, "rollback-started",
                                 fmt::format("{} item(s) to undo", items->size()));
  }));
  for (size_t i = 0; i < items->size(); ++i) {
    const Item& item = *(*items)[i];
    run.reporter.ItemStarted(item, i + 1, items->size());
    auto started = std::chrono::steady_clock::now();
    Status s = UndoItem(run, runner, item, options);
    auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    run.reporter.ItemFinished(item, s.ok() ? ItemOutcome::kApplied : ItemOutcome::kFailed, elapsed,
                              s);
    if (!s.ok()) return s;
    ++summary.rolled_back;
  }

  auto freeze = ReadFreeze(conn);
  if (!freeze.ok()) return freeze.status();
  summary.thawed = freeze->has_value();
  state.status = states.done;
  state.in_flight.clear();
  state.error.reset();
  state.prepared_at.clear();
  state.to_release = state.from_release;
  RATCHET_RETURN_IF_ERROR(RunInTransaction(conn, [&]() -> Status {
    RATCHET_RETURN_IF_ERROR(ThawDdl(conn));
    return run.books.RecordState(state, "rollback-done",
                                 fmt::format("{} item(s) undone", summary.rolled_back));
  }));
  return summary;
}

}  // namespace ratchet
