// The registry of engines: which driver serves which EngineKind, and the
// names item files and ratchet.toml give them.
#include "engine/engine_driver.h"
#include "engine/postgres/postgres_engine.h"
#include "engine/sqlite/sqlite_engine.h"

namespace ratchet {

const EngineDriver& DriverFor(EngineKind engine) {
  switch (engine) {
    case EngineKind::kSqlite:
      return sqlite::Driver();
    case EngineKind::kPostgres:
      return postgres::Driver();
  }
  return sqlite::Driver();
}

const ScriptDialect& DialectFor(EngineKind engine) { return DriverFor(engine); }

const std::vector<EngineKind>& AllEngines() {
  static const std::vector<EngineKind> all = {EngineKind::kSqlite, EngineKind::kPostgres};
  return all;
}

const char* EngineName(EngineKind kind) {
  return kind == EngineKind::kSqlite ? "sqlite" : "postgresql";
}

std::optional<EngineKind> EngineNamed(std::string_view name) {
  for (EngineKind engine : AllEngines()) {
    if (name == EngineName(engine)) return engine;
  }
  return std::nullopt;
}

Result<std::vector<StatementEffects>> AnalyseSection(EngineKind engine, std::string_view text) {
  return DriverFor(engine).AnalyseSection(text);
}

Result<std::unique_ptr<ScratchServer>> OpenScratchServer(const ScratchOptions& options,
                                                         const std::string& history_schema) {
  return DriverFor(options.engine).OpenScratch(options, history_schema);
}

}  // namespace ratchet
