// Reading where an interrupted run stopped from the bookkeeping and the plan.
#include "run/stopped_run.h"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <set>

#include "run/item_runner.h"

namespace ratchet {

bool StateAtRest(const std::string& status) {
  return status == "active" || status == "prepared" || status == "failed-upgrade";
}

Result<std::optional<StoppedRun>> FindStoppedRun(Connection& conn, const UpgradeSet& set,
                                                 const StateRow& state, const Plan& plan) {
  if (StateAtRest(state.status)) return std::optional<StoppedRun>();
  StoppedRun run;
  Status lock = conn.AcquireUpgradeLock(std::chrono::milliseconds(0));
  if (lock.code() == Code::kLockBusy) {
    run.running = true;
    run.holder = lock.message();
    return std::optional<StoppedRun>(run);
  }
  if (!lock.ok()) return lock;
  conn.ReleaseUpgradeLock();

  const Release* newest = nullptr;
  for (const Release& r : set.project.releases) {
    if (!newest || newest->head < r.head) newest = &r;
  }
  if (!state.to_release.empty() && (!newest || newest->name != state.to_release)) {
    run.resume_to = state.to_release;
  }

  auto file_of = [&](const std::string& version) -> std::string {
    for (const Item* item : set.ItemsFor(conn.kind())) {
      if (item->version.ToString() == version) return "items/" + item->file_name;
    }
    return "";
  };
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
  for (const Item* item : plan.pending) {
    std::string version = item->version.ToString();
    bool skipped = std::any_of(item->requires_versions.begin(), item->requires_versions.end(),
                               [&](const Version& v) { return failed.count(v.ToString()) > 0; });
    if (skipped || failed.count(version) > 0) {
      failed.insert(version);
      continue;
    }
    run.item = version;
    run.item_file = "items/" + item->file_name;
    // Whether it runs outside a transaction is known once it is parsed (a
    // set loaded for status is not).
    std::vector<const Item*> one = {item};
    std::deque<Item> parsed;
    run.journaled = ParseDeferredItems(conn.kind(), &one, &parsed).ok() && RunsJournaled(*one[0]);
    break;
  }
  return std::optional<StoppedRun>(run);
}

}  // namespace ratchet
