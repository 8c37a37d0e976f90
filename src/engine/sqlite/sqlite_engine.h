// The parts of the SQLite engine that its driver (sqlite_driver.cc) puts
// together behind EngineDriver. Nothing outside src/engine/sqlite/
// includes this.
#ifndef RATCHET_SRC_ENGINE_SQLITE_SQLITE_ENGINE_H_
#define RATCHET_SRC_ENGINE_SQLITE_SQLITE_ENGINE_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/engine_driver.h"
#include "engine/sqlite/sqlite_parse.h"

namespace ratchet::sqlite {

// The driver registered for EngineKind::kSqlite.
const EngineDriver& Driver();

// Splits `text` and reads what each statement does from its text
// (sqlite_effects.cc). kInvalidSet when it ends in an incomplete statement.
Result<std::vector<StatementEffects>> AnalyseSection(std::string_view text);

// Reads the schema from sqlite_schema and its pragmas (sqlite_snapshot.cc).
Result<Snapshot> ReadCatalog(Connection& conn, const SnapshotOptions& options);

// Scratch databases as files in a temporary directory (sqlite_scratch.cc).
Result<std::unique_ptr<ScratchServer>> OpenScratch(const std::string& history_schema);

// What the checks ask of sqlite_schema and pragmas (sqlite_catalog_facts.cc).
const CatalogFacts& SqliteFacts();

// The copy place of a SQLite file F: F.copying while the copy is taken,
// F.new once it is complete, F.old for the kept original. Writes are frozen
// by a write transaction held on F (sqlite_copy_place.cc).
std::unique_ptr<CopyPlace> OpenCopyPlace(const Target& target, const ConnectOptions& options);

}  // namespace ratchet::sqlite

#endif  // RATCHET_SRC_ENGINE_SQLITE_SQLITE_ENGINE_H_
