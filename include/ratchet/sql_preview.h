// The statements an upgrade would send to a database, in order, without
// sending any of them: what `ratchet plan --sql` prints.
#ifndef RATCHET_SQL_PREVIEW_H_
#define RATCHET_SQL_PREVIEW_H_

#include <string>
#include <vector>

#include "ratchet/engine.h"
#include "ratchet/runner.h"
#include "ratchet/status.h"
#include "ratchet/upgrade_set.h"

namespace ratchet {

// Who a statement of the preview belongs to.
enum class StatementRole {
  kItem,         // an item's own SQL: one section's text, as the engine receives it
  kBookkeeping,  // ratchet's own writes: its items, state and events tables
  kTransaction,  // BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE
  kSession,      // a setting of the session or transaction (SET LOCAL ...)
  kAction,       // something ratchet does that is not a statement of a script:
                 // taking and releasing the upgrade lock, the items' timeouts
};

// "item", "bookkeeping", "transaction", "session", "action".
const char* StatementRoleName(StatementRole role);

struct PreviewStatement {
  StatementRole role = StatementRole::kItem;
  // The statement, its parameters written in as SQL literals; for kAction a
  // sentence saying what ratchet does there.
  std::string sql;
  std::string item;     // the version of the item being applied, or ""
  std::string file;     // "items/<file>" of that item, or ""
  std::string section;  // for kItem: "prepare" or "finalize"
};

// Runs Upgrade() with `options` against a stand-in for `conn` that answers
// reads from the real database and records every statement that would
// change something instead of sending it: the item sections, ratchet's
// bookkeeping writes and the transaction boundaries, in the order and
// grouping a real run uses. Nothing is written to the database and no lock
// is taken. What a run decides while it runs is the preview's own: the
// timestamps, the upgrade id and the durations written to the bookkeeping,
// and on SQLite the group commits, which a real run makes every
// sqlite-commit-interval (the preview runs in no time, so it shows one group
// up to each item that runs outside a transaction). Refusals come back as
// the upgrade would return them (drift, unknown versions, a busy state).
Result<std::vector<PreviewStatement>> PreviewUpgrade(Connection& conn, const UpgradeSet& set,
                                                     const UpgradeOptions& options);

// The preview as an SQL script for the engine's own shell (sqlite3, psql):
// each statement ends in ';', each item's SQL is introduced by a comment
// naming the item and section, ratchet's own statements are marked with
// "-- ratchet: bookkeeping" and "-- ratchet: transaction", and actions are
// comments. Applying it gives the schema and bookkeeping a run would give.
std::string FormatSqlPreview(const std::vector<PreviewStatement>& statements);

}  // namespace ratchet

#endif  // RATCHET_SQL_PREVIEW_H_
