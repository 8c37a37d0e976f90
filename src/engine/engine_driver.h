// An engine as the layers above it see it: its dialect (splitting and
// analysing statements), its catalog, the places it makes (scratch
// databases, a copy to swap in), the small ways its transactions differ,
// and the capabilities an engine may or may not have. Everything
// engine-specific above a Connection is reached through this interface;
// nothing in plan, check, run, verify or fleet names an engine.
//
// Adding an engine: a folder under src/engine/<engine>/ with its
// Connection and an EngineDriver, registered in drivers.cc.
#ifndef RATCHET_SRC_ENGINE_ENGINE_DRIVER_H_
#define RATCHET_SRC_ENGINE_ENGINE_DRIVER_H_

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/catalog_facts.h"
#include "engine/copy_place.h"
#include "engine/scratch.h"
#include "engine/statement_effects.h"
#include "ratchet/engine.h"
#include "ratchet/online.h"
#include "ratchet/snapshot.h"
#include "ratchet/upgrade_set.h"
#include "ratchet/verify.h"
#include "set/dialect.h"

namespace ratchet {

// Blocks other sessions' DDL for the online window, letting ratchet's own
// sessions through.
class DdlFreeze {
 public:
  virtual ~DdlFreeze() = default;
  // Sets the freeze for upgrade `upgrade_id`, in one transaction. Refuses
  // (kRefused, saying why and what to do) when the role may not.
  virtual Status Freeze(Connection& conn, const std::string& upgrade_id) const = 0;
  // The freeze in force, or nullopt.
  virtual Result<std::optional<FreezeInfo>> Read(Connection& conn) const = 0;
  // Lifts the freeze, if any.
  virtual Status Thaw(Connection& conn) const = 0;
};

// Before rollback drops what prepare made: what else depends on it.
class DependentsCheck {
 public:
  virtual ~DependentsCheck() = default;
  // Returns kRefused listing every object that depends on what the
  // rollback sections of `items` drop and that neither their prepare
  // sections created nor the rollback itself drops, so rollback never takes
  // the application's objects with it. Objects that do not exist (a partly
  // prepared database) are skipped.
  virtual Status RefuseOutsideDependents(Connection& conn,
                                         const std::vector<const Item*>& items) const = 0;
};

// An index build outside a transaction that a crash interrupted can leave
// an unusable index behind, in the way of building it again.
class IndexBuildRepair {
 public:
  virtual ~IndexBuildRepair() = default;
  // The index `statement` builds when a build of it was interrupted and
  // left it unusable, else "" (also for any other statement).
  virtual Result<std::string> LeftUnusable(Connection& conn, std::string_view statement,
                                           const Statement& parsed) const = 0;
  // Drops that index without blocking writers.
  virtual Status DropUnusable(Connection& conn, const std::string& index) const = 0;
};

// One step of a batch: a script, split into statements as ExecuteScript
// does, or one statement with $1..$n parameters as Execute does.
struct BatchStep {
  std::string_view sql;
  std::vector<Value> params;
  bool script = false;
  // For a script: its statements as the dialect found them when the set was
  // loaded, so the script is not parsed a second time; null to split here.
  const std::vector<Statement>* statements = nullptr;
};

// Sending an item, its bookkeeping row and the commit in one round trip.
class RoundTripBatch {
 public:
  virtual ~RoundTripBatch() = default;
  // An SQL expression for how long the open transaction has run, in ms,
  // measured by the server.
  virtual std::string elapsed_ms_sql() const = 0;
  // Runs `steps` in order and then, when `commit` is set, COMMIT, with the
  // outcome of calling ExecuteScript/Execute/Commit one by one. On failure
  // returns the first error (a script's statement_offset is within that
  // step's sql), sets `*failed_step` to the step's index (steps.size() for
  // the COMMIT) and leaves the failed transaction open: call Rollback.
  // REQUIRES: a transaction is open (after Begin).
  virtual Status ExecuteBatch(Connection& conn, const std::vector<BatchStep>& steps, bool commit,
                              size_t* failed_step) const = 0;
};

class EngineDriver : public ScriptDialect {
 public:
  virtual EngineKind kind() const = 0;
  // The engine as messages name it: "SQLite", "PostgreSQL".
  virtual const char* title() const = 0;

