// `upgrade`: lock, bookkeeping, refusals, then each pending item atomically
// with its bookkeeping row.
#include <algorithm>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "ratchet/runner.h"
#include "run/bookkeeping.h"
#include "run/item_runner.h"
#include "run/stopped_run.h"
#include "run/transaction.h"
#include "util/clock.h"

namespace ratchet {

const char* ToolVersion() { return RATCHET_VERSION; }

namespace {

// Refusals that protect the user from guessing: versions the set does not
// know, and applied items whose files have changed.
Status RefuseProblems(const Connection& conn, const Plan& plan, bool allow_unknown) {
  if (!plan.unknown.empty() && !allow_unknown) {
    std::string list;
    for (const AppliedItem& a : plan.unknown) {
      list += fmt::format("\n  {} {} (applied {})", a.version.ToString(), a.description,
                          a.applied_at);
    }
    return Status(Code::kRefused,
                  fmt::format("{}: the database has items this upgrade set does not know:{}\n"
                              "It is newer than, or diverged from, this set. Use the set it was "
                              "upgraded with; --allow-unknown proceeds anyway.",
                              conn.display_name(), list));
  }
  if (!plan.drift.empty()) {
    std::string list;
    for (const Drift& d : plan.drift) {
      list += fmt::format("\n  {} items/{}: recorded {}, file now {}", d.version.ToString(),
                          d.file_name, d.recorded_checksum.substr(0, 12),
                          d.current_checksum.substr(0, 12));
    }
    return Status(Code::kRefused,
                  fmt::format("{}: applied items have changed since they were applied "
                              "(drift):{}\nRestore the files, or accept the change with "
                              "'ratchet repair'.",
                              conn.display_name(), list));
  }
  return Status::Ok();
}

// The release the run aims at: the one whose head is the target, or without
// a target the newest release; a target that is no release's head is kept
// as its version, so that status can name the command that resumes the run.
std::string TargetRelease(const UpgradeSet& set, const std::optional<Version>& target) {
  const Release* best = nullptr;
  for (const Release& r : set.project.releases) {
    if (target ? r.head == *target : (!best || best->head < r.head)) best = &r;
  }
  if (!best && target) return target->ToString();
  return best ? best->name : "";
}

// The failure of a run whose connection was lost during `item`. Nothing can
// be recorded: the state still says upgrading, as after any crash, and the
// server has rolled back whatever was not committed.
Status StoppedByLostConnection(const Item& item, const Status& lost) {
  std::string message = fmt::format(
      "{}\nThe run stopped during {}: {}. Items before it stay applied; 'ratchet status' shows "
      "where the database stands, and running the same upgrade again resumes it.",
      lost.message(), item.version.ToString(),
      RunsJournaled(item) ? "it runs outside a transaction, so it is re-run on resume"
                          : "the server rolled back whatever it had done");
  if (!lost.db_error()) return Status(Code::kUpgradeFailed, message);
  return Status::DbFailure(Code::kUpgradeFailed, message, *lost.db_error());
}

}  // namespace

Result<DatabaseStatus> ReadStatus(Connection& conn, const UpgradeSet& set) {
  DatabaseStatus out;
  out.database = conn.display_name();
  out.engine = conn.kind();
  auto exists = conn.HasBookkeeping();
  if (!exists.ok()) return exists.status();
  out.initialized = *exists;
  StateRow state_row;
  if (out.initialized) {
    Bookkeeping books(conn);
    auto items = books.ReadItems();
    if (!items.ok()) return items.status();
    auto state = books.ReadState();
    if (!state.ok()) return state.status();
    state_row = *state;
    out.applied = std::move(*items);
    out.status = state->status;
    out.upgrade_id = state->upgrade_id;
    out.updated_at = state->updated_at;
    out.in_flight = state->in_flight;
    out.last_error = state->error;
    out.pivoted = state->pivoted;
  }
  out.plan = MakePlan(set, conn.kind(), out.applied);
  out.release = CurrentRelease(set, conn.kind(), out.applied);
  if (out.initialized) {
    auto stopped = FindStoppedRun(conn, set, state_row, out.plan);
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
  RATCHET_RETURN_IF_ERROR(books.Ensure());
  auto applied = books.ReadItems();
  if (!applied.ok()) return applied.status();
  auto state = books.ReadState();
  if (!state.ok()) return state.status();
  if (state->status == "prepared" || state->status == "finalizing") {
    return Status(Code::kRefused,
                  fmt::format("{}: an online upgrade is {} here: finish it with 'ratchet "
                              "finalize', or undo it with 'ratchet rollback'",
                              conn.display_name(), state->status));
  }

  PlanOptions plan_options;
  plan_options.target = options.target;
  Plan plan = MakePlan(set, conn.kind(), *applied, plan_options);
  RATCHET_RETURN_IF_ERROR(RefuseProblems(conn, plan, options.allow_unknown));

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
  for (const Item* item : set.ItemsFor(conn.kind())) {
    if (item->version.ToString() == interrupted && RunsJournaled(*item)) {
      run_state.in_flight = interrupted;
    }
  }
  RATCHET_RETURN_IF_ERROR(RunInTransaction(conn, [&]() -> Status {
    RATCHET_RETURN_IF_ERROR(books.WriteState(run_state));
    return books.AddEvent(run_state.upgrade_id, "upgrade-started", "",
                          fmt::format("{} pending item(s)", plan.pending.size()));
  }));

  ItemRunner runner(conn, set, books, run_state, options, reporter);
  runner.set_interrupted(interrupted);
  std::set<Version> failed;  // failed or skipped in this run
  for (size_t i = 0; i < plan.pending.size(); ++i) {
    const Item& item = *plan.pending[i];
    reporter->ItemStarted(item, i + 1, plan.pending.size());
    auto missing = std::find_if(item.requires_versions.begin(), item.requires_versions.end(),
                                [&](const Version& v) { return failed.count(v) > 0; });
    if (missing != item.requires_versions.end()) {
      // Only an effectively optional item can get here: a required item's
      // requirements are required too, so their failure stopped the run.
      failed.insert(item.version);
      ++summary.skipped;
      books.AddEvent(run_state.upgrade_id, "item-skipped", item.version.ToString(),
                     fmt::format("requires {}, which failed", missing->ToString()));
      reporter->ItemFinished(item, ItemOutcome::kSkipped, std::chrono::milliseconds(0),
                             Status(Code::kUpgradeFailed,
                                    fmt::format("requires {}, which failed in this run",
                                                missing->ToString())));
      continue;
    }
    auto started = std::chrono::steady_clock::now();
    Status s = runner.ApplyItem(item);
    auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    if (s.ok()) {
      ++summary.applied;
      reporter->ItemFinished(item, ItemOutcome::kApplied, elapsed, s);
      continue;
    }
    if (s.code() == Code::kConnection) {
      reporter->ItemFinished(item, ItemOutcome::kFailed, elapsed, s);
      return StoppedByLostConnection(item, s);
    }
    if (s.code() == Code::kUpgradeFailed && plan.IsEffectivelyOptional(item.version)) {
      Status recorded = runner.RecordOptionalFailure(item, s, elapsed);
      if (!recorded.ok()) return recorded;
      failed.insert(item.version);
      ++summary.failed_optional;
      reporter->ItemFinished(item, ItemOutcome::kFailedOptional, elapsed, s);
      continue;
    }
    reporter->ItemFinished(item, ItemOutcome::kFailed, elapsed, s);
    Status recorded = runner.RecordFailure(item, s);
    if (!recorded.ok()) {
      return Status(s.code(), s.message() + "\n(and the failure could not be recorded: " +
                                  recorded.message() + ")");
    }
    return s;
  }

  auto after = books.ReadItems();
  if (!after.ok()) return after.status();
  summary.release = CurrentRelease(set, conn.kind(), *after);
  run_state.status = "active";
  run_state.to_release = summary.release;
  // in_flight is left as the items left it: empty, or a journaled item this
  // run did not reach (--to), which is still unfinished.
  run_state.error.reset();
  RATCHET_RETURN_IF_ERROR(RunInTransaction(conn, [&]() -> Status {
    RATCHET_RETURN_IF_ERROR(books.WriteState(run_state));
    return books.AddEvent(run_state.upgrade_id, "upgrade-done", "",
                          fmt::format("{} applied, {} optional failed, {} skipped",
                                      summary.applied, summary.failed_optional, summary.skipped));
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
      RATCHET_RETURN_IF_ERROR(books.AddEvent(upgrade_id, "repair-state-cleared", "",
                                             "state was " + was));
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
    return books.AddEvent(upgrade_id, "baseline", head.ToString(),
                          fmt::format("marked {} item(s) applied for release {}",
                                      plan.pending.size(),
                                      release_name.empty() ? head.ToString() : release_name));
  };
  RATCHET_RETURN_IF_ERROR(RunInTransaction(conn, run));
  return plan.pending.size();
}

}  // namespace ratchet
