// The loop over pending items that upgrade and prepare share.
#include "run/item_loop.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "ratchet/interrupt.h"
#include "run/transaction.h"

namespace ratchet {

// Refusals that protect the user from guessing: versions the set does not
// know, and applied items whose files have changed.
Status RefuseProblems(const Connection& conn, const Plan& plan, bool allow_unknown) {
  if (!plan.unknown.empty() && !allow_unknown) {
    std::string list;
    for (const AppliedItem& a : plan.unknown) {
      list +=
          fmt::format("\n  {} {} (applied {})", a.version.ToString(), a.description, a.applied_at);
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

std::string InterruptedItem(const StateRow& state, DbState failed) {
  if (!state.in_flight.empty()) return state.in_flight;
  if (state.status == failed && state.error) return state.error->version;
  return "";
}

std::string StillInFlight(const Plan& plan, const std::string& interrupted, ItemLoopStep step) {
  for (const Item* item : plan.pending) {
    if (item->version.ToString() == interrupted &&
        RunsJournaled(*item, step == ItemLoopStep::kPrepare)) {
      return interrupted;
    }
  }
  return "";
}

std::string TargetRelease(const UpgradeSet& set, const std::optional<Version>& target) {
  const Release* best = nullptr;
  for (const Release& r : set.project.releases) {
    if (target ? r.head == *target : (!best || best->head < r.head)) best = &r;
  }
  if (!best && target) return target->ToString();
  return best ? best->name : "";
}

namespace {

// The failure of a run whose connection was lost during `item`. Nothing can
// be recorded: the state still says what the run was doing, as after any
// crash, and the server has rolled back whatever was not committed.
Status StoppedByLostConnection(const Item& item, const Status& lost, const std::string& command) {
  std::string message = fmt::format(
      "{}\nThe run stopped during {}: {}. Items before it stay {}; 'ratchet status' shows "
      "where the database stands, and running the same {} again resumes it.",
      lost.message(), item.version.ToString(),
      RunsJournaled(item, command == "prepare")
          ? "it runs outside a transaction, so it is re-run on resume"
          : "the server rolled back whatever it had done",
      command == "prepare" ? "prepared" : "applied", command);
  if (!lost.db_error()) return Status(Code::kUpgradeFailed, message);
  return Status::DbFailure(Code::kUpgradeFailed, message, *lost.db_error());
}

}  // namespace
Status RunPendingItems(RunContext& run, const Plan& plan, ItemLoopStep step, ItemRunner& runner,
                       TransactionGroup& group, UpgradeSummary* summary) {
  const bool preparing = step == ItemLoopStep::kPrepare;
  const std::vector<AppliedItem>& recorded = run.recorded;
  const DbState failed_status = StatesOf(preparing ? RunKind::kPrepare : RunKind::kUpgrade).failed;
  runner.set_group(&group);
  // Items reported done whose group has not committed yet.
  size_t uncommitted = 0;
  auto commit = [&](bool only_if_due) -> Status {
    Status s = only_if_due ? group.CommitIfDue() : group.Commit();
    if (!s.ok() && group.lost()) summary->applied -= uncommitted;
    if (s.ok() && group.uncommitted() == 0) uncommitted = 0;
    return s;
  };
  auto already_prepared = [&](const Item& item) {
    return preparing && std::any_of(recorded.begin(), recorded.end(), [&](const AppliedItem& a) {
             return a.version == item.version && a.phase == Phase::kPrepared;
           });
  };
  std::set<Version> failed;  // failed or skipped in this run
  // A stop request (Ctrl-C, SIGTERM): what committed stays, the item that
  // was cancelled rolled back as any failed item; the state says where the
  // run stopped, and re-running resumes there.
  auto stop_at = [&](const Item& item, bool cancelled) -> Status {
    RATCHET_RETURN_IF_ERROR(commit(false));
    Status noted = runner.RecordInterrupt(item, cancelled, failed_status);
    std::string journaled =
        RunsJournaled(item, preparing)
            ? "it runs outside a transaction: what its finished statements did stays, and it "
              "is re-run on resume"
            : "it was rolled back";
    std::string message = fmt::format("stopped by {} {} {}{}", SignalName(InterruptRequested()),
                                      cancelled ? "while running" : "before",
                                      item.version.ToString(), cancelled ? "; " + journaled : "");
    if (!noted.ok()) message += "\n(and the stop could not be recorded: " + noted.message() + ")";
    return Status(Code::kInterrupted, message);
  };
  for (size_t i = 0; i < plan.pending.size(); ++i) {
    const Item& item = *plan.pending[i];
    if (already_prepared(item)) continue;
    if (InterruptRequested() != 0) return stop_at(item, /*cancelled=*/false);
    run.reporter.ItemStarted(item, i + 1, plan.pending.size());
    auto missing = std::find_if(item.requires_versions.begin(), item.requires_versions.end(),
                                [&](const Version& v) { return failed.count(v) > 0; });
    if (missing != item.requires_versions.end()) {
      // Only an effectively optional item can get here: a required item's
      // requirements are required too, so their failure stopped the run.
      failed.insert(item.version);
      ++summary->skipped;
      run.books.AddEvent(run.state.upgrade_id, "item-skipped", item.version.ToString(),
                         fmt::format("requires {}, which failed", missing->ToString()));
      run.reporter.ItemFinished(
          item, ItemOutcome::kSkipped, std::chrono::milliseconds(0),
          Status(Code::kUpgradeFailed,
                 fmt::format("requires {}, which failed in this run", missing->ToString())));
      continue;
    }
    // A journaled item runs statements outside any transaction: what the
    // group holds commits first.
    if (RunsJournaled(item, preparing)) RATCHET_RETURN_IF_ERROR(commit(false));
    auto started = std::chrono::steady_clock::now();
    Status s = preparing ? runner.PrepareItem(item) : runner.ApplyItem(item);
    auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    if (s.ok()) {
      ++summary->applied;
      summary->applied_versions.push_back(item.version);
      if (group.uncommitted() > 0) ++uncommitted;
      run.reporter.ItemFinished(item, ItemOutcome::kApplied, elapsed, s);
      RATCHET_RETURN_IF_ERROR(commit(true));
      continue;
    }
    if (group.lost()) {
      summary->applied -= uncommitted;
      run.reporter.ItemFinished(item, ItemOutcome::kFailed, elapsed, s);
      if (InterruptRequested() != 0) return stop_at(item, /*cancelled=*/true);
      return s;
    }
    if (InterruptRequested() != 0 && s.code() != Code::kConnection) {
      run.reporter.ItemFinished(item, ItemOutcome::kFailed, elapsed, s);
      return stop_at(item, /*cancelled=*/true);
    }
    // The items before this one keep their group; the failure is recorded
    // in a transaction of its own.
    if (Status committed = commit(false); !committed.ok()) {
      run.reporter.ItemFinished(item, ItemOutcome::kFailed, elapsed, s);
      return Status(committed.code(), s.message() + "\n" + committed.message());
    }
    if (s.code() == Code::kConnection) {
      run.reporter.ItemFinished(item, ItemOutcome::kFailed, elapsed, s);
      return StoppedByLostConnection(item, s, preparing ? "prepare" : "upgrade");
    }
    if (s.code() == Code::kUpgradeFailed && plan.IsEffectivelyOptional(item.version)) {
      Status noted = runner.RecordOptionalFailure(item, s, elapsed);
      if (!noted.ok()) return noted;
      failed.insert(item.version);
      ++summary->failed_optional;
      run.reporter.ItemFinished(item, ItemOutcome::kFailedOptional, elapsed, s);
      continue;
    }
    run.reporter.ItemFinished(item, ItemOutcome::kFailed, elapsed, s);
    Status noted = runner.RecordFailure(item, s, failed_status);
    if (!noted.ok()) {
      return Status(s.code(), s.message() + "\n(and the failure could not be recorded: " +
                                  noted.message() + ")");
    }
    return s;
  }
  return Status::Ok();
}

}  // namespace ratchet
