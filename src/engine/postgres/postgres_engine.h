// The parts of the PostgreSQL engine that its driver (postgres_driver.cc)
// puts together behind EngineDriver. Nothing outside src/engine/postgres/
// includes this.
#ifndef RATCHET_SRC_ENGINE_POSTGRES_POSTGRES_ENGINE_H_
#define RATCHET_SRC_ENGINE_POSTGRES_POSTGRES_ENGINE_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/engine_driver.h"
#include "engine/postgres/pg_parse.h"
#include "engine/postgres/postgres_connection.h"

namespace ratchet::postgres {

// The driver registered for EngineKind::kPostgres.
const EngineDriver& Driver();

// Splits `text` with libpg_query and reads what each statement does
// (pg_effects.cc). kInvalidSet if it does not parse.
Result<std::vector<StatementEffects>> AnalyseSection(std::string_view text);

// Reads the schema from pg_catalog (pg_snapshot.cc).
Result<Snapshot> ReadCatalog(Connection& conn, const SnapshotOptions& options);

// Scratch databases on the server `options.server` (pg_scratch.cc).
Result<std::unique_ptr<ScratchServer>> OpenScratch(const ScratchOptions& options,
                                                   const std::string& history_schema);

// The copy place of database D: D_copying while the copy is taken, D_new
// once complete, D_old for the kept original, all on D's server. Writes are
// frozen by closing D to connections (pg_copy_place.cc).
Result<std::unique_ptr<CopyPlace>> OpenCopyPlace(const Target& target,
                                                 const ConnectOptions& options, Connection* server);

// The database setting that marks a database frozen by copy-upgrade, not
// by its owner.
inline constexpr char kCopyFreezeMarker[] = "ratchet.copy_upgrade";

// Each privilege the current role lacks for copy-upgrade of `database`
// (CREATEDB; ownership of the database; the right to set
// kCopyFreezeMarker on it, which PostgreSQL 15 and later give only to
// superusers and to roles granted SET ON PARAMETER; superuser to carry a
// superuser-only setting of the database), each with how to get it. Empty
// for a superuser, and when the database does not exist. Runs only queries
// that succeed on every supported major, so it may run inside a transaction
// (pg_privileges.cc).
Result<std::vector<std::string>> MissingCopyUpgradePrivileges(Connection& conn,
                                                              const std::string& database);

// What the checks ask of pg_catalog (pg_catalog_facts.cc).
const CatalogFacts& PgCatalogFacts();

// True when ALTER COLUMN ... TYPE from `from` to `to` (as format_type
// writes them) rewrites nothing: varchar to a longer varchar or text, text
// to varchar without a length, numeric to a wider numeric of the same scale.
bool BinaryCoercible(const std::string& from, const std::string& to);

// The freeze by event trigger (pg_freeze.cc).
const DdlFreeze& EventTriggerDdlFreeze();

// Asks pg_depend what depends on what the rollback sections of `items`
// drop (pg_dependents.cc); see DependentsCheck.
Status RefuseOutsideDependents(Connection& conn, const std::vector<const Item*>& items);

}  // namespace ratchet::postgres

#endif  // RATCHET_SRC_ENGINE_POSTGRES_POSTGRES_ENGINE_H_
