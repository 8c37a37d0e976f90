// What every run on one database holds while it works: the connection, the
// set, the upgrade lock, the bookkeeping and what it recorded when the run
// began, and where progress goes.
#ifndef RATCHET_SRC_RUN_RUN_CONTEXT_H_
#define RATCHET_SRC_RUN_RUN_CONTEXT_H_

#include <chrono>
#include <vector>

#include "ratchet/engine.h"
#include "ratchet/runner.h"
#include "ratchet/upgrade_set.h"
#include "run/bookkeeping.h"
#include "run/upgrade_lock.h"

namespace ratchet {

class RunContext {
  Reporter quiet_;  // first: `reporter` may refer to it

 public:
  // `reporter` may be null: progress is then dropped.
  RunContext(Connection& conn, const UpgradeSet& set, Reporter* reporter);
  RunContext(const RunContext&) = delete;
  RunContext& operator=(const RunContext&) = delete;

  Connection& conn;
  const UpgradeSet& set;
  Reporter& reporter;
  UpgradeLock lock;
  Bookkeeping books;
  int format = 0;  // of the bookkeeping found; 0 when there was none
  std::vector<AppliedItem> recorded;
  StateRow state;
};

// How a run opens the bookkeeping.
enum class OpenMode {
  kRead,    // read what is there; a database without bookkeeping reads empty
  kEnsure,  // create the tables, or bring an older format up to date, first
};

// Opens `run`: takes the upgrade lock, waiting up to `lock_wait` (kLockBusy
// naming the holder otherwise), then reads the bookkeeping's format (kRefused
// for one newer than this ratchet), its items and its state.
Status OpenRun(RunContext& run, std::chrono::milliseconds lock_wait, OpenMode mode);

// As OpenRun without the lock: for reading where a database stands.
Status ReadRecorded(RunContext& run);

}  // namespace ratchet

#endif  // RATCHET_SRC_RUN_RUN_CONTEXT_H_
