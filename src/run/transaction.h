// Running a piece of work in one transaction on a Connection.
#ifndef RATCHET_SRC_RUN_TRANSACTION_H_
#define RATCHET_SRC_RUN_TRANSACTION_H_

#include <chrono>
#include <cstddef>
#include <functional>

#include "engine/in_transaction.h"
#include "ratchet/engine.h"
#include "ratchet/runner.h"
#include "ratchet/upgrade_set.h"
#include "util/fault.h"

namespace ratchet {

// Runs many small units of work (an item with its row, a state write) in
// one engine transaction, each unit under its own savepoint: every unit is
// still all or nothing, and the group pays for one durable commit instead of
// one per unit.
//
// For SQLite, where every commit waits for the disk (a rollback journal with
// synchronous=FULL, the default) and ratchet must not weaken the user's
// journal or synchronous settings to go faster. PostgreSQL items commit
// without waiting for the WAL flush instead (item_runner.cc), one
// transaction each, so that no item's locks outlive it on a live server.
//
// A group commits once it has been open for `window`, before anything that
// must run outside it (a journaled item, a failure record) and at the end of
// the run. A crash loses the uncommitted units together with their rows,
// which the next run applies again, as after any crash.
// True when the run on `conn` groups its items: SQLite, unless the set's
// sqlite-commit-interval is 0.
bool GroupsItems(const Connection& conn, const UpgradeSet& set);

class TransactionGroup {
 public:
  struct Limits {
    // How long a group stays open: the longest the application's writers
    // wait on ratchet's write lock beyond one item's own duration
    // ([project] sqlite-commit-interval).
    std::chrono::milliseconds window{250};
    // A commit that finds another process reading the file (SQLite busy) is
    // tried again this many times, the wait doubling from the first delay.
    int commit_retries = 5;
    std::chrono::milliseconds first_retry_delay{200};
  };

  // With `grouped` false every unit is its own transaction; on PostgreSQL it
  // commits without waiting for the WAL flush, since RunDurable's
  // synchronous commit at the end flushes it (WAL is flushed in order).
  // `reporter` (may be null) gets a note for each commit retry.
  TransactionGroup(Connection& conn, bool grouped, Reporter* reporter, Limits limits);
  TransactionGroup(Connection& conn, bool grouped, Reporter* reporter = nullptr)
      : TransactionGroup(conn, grouped, reporter, Limits{}) {}
  ~TransactionGroup();
  TransactionGroup(const TransactionGroup&) = delete;
  TransactionGroup& operator=(const TransactionGroup&) = delete;

  // Runs `body` atomically: in a transaction of its own, or under a savepoint
  // in the open group (opening one first). When `body` fails nothing it
  // wrote survives and the group's earlier units stay.
  Status Run(const std::function<Status()>& body);

  // Runs `body` as a unit and makes it durable with everything before it:
  // the run's closing write.
  Status RunDurable(const std::function<Status()>& body);

  // Commits the open group, if any. When the commit fails, or the engine
  // rolled the group back on its own, the units since the last commit are
  // lost: the error says how many.
  Status Commit();

  // Commits if the group has been open for its window.
  Status CommitIfDue();

  // Units that ran since the last commit (0 when not grouped).
  size_t uncommitted() const { return units_; }

  // True once a group was lost (rolled back by a failed commit or by the
  // engine): the caller must stop, since steps it reported done are undone.
  bool lost() const { return lost_; }

 private:
  Status Lost(const Status& cause);

  Connection& conn_;
  const bool grouped_;
  Reporter* reporter_;
  const Limits limits_;
  bool open_ = false;
  bool lost_ = false;
  size_t units_ = 0;
  std::chrono::steady_clock::time_point opened_at_;
};

}  // namespace ratchet

#endif  // RATCHET_SRC_RUN_TRANSACTION_H_
