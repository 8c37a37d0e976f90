// The online path for one database: prepare while the application runs,
// finalize with a dry run before an atomic pivot, roll back until the pivot,
// and freeze DDL for the window.
#ifndef RATCHET_ONLINE_H_
#define RATCHET_ONLINE_H_

#include <optional>
#include <string>
#include <vector>

#include "ratchet/engine.h"
#include "ratchet/runner.h"
#include "ratchet/status.h"
#include "ratchet/upgrade_set.h"

namespace ratchet {

struct PrepareOptions {
  UpgradeOptions upgrade;
  // Block DDL from every session but ratchet's until finalize or rollback
  // (PostgreSQL; on SQLite there is nothing to freeze and a note says so).
  bool freeze = false;
};

struct PrepareSummary {
  size_t prepared = 0;          // items prepared by this run
  size_t already_prepared = 0;  // prepared by an earlier run
  size_t failed_optional = 0;
  size_t skipped = 0;
  bool froze = false;
};

// With options.upgrade.run_checks, first runs the pre-upgrade checks as
// Upgrade does (before anything is written; problems return kCheckFailed).
// Then runs the prepare section of every pending item (up to the target) and
// records each item prepared, atomically with its row (journaled when the
// section runs outside a transaction). Never runs a finalize section. Safe
// to re-run: items already prepared are skipped. Refuses (kInvalidSet) an
// item whose finalize section cannot run inside the pivot's transaction, and
// an item with a prepare section but no rollback section, before anything
// runs. On a required item's failure records state failed-prepare and
// returns kUpgradeFailed; what was prepared stays prepared (rollback undoes
// it). Ends in state prepared.
Result<PrepareSummary> PrepareItems(Connection& conn, const UpgradeSet& set,
                                    const PrepareOptions& options, Reporter* reporter);

// Returns kRefused, listing each with file:line and the way out, when any
// of `pending` cannot take the online path: a finalize section that cannot
// run inside the pivot's transaction ('transaction none', CREATE INDEX
// CONCURRENTLY ...), or a prepare section that rollback could not undo.
// The items must be parsed.
Status CheckFitForOnline(const std::vector<const Item*>& pending);

// Where a database stands for finalize.
enum class FinalizeReadiness {
  kPrepared,        // prepared items wait for their finalize sections
  kAlreadyPivoted,  // finalize already ran here: nothing to do
  kUpToDate,        // nothing prepared and nothing pending
};

// Checks that the database can be finalized: state prepared, every prepared
// item still in the set with an unchanged file. Returns kRefused naming the
// state and the command that moves it on (prepare, rollback) otherwise.
// With `target` (--to), only items up to it count as pending: items beyond
// it do not make an active database "not prepared".
Result<FinalizeReadiness> CheckFinalizeReady(Connection& conn, const UpgradeSet& set,
                                             const std::optional<Version>& target = std::nullopt);

// The dry run: runs every prepared item's finalize section, in order, in one
// transaction that is always rolled back. Changes nothing. Returns the first
// error positioned in its item file.
Status DryRunFinalize(Connection& conn, const UpgradeSet& set, const UpgradeOptions& options,
                      Reporter* reporter);

struct PivotSummary {
  size_t finalized = 0;  // items moved from prepared to applied
  bool pivoted = false;  // false: already pivoted or nothing to do
  std::string release;   // release reached
};

// The point of no return for this database: in one transaction runs every
// prepared item's finalize section, marks the items applied, marks the
// database pivoted and lifts the DDL freeze. Either all of it commits or
// none. Skips (pivoted = false) a database that has already pivoted.
Result<PivotSummary> PivotDatabase(Connection& conn, const UpgradeSet& set,
                                   const UpgradeOptions& options, Reporter* reporter);

struct RollbackSummary {
  size_t rolled_back = 0;  // items whose rollback section ran
  bool nothing_to_do = false;
  bool thawed = false;
};

// Undoes prepare on a database that has not pivoted: runs the rollback
// section of every prepared item and of the item a crash or failure left
// partly prepared, newest first, each with the removal of its row; clears the
// prepared state and lifts the DDL freeze. On PostgreSQL it first checks that
// nothing outside what prepare created depends on what the rollback sections
// drop, and refuses (kRefused) with the list. Refuses (kRefused) a database
// that has pivoted: the only way from there is forward.
Result<RollbackSummary> RollBackPrepared(Connection& conn, const UpgradeSet& set,
                                         const UpgradeOptions& options, Reporter* reporter);

// A DDL freeze in force on a database.
struct FreezeInfo {
  std::string upgrade_id;
  std::string since;
};

// Blocks DDL from every session but ratchet's (PostgreSQL: an event trigger
// whose error names ratchet and the upgrade), while reads and writes go on.
// Needs a superuser on PostgreSQL; kRefused says so otherwise. On SQLite
// returns kInvalidArgument: SQLite has no way to block another process's DDL.
// Idempotent.
Status FreezeDdl(Connection& conn, const std::string& upgrade_id);

// Lifts the freeze. Idempotent; OK when there is none.
Status ThawDdl(Connection& conn);

// The freeze in force, or nullopt.
Result<std::optional<FreezeInfo>> ReadFreeze(Connection& conn);

}  // namespace ratchet

#endif  // RATCHET_ONLINE_H_
