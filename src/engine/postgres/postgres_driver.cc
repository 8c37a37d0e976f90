// The PostgreSQL engine behind EngineDriver: libpg_query's dialect,
// pg_catalog, scratch and copy databases on the server, and what only
// PostgreSQL has (a DDL freeze, pg_depend, concurrent index builds, one
// round trip per item).
#include <fmt/format.h>

#include "engine/postgres/pg_index.h"
#include "engine/postgres/postgres_engine.h"

namespace ratchet::postgres {
namespace {

class Dependents : public DependentsCheck {
 public:
  Status RefuseOutsideDependents(Connection& conn,
                                 const std::vector<const Item*>& items) const override {
    return postgres::RefuseOutsideDependents(conn, items);
  }
};

class ConcurrentIndexRepair : public IndexBuildRepair {
 public:
  Result<std::string> LeftUnusable(Connection& conn, std::string_view statement,
                                   const Statement& parsed) const override {
    if (!parsed.non_transactional || parsed.node != "IndexStmt") return std::string();
    std::string index = ConcurrentIndexName(statement);
    if (index.empty()) return std::string();
    // A concurrent build that was interrupted leaves the index INVALID:
    // unused by queries but still maintained, and in the way of the rebuild.
    auto invalid = conn.Query(
        "SELECT 1 FROM pg_index WHERE indexrelid = to_regclass($1) AND NOT indisvalid", {index});
    if (!invalid.ok()) return invalid.status();
    return invalid->rows.empty() ? std::string() : index;
  }
  Status DropUnusable(Connection& conn, const std::string& index) const override {
    return conn.Execute("DROP INDEX CONCURRENTLY IF EXISTS " + index);
  }
};

class PipelineBatch : public RoundTripBatch {
 public:
  std::string elapsed_ms_sql() const override {
    return "CAST(EXTRACT(EPOCH FROM clock_timestamp() - now()) * 1000 AS bigint)";
  }
  Status ExecuteBatch(Connection& conn, const std::vector<BatchStep>& steps, bool commit,
                      size_t* failed_step) const override {
    return postgres::ExecuteBatch(conn, steps, commit, failed_step);
  }
};

class PostgresDriver : public EngineDriver {
 public:
  EngineKind kind() const override { return EngineKind::kPostgres; }
  const char* title() const override { return "PostgreSQL"; }

  Status SplitScript(std::string_view text, std::vector<Statement>* out) const override {
    return postgres::SplitScript(text, out);
  }
  Result<std::vector<StatementEffects>> AnalyseSection(std::string_view text) const override {
    return postgres::AnalyseSection(text);
  }

  bool BinaryCoercible(const std::string& from, const std::string& to) const override {
    return postgres::BinaryCoercible(from, to);
  }

  Result<Snapshot> ReadCatalog(Connection& conn, const SnapshotOptions& options) const override {
    return postgres::ReadCatalog(conn, options);
  }
  Result<std::vector<std::string>> Unsound(Connection& conn) const override {
    auto rows = conn.Query(
        "SELECT indexrelid::regclass::text || ' is INVALID' FROM pg_index WHERE NOT indisvalid");
    if (!rows.ok()) return rows.status();
    std::vector<std::string> out;
    for (const Row& row : rows->rows) out.push_back(row[0].value_or(""));
    return out;
  }
  bool names_lock_holders() const override { return true; }
  Result<std::vector<std::string>> LockHolders(Connection& conn) const override {
    auto holders = conn.Query(
        "SELECT a.pid, coalesce(a.application_name, ''), coalesce(host(a.client_addr), 'local'), "
        "to_char(a.xact_start, 'YYYY-MM-DD HH24:MI:SS TZ'), coalesce(a.state, ''), "
        "left(regexp_replace(coalesce(a.query, ''), '\\s+', ' ', 'g'), 80) "
        "FROM pg_stat_activity a WHERE a.datname = current_database() "
        "AND a.pid <> pg_backend_pid() AND a.xact_start IS NOT NULL "
        "AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.locktype = 'relation' "
        "AND l.granted) ORDER BY a.xact_start LIMIT 5");
    if (!holders.ok()) return holders.status();
    std::vector<std::string> out;
    for (const Row& row : holders->rows) {
      auto at = [&](size_t k) { return row[k].value_or(""); };
      out.push_back(
          fmt::format("pid {} (application '{}', client {}, in a transaction since {}, {}): {}",
                      at(0), at(1), at(2), at(3), at(4), at(5)));
    }
    return out;
  }

  const CatalogFacts& catalog_facts() const override { return PgCatalogFacts(); }

  bool error_aborts_transaction() const override { return true; }
  // Every item commits on its own (no item's locks outlive it on a live
  // server), without waiting for the WAL flush: see relaxed_commit.
  bool groups_items() const override { return false; }
  const char* relaxed_commit() const override { return "SET LOCAL synchronous_commit = off"; }
  Status BeginReadOnly(Connection& conn, std::chrono::milliseconds lock_timeout,
                       std::chrono::milliseconds statement_timeout) const override {
    RATCHET_RETURN_IF_ERROR(conn.Execute("BEGIN READ ONLY"));
    auto limit = [](std::chrono::milliseconds ms) { return std::to_string(ms.count()) + "ms"; };
    Status limited = conn.Execute(
        "SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true)",
        {Value(limit(lock_timeout)), Value(limit(statement_timeout))});
    if (!limited.ok()) conn.Rollback();
    return limited;
  }
  void EndReadOnly(Connection& conn) const override { conn.Rollback(); }
  const char* begin_statement() const override { return "BEGIN"; }
  const char* upgrade_lock_kind() const override { return "a session advisory lock"; }

  Result<std::unique_ptr<ScratchServer>> OpenScratch(
      const ScratchOptions& options, const std::string& history_schema) const override {
    return postgres::OpenScratch(options, history_schema);
  }
  Result<std::unique_ptr<CopyPlace>> OpenCopyPlace(const Target& target,
                                                   const ConnectOptions& options,
                                                   Connection* server) const override {
    return postgres::OpenCopyPlace(target, options, server);
  }
  Result<std::vector<std::string>> MissingCopyPrivileges(Connection& conn) const override {
    auto db = conn.Query("SELECT current_database()");
    if (!db.ok()) return db.status();
    return MissingCopyUpgradePrivileges(conn, db->rows.at(0).at(0).value_or(""));
  }

  const DdlFreeze* ddl_freeze() const override { return &EventTriggerDdlFreeze(); }
  const DependentsCheck* dependents_check() const override { return &dependents_; }
  const IndexBuildRepair* index_build_repair() const override { return &index_repair_; }
  const RoundTripBatch* round_trip_batch() const override { return &batch_; }

 private:
  Dependents dependents_;
  ConcurrentIndexRepair index_repair_;
  PipelineBatch batch_;
};

}  // namespace

const EngineDriver& Driver() {
  static const PostgresDriver driver;
  return driver;
}

}  // namespace ratchet::postgres
