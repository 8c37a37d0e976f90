// Applying one item to one database, with its bookkeeping, lock-timeout
// retries and error positions.
#ifndef RATCHET_SRC_RUN_ITEM_RUNNER_H_
#define RATCHET_SRC_RUN_ITEM_RUNNER_H_

#include <chrono>
#include <functional>
#include <optional>

#include "ratchet/runner.h"
#include "run/bookkeeping.h"
#include "run/transaction.h"

namespace ratchet {

class EngineDriver;

class ItemRunner {
 public:
  ItemRunner(Connection& conn, const UpgradeSet& set, Bookkeeping& books, StateRow& state,
             const UpgradeOptions& options, Reporter* reporter);

  // Runs the item's prepare and finalize sections and records it applied.
  // A transactional item commits with its row (invariant 1); an item with a
  // non-transactional section is journaled in state.in_flight first, so a
  // crash before its row is written re-runs it (invariant 2).
  // On failure everything the item did in a transaction is rolled back and
  // the Status carries a DbError with the item file, line and column.
  Status ApplyItem(const Item& item) { return RunItem(item, ItemStep::kUpgrade); }

  // Runs only the item's prepare section and records it prepared, with the
  // same atomicity and journaling as ApplyItem.
  Status PrepareItem(const Item& item) { return RunItem(item, ItemStep::kPrepare); }

  // Runs `section` of `item` inside the transaction the caller opened,
  // positioning any error in the item file. For finalize and rollback.
  Status RunSection(const Item& item, const Section& section);

  // Marks `version` as the item that an earlier run left unfinished (in
  // flight, or failed): before it runs again, what its interrupted run left
  // behind is cleared (PostgreSQL: an INVALID index from a concurrent build).
  void set_interrupted(const std::string& version) { interrupted_ = version; }

  // Runs transactional items as units of `group` (SQLite: under savepoints
  // of a shared transaction). The caller commits the group before anything
  // that needs its own transaction: a journaled item, a failure record.
  void set_group(TransactionGroup* group) { group_ = group; }

  // Tells the runner which timeouts the session has already, so that an item
  // that uses the same ones does not send them again.
  void set_session_timeouts(const Timeouts& timeouts) { session_timeouts_ = timeouts; }

  // Records a required item's failure: state `failed_status`
  // (failed-upgrade, failed-prepare) with the error.
  Status RecordFailure(const Item& item, const Status& error,
                       DbState failed_status = DbState::kFailedUpgrade);
  // Records that the run stopped on request at `item`: `cancelled` when
  // the item was running (and so failed), else it had not started. The
  // state becomes `failed_status`, with an event; re-running resumes.
  Status RecordInterrupt(const Item& item, bool cancelled, DbState failed_status);
  // Records an optional item's failure as its row with phase 'failed'.
  Status RecordOptionalFailure(const Item& item, const Status& error,
                               std::chrono::milliseconds elapsed);

 private:
  enum class ItemStep { kUpgrade, kPrepare };
  Status RunJournaledSections(const Item& item, const std::vector<const Section*>& sections,
                              size_t done, size_t total);
  Status RunItem(const Item& item, ItemStep step);
  // Turns an engine error from running `section` into one positioned in the
  // item file (file:line:column, DETAIL and HINT).
  Status PositionError(const Item& item, const Section& section, const Status& s);
  // PostgreSQL: the item's sections, its bookkeeping row, its event and the
  // COMMIT sent in one round trip.
  Status ApplyInOneRoundTrip(const Item& item, const std::vector<const Section*>& sections,
                             Phase phase);
  // Calls `attempt` until it succeeds, fails for another reason than a lock
  // timeout, or the retries run out; waits with backoff between tries.
  Status WithLockRetries(const Item& item, const std::function<Status()>& attempt);
  Timeouts TimeoutsFor(const Item& item) const;
  // Drops INVALID indexes that the item's concurrent builds left behind.
  Status ClearInterruptedBuilds(const Item& item);

  Connection& conn_;
  const EngineDriver& driver_;
  const UpgradeSet& set_;
  Bookkeeping& books_;
  StateRow& state_;
  const UpgradeOptions& options_;
  Reporter* reporter_;
  std::string interrupted_;
  TransactionGroup* group_ = nullptr;
  std::optional<Timeouts> session_timeouts_;  // what the session has now
};

// Returns true if `upgrade` (or, with `prepare_only`, `prepare`) runs a
// section of `item` outside a transaction, journaling the item in the state
// row (invariant 2).
bool RunsJournaled(const Item& item, bool prepare_only = false);

// Runs `attempt` until it succeeds, fails for another reason than a lock
// timeout, or `options.max_lock_retries` retries have run out, waiting with
// doubling backoff between tries and telling `reporter` of each retry.
Status RetryOnLockTimeout(const std::string& what, const UpgradeOptions& options,
                          Reporter* reporter, const std::function<Status()>& attempt);

// Returns true if `status` is a lock timeout the runner may retry.
bool IsLockTimeout(const Status& status);

}  // namespace ratchet

#endif  // RATCHET_SRC_RUN_ITEM_RUNNER_H_
