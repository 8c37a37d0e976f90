// copy-upgrade, the cautious path (DESIGN §3): upgrade a copy of the
// database while the original is frozen for writes, verify the copy, then
// swap it in atomically and keep the original until `cleanup --approve`.
#ifndef RATCHET_COPY_H_
#define RATCHET_COPY_H_

#include <string>

#include "ratchet/engine.h"
#include "ratchet/runner.h"
#include "ratchet/status.h"
#include "ratchet/upgrade_set.h"

namespace ratchet {

struct CopyUpgradeOptions {
  UpgradeOptions upgrade;
  // Continue a copy-upgrade that stopped before it finished. Without it,
  // what an earlier run left behind is refused, never guessed at.
  bool recover = false;
};

struct CopyUpgradeSummary {
  UpgradeSummary upgrade;        // what upgrading the copy did
  std::string copy;              // the copy that was upgraded, as displayed
  std::string kept;              // where the original is kept: <file>.old, <db>_old
  bool already_swapped = false;  // --recover found the swap done: nothing was left
  bool copied_again = false;     // --recover discarded a copy the original may have outgrown
};

// Takes the database's upgrade lock and freezes writes to it (SQLite: a
// write transaction held open; PostgreSQL: refuses, naming them, while other
// sessions are connected, then closes the database to new connections),
// copies it (SQLite: the online backup API to <file>.new; PostgreSQL: CREATE
// DATABASE <db>_new TEMPLATE <db>, with the original's owner, settings,
// privileges and comment), upgrades the copy as `Upgrade` would, verifies it
// (state active, nothing pending up to the target, SQLite integrity_check,
// no INVALID index), and swaps it in: the copy takes the database's name and
// the original is kept as <file>.old / <db>_old. The swap is the point of no
// return; before it the original is untouched and, when this fails, open
// for writes again. Refuses (kRefused) to start over what an earlier run
// left behind unless `options.recover`, and a kept original from an earlier
// run until `RemoveKeptOriginal` removed it.
Result<CopyUpgradeSummary> CopyUpgrade(const Target& target, const UpgradeSet& set,
                                       const CopyUpgradeOptions& options, Reporter* reporter);

// Where a copy-upgrade of a database stands, read without connecting to the
// database itself (it may be closed to connections).
struct CopyState {
  std::string database;  // the original, as displayed
  // The copy, as displayed, and its state: "copying" (incomplete), or the
  // status its bookkeeping records (upgrading, failed-upgrade, active); ""
  // when there is no copy.
  std::string copy;
  std::string copy_status;
  bool frozen = false;    // PostgreSQL: the original is closed to connections
  bool swapping = false;  // SQLite: the original is kept and the copy not yet renamed in
  std::string kept;       // the kept original, as displayed, or ""

  // True when a copy-upgrade stopped (or is running) before its swap ended.
  bool Unfinished() const { return !copy.empty() || frozen; }
};

// Reads the copy-upgrade state of the database behind `target`. Changes
// nothing. On PostgreSQL `server`, when given, is any open connection to the
// same server (it reads the shared catalog), saving a connection.
Result<CopyState> ReadCopyState(const Target& target, const ConnectOptions& options,
                                Connection* server = nullptr);

// Removes the original a finished copy-upgrade kept (<file>.old, <db>_old)
// and returns what it removed, as displayed, or "" when there was none.
// Refuses (kRefused) while a copy-upgrade of the database is unfinished, and
// on PostgreSQL while sessions are connected to the kept database.
Result<std::string> RemoveKeptOriginal(const Target& target, const ConnectOptions& options);

}  // namespace ratchet

#endif  // RATCHET_COPY_H_
