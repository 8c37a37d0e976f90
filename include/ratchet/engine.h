// The engine interface: one connection to one database of one engine.
#ifndef RATCHET_ENGINE_H_
#define RATCHET_ENGINE_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ratchet/status.h"

namespace ratchet {

enum class EngineKind { kSqlite, kPostgres };

// "sqlite" or "postgresql": the suffix of engine-specific item files.
const char* EngineName(EngineKind kind);

// A bound parameter: NULL, an integer or text.
using Value = std::variant<std::monostate, int64_t, std::string>;

// One result row; a NULL column is std::nullopt.
using Row = std::vector<std::optional<std::string>>;

struct QueryResult {
  std::vector<std::string> columns;
  std::vector<Row> rows;
};

// Where to connect. Parsed from what the user typed; never holds a password
// in `display`, which is the only form that may reach output (invariant 8).
struct Target {
  EngineKind kind = EngineKind::kSqlite;
  // SQLite: the file path. PostgreSQL: the libpq connection string, exactly
  // as given (URL or keywords); may contain a password.
  std::string conninfo;
  // A password-free name for messages, e.g. "sqlite:shop.db" or
  // "postgresql://app@db1:5432/shop".
  std::string display;
};

// Parses a target: "sqlite:path", "sqlite://path", "postgresql://...",
// "postgres://...", or a libpq keyword string ("host=... dbname=...").
// Returns kInvalidArgument with the accepted forms on anything else.
Result<Target> ParseTarget(std::string_view text);

// Parses the text of a targets file (`--targets`): one target a line, blank
// lines and lines starting with '#' skipped, spaces around a target ignored.
// `file_name` is how messages name the file. Returns kInvalidArgument with
// "file_name:line: why" on the first bad line, and when no line names a
// database.
Result<std::vector<Target>> ParseTargetsFile(std::string_view text, std::string_view file_name);

// Per-item session limits. Zero means "no limit".
struct Timeouts {
  std::chrono::milliseconds lock_timeout{0};
  std::chrono::milliseconds statement_timeout{0};
};

// How the bookkeeping stores its values on one engine: PostgreSQL's native
// types where an operator queries them, SQLite's own types there.
struct BookkeepingTypes {
  std::string time;   // a moment in UTC: "timestamptz" or "TEXT"
  std::string flag;   // yes or no: "boolean" or "INTEGER"
  std::string count;  // a 64-bit count or duration: "bigint" or "INTEGER"
  std::string no;     // the flag's "no" literal: "false" or "0"
  // Reads time column `{}` (in any format) as ratchet's text for a moment,
  // "2026-12-02T07:20:00.123Z", for fmt::format.
  std::string time_as_text;
};

// A connection to one database. Not thread-safe: one thread uses it at a time.
// Every method returns a non-OK Status rather than throwing.
class Connection {
 public:
  virtual ~Connection() = default;

  virtual EngineKind kind() const = 0;
  // The password-free name of the database, for messages.
  virtual const std::string& display_name() const = 0;

  // Executes one statement with $1..$n parameters and discards any rows.
  virtual Status Execute(std::string_view sql, const std::vector<Value>& params = {}) = 0;

  // Executes one statement with $1..$n parameters and returns its rows as text.
  virtual Result<QueryResult> Query(std::string_view sql,
                                    const std::vector<Value>& params = {}) = 0;

  // Executes every statement of `script`, split by the engine's own rules,
  // in order, inside whatever transaction is open. On the first failure
  // stops and returns kUpgradeFailed with a DbError whose statement_offset
  // is the failing statement's byte offset within `script`.
  virtual Status ExecuteScript(std::string_view script) = 0;

  virtual Status Begin() = 0;
  virtual Status Commit() = 0;
  // Rolls back the open transaction, if any. Safe to call when none is open.
  virtual Status Rollback() = 0;
  // True while a transaction is open (also one that failed and awaits its
  // rollback). False after the engine ended a transaction on its own, as
  // SQLite does on some errors (a full disk, an I/O error).
  virtual bool InTransaction() const = 0;

  // Takes the per-database upgrade lock (invariant 3), waiting up to `wait`.
  // Returns kLockBusy naming the holder (pid, and what the engine knows of it)
  // when it is not obtained in time. Held until ReleaseUpgradeLock or close.
  virtual Status AcquireUpgradeLock(std::chrono::milliseconds wait) = 0;
  virtual void ReleaseUpgradeLock() = 0;

  // Applies per-item lock and statement timeouts to the session.
  virtual Status SetTimeouts(const Timeouts& timeouts) = 0;

  // The name of bookkeeping table `name` ("items", "state", "events"),
  // quoted as the engine needs: ratchet_items on SQLite, "ratchet".items on
  // PostgreSQL.
  virtual std::string BookkeepingTable(std::string_view name) const = 0;
  // Statements to run before the bookkeeping tables are created (PostgreSQL:
  // CREATE SCHEMA IF NOT EXISTS). Empty on SQLite.
  virtual std::vector<std::string> BookkeepingPrelude() const = 0;
  // Returns true if the bookkeeping tables exist. Never creates them.
  virtual Result<bool> HasBookkeeping() = 0;
  // The format of the bookkeeping tables found: 0 when there are none, 1
  // for tables written before the format was recorded (no `format` column
  // in the state table), otherwise the state row's `format`. Never writes.
  virtual Result<int> BookkeepingFormat() = 0;
  // The column types of the current bookkeeping format on this engine.
  virtual BookkeepingTypes bookkeeping_types() const = 0;
  // Statements that change the column types of bookkeeping tables in format
  // `to - 1` into those of format `to`, run in one transaction with the
  // rest of the format upgrade. Empty when this engine's types did not
  // change between the two formats.
  virtual std::vector<std::string> BookkeepingRetype(int to) const = 0;
};

struct ConnectOptions {
  // Bookkeeping schema on PostgreSQL; table prefix "<name>_" on SQLite.
  std::string history_schema = "ratchet";
  // How long a statement waits on a lock held by the application
  // (SQLite busy timeout). PostgreSQL uses Timeouts per item instead.
  std::chrono::milliseconds busy_timeout{5000};
  // When false, a SQLite file that does not exist is an error rather than
  // being created (read-only commands such as status and plan).
  bool create_if_missing = true;
};

// Opens a connection. Returns kConnection with one clear line (no password)
// when the database cannot be reached or opened.
Result<std::unique_ptr<Connection>> Connect(const Target& target, const ConnectOptions& options);

// Lists the databases on the PostgreSQL server behind `server` whose names
// match the SQL LIKE `pattern` (e.g. "tenant_%"), sorted by name, as targets
// that differ from `server` only in the database. Templates and databases
// that do not allow connections are left out. kInvalidArgument for a SQLite
// target; kConnection when the server cannot be reached.
Result<std::vector<Target>> ListDatabases(const Target& server, std::string_view pattern,
                                          const ConnectOptions& options);

// The target of database `dbname` on the PostgreSQL server of `target`, with
// the same user and connection settings. kInvalidArgument for a SQLite
// target, or when `target`'s connection string cannot be read.
Result<Target> TargetForDatabase(const Target& target, std::string_view dbname);

}  // namespace ratchet

#endif  // RATCHET_ENGINE_H_