  // -- Dialect. SplitScript (ScriptDialect) splits; this reads what each
  // statement of a section does. kInvalidSet if it does not parse.
  virtual Result<std::vector<StatementEffects>> AnalyseSection(std::string_view text) const = 0;

  // True when changing a column's type from `from` to `to` (as the
  // catalog writes types) rewrites nothing.
  virtual bool BinaryCoercible(const std::string& from, const std::string& to) const = 0;

  // -- Catalog. Reads the schema of `conn`'s database, unsorted.
  virtual Result<Snapshot> ReadCatalog(Connection& conn, const SnapshotOptions& options) const = 0;
  // What makes the database unsound in the engine's own eyes (a failed
  // integrity check, an index left unusable), one line each; empty when
  // sound.
  virtual Result<std::vector<std::string>> Unsound(Connection& conn) const = 0;
  // The sessions of `conn`'s database holding table locks in open
  // transactions, one line each (who, since when, what they run): what an
  // item that timed out on a lock queued behind.
  // REQUIRES: names_lock_holders().
  virtual bool names_lock_holders() const = 0;
  virtual Result<std::vector<std::string>> LockHolders(Connection& conn) const = 0;

  // What the pre-upgrade checks ask of the catalog.
  virtual const CatalogFacts& catalog_facts() const = 0;

  // -- Transactions.
  // True when a failed statement leaves the open transaction unusable until
  // it is rolled back (to a savepoint), as on PostgreSQL.
  virtual bool error_aborts_transaction() const = 0;
  // True when every durable commit waits for the disk, so that a run's
  // items are worth grouping under savepoints into fewer commits.
  virtual bool groups_items() const = 0;
  // A statement making the open transaction's commit not wait for the disk
  // (still atomic), or "" when the engine has none.
  virtual const char* relaxed_commit() const = 0;
  // Opens a read-only transaction (the checks'), bounded by `lock_timeout`
  // and `statement_timeout` where the engine can bound it; EndReadOnly
  // rolls it back and restores the session.
  virtual Status BeginReadOnly(Connection& conn, std::chrono::milliseconds lock_timeout,
                               std::chrono::milliseconds statement_timeout) const = 0;
  virtual void EndReadOnly(Connection& conn) const = 0;
  // What Connection::Begin sends, and what the upgrade lock is, for plan --sql.
  virtual const char* begin_statement() const = 0;
  virtual const char* upgrade_lock_kind() const = 0;

  // -- Places.
  virtual Result<std::unique_ptr<ScratchServer>> OpenScratch(
      const ScratchOptions& options, const std::string& history_schema) const = 0;
  // The copy place of `target` for copy-upgrade. With `server` (a
  // connection to the same server, not owned) it reads only.
  virtual Result<std::unique_ptr<CopyPlace>> OpenCopyPlace(const Target& target,
                                                           const ConnectOptions& options,
                                                           Connection* server) const = 0;

  // Each privilege the current role lacks for a copy-upgrade of `conn`'s
  // database, with how to get it; empty when it lacks none or the engine
  // checks them when the copy-upgrade opens its place.
  virtual Result<std::vector<std::string>> MissingCopyPrivileges(Connection& conn) const = 0;

  // -- Capabilities; null when the engine has none.
  virtual const DdlFreeze* ddl_freeze() const { return nullptr; }
  virtual const DependentsCheck* dependents_check() const { return nullptr; }
  virtual const IndexBuildRepair* index_build_repair() const { return nullptr; }
  virtual const RoundTripBatch* round_trip_batch() const { return nullptr; }
};

// The driver of `engine`.
const EngineDriver& DriverFor(EngineKind engine);

// The engine named `name` ("sqlite", "postgresql", as item files and
// ratchet.toml name them), or nullopt.
std::optional<EngineKind> EngineNamed(std::string_view name);

// Every engine ratchet has, in a fixed order.
const std::vector<EngineKind>& AllEngines();

// DriverFor(engine).AnalyseSection(text).
Result<std::vector<StatementEffects>> AnalyseSection(EngineKind engine, std::string_view text);

}  // namespace ratchet

#endif  // RATCHET_SRC_ENGINE_ENGINE_DRIVER_H_
