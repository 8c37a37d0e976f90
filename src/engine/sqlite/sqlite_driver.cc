// The SQLite engine behind EngineDriver: sqlite3_complete's dialect,
// sqlite_schema, scratch and copy files beside the database, and savepoint
// groups so that a run pays for few durable commits.
#include "engine/sqlite/sqlite_engine.h"

namespace ratchet::sqlite {
namespace {

class SqliteDriver : public EngineDriver {
 public:
  EngineKind kind() const override { return EngineKind::kSqlite; }
  const char* title() const override { return "SQLite"; }

  Status SplitScript(std::string_view text, std::vector<Statement>* out) const override {
    return sqlite::SplitScript(text, out);
  }
  Result<std::vector<StatementEffects>> AnalyseSection(std::string_view text) const override {
    return sqlite::AnalyseSection(text);
  }

  // SQLite's column types are names; a change of one is a new table.
  bool BinaryCoercible(const std::string& from, const std::string& to) const override {
    return from == to;
  }

  Result<Snapshot> ReadCatalog(Connection& conn, const SnapshotOptions& options) const override {
    return sqlite::ReadCatalog(conn, options);
  }
  Result<std::vector<std::string>> Unsound(Connection& conn) const override {
    auto rows = conn.Query(
        "SELECT integrity_check FROM pragma_integrity_check WHERE integrity_check <> 'ok'");
    if (!rows.ok()) return rows.status();
    std::vector<std::string> out;
    for (const Row& row : rows->rows) out.push_back(row[0].value_or(""));
    return out;
  }
  // A lock timeout on SQLite is the busy timeout on the whole file; the
  // holder is another process, which the upgrade lock's message names.
  bool names_lock_holders() const override { return false; }
  Result<std::vector<std::string>> LockHolders(Connection&) const override {
    return std::vector<std::string>();
  }

  const CatalogFacts& catalog_facts() const override { return SqliteFacts(); }

  bool error_aborts_transaction() const override { return false; }
  // Every commit waits for the disk (rollback journal, synchronous=FULL by
  // default, which ratchet does not weaken): group items under savepoints.
  bool groups_items() const override { return true; }
  const char* relaxed_commit() const override { return ""; }
  Status BeginReadOnly(Connection& conn, std::chrono::milliseconds,
                       std::chrono::milliseconds) const override {
    RATCHET_RETURN_IF_ERROR(conn.Execute("PRAGMA query_only = ON"));
    Status begun = conn.Execute("BEGIN DEFERRED");
    if (!begun.ok()) conn.Execute("PRAGMA query_only = OFF");
    return begun;
  }
  void EndReadOnly(Connection& conn) const override {
    conn.Rollback();
    conn.Execute("PRAGMA query_only = OFF");
  }
  const char* begin_statement() const override { return "BEGIN IMMEDIATE"; }
  const char* upgrade_lock_kind() const override { return "a lock on the database file"; }

  Result<std::unique_ptr<ScratchServer>> OpenScratch(
      const ScratchOptions&, const std::string& history_schema) const override {
    return sqlite::OpenScratch(history_schema);
  }
  Result<std::unique_ptr<CopyPlace>> OpenCopyPlace(const Target& target,
                                                   const ConnectOptions& options,
                                                   Connection*) const override {
    return sqlite::OpenCopyPlace(target, options);
  }
  // The file's and its folder's modes decide; the copy place checks them.
  Result<std::vector<std::string>> MissingCopyPrivileges(Connection&) const override {
    return std::vector<std::string>();
  }
};

}  // namespace

const EngineDriver& Driver() {
  static const SqliteDriver driver;
  return driver;
}

}  // namespace ratchet::sqlite
