// Reading where an interrupted run stopped from the bookkeeping and the plan.
#include "run/stopped_run.h"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <set>

#include "run/item_runner.h"
#include "run/upgrade_lock.h"

namespace ratchet {

namespace {

// `item` parsed with `engine`'s parser (a set loaded for status defers
// parsing, and whether a section runs outside a transaction is known only
// once it is parsed), kept in `storage`; null when it does not parse.
const Item* Parsed(EngineKind engine, const Item* item, std::deque<Item>* storage) {
  std::vector<const Item*> one = {item};
  return ParseDeferredItems(engine, &one, storage).ok() ? one[0] : nullptr;
}

// Whether `item`'s rollback section runs outside a transaction.
bool RollbackRunsOutside(const Item& item) {
  const Section* rollback = item.section(SectionKind::kRollback);
  if (!rollback) return false;
  return item.transaction == TransactionMode::kNone ||
         std::any_of(rollback->statements.begin(), rollback->statements.end(),
                     [](const Statement& st) { return st.non_transactional; });
}

}  // namespace

Result<std::optional<StoppedRun>> FindStoppedRun(Connection& conn, const UpgradeSet& set,
                                                 const StateRow& state, const Plan& plan,
                                                 const std::vector<AppliedItem>& recorded) {
  if (AtRest(state.status)) return std::optional<StoppedRun>();
  StoppedRun run;
  {
    // Whether a ratchet is still at work: it holds the lock.
    UpgradeLock probe(conn);
    Status lock = probe.Take(std::chrono::milliseconds(0));
    if (lock.code() == Code::kLockBusy) {
      run.running = true;
      run.holder = lock.message();
      return std::optional<StoppedRun>(run);
    }
    if (!lock.ok()) return lock;
  }

  const Release* newest = nullptr;
  for (const Release& r : set.project.releases) {
    if (!newest || newest->head < r.head) newest = &r;
  }
  if (!state.to_release.empty() && (!newest || newest->name != state.to_release)) {
    run.resume_to = state.to_release;
  }

  auto item_of = [&](const std::string& version) -> const Item* {
    for (const Item* item : set.ItemsFor(conn.kind())) {
      if (item->version.ToString() == version) return item;
    }
    return nullptr;
  };
  auto file_of = [&](const std::string& version) -> std::string {
    const Item* item = item_of(version);
    return item ? "items/" + item->file_name : "";
  };
  if (state.status == DbState::kRollingBack) {
    // Rollback undoes the prepared items (and the one left in flight)
    // newest first, each with the removal of its row: the newest left is
    // the one it was undoing.
    std::optional<Version> newest = Version::Parse(state.in_flight);
    for (const AppliedItem& a : recorded) {
      if (a.phase == Phase::kPrepared && (!newest || *newest < a.version)) newest = a.version;
    }
    if (!newest) return std::optional<StoppedRun>(run);
    run.item = newest->ToString();
    run.item_file = file_of(run.item);
    const Item* item = item_of(run.item);
    std::deque<Item> storage;
    if (item) item = Parsed(conn.kind(), item, &storage);
    run.journaled = item && RollbackRunsOutside(*item);
    return std::optional<StoppedRun>(run);
  }
  if (!state.in_flight.empty()) {
    // Only a journaled item is ever recorded in flight.
    run.item = state.in_flight;
    run.item_file = file_of(run.item);
    run.journaled = true;
    return std::optional<StoppedRun>(run);
  }
  // A transactional item commits with its row, so the one in flight is the
  // first pending item this run did not already fail (an optional item) or
  // skip (one that requires a failed item).
  auto failed_rows =
      conn.Query(fmt::format("SELECT version FROM {} WHERE phase = 'failed' AND upgrade_id = $1",
                             conn.BookkeepingTable("items")),
                 {state.upgrade_id});
  if (!failed_rows.ok()) return failed_rows.status();
  std::set<std::string> failed;
  for (const Row& row : failed_rows->rows) failed.insert(row[0].value_or(""));
  const bool preparing = state.status == DbState::kPreparing;
  std::set<Version> prepared;
  for (const AppliedItem& a : recorded) {
    if (a.phase == Phase::kPrepared) prepared.insert(a.version);
  }
  std::deque<Item> storage;
  for (const Item* item : plan.pending) {
    if (preparing && prepared.count(item->version) > 0) continue;
    std::string version = item->version.ToString();
    bool skipped = std::any_of(item->requires_versions.begin(), item->requires_versions.end(),
                               [&](const Version& v) { return failed.count(v.ToString()) > 0; });
    if (skipped || failed.count(version) > 0) {
      failed.insert(version);
      continue;
    }
    run.item = version;
    run.item_file = "items/" + item->file_name;
    const Item* parsed = Parsed(conn.kind(), item, &storage);
    run.journaled = parsed && RunsJournaled(*parsed, preparing);
    break;
  }
  return std::optional<StoppedRun>(run);
}

}  // namespace ratchet
