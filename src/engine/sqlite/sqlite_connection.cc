// SQLite connections: scripts split by sqlite3_prepare_v2 tails, the upgrade
// lock as an flock on the database file, statement timeouts through the
// progress handler.
#include "engine/sqlite/sqlite_connection.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>
#include <unordered_map>

#include "engine/interrupt_registry.h"
#include "ratchet/interrupt.h"
#include "ratchet/text.h"
#include "sql/sql_lexer.h"
#include "util/fault.h"

namespace ratchet::sqlite {
namespace {

using Clock = std::chrono::steady_clock;

const char* PrimaryCodeName(int code) {
  switch (code & 0xff) {
    case SQLITE_ERROR:
      return "SQLITE_ERROR";
    case SQLITE_INTERNAL:
      return "SQLITE_INTERNAL";
    case SQLITE_PERM:
      return "SQLITE_PERM";
    case SQLITE_ABORT:
      return "SQLITE_ABORT";
    case SQLITE_BUSY:
      return "SQLITE_BUSY";
    case SQLITE_LOCKED:
      return "SQLITE_LOCKED";
    case SQLITE_NOMEM:
      return "SQLITE_NOMEM";
    case SQLITE_READONLY:
      return "SQLITE_READONLY";
    case SQLITE_INTERRUPT:
      return "SQLITE_INTERRUPT";
    case SQLITE_IOERR:
      return "SQLITE_IOERR";
    case SQLITE_CORRUPT:
      return "SQLITE_CORRUPT";
    case SQLITE_FULL:
      return "SQLITE_FULL";
    case SQLITE_CANTOPEN:
      return "SQLITE_CANTOPEN";
    case SQLITE_CONSTRAINT:
      return "SQLITE_CONSTRAINT";
    case SQLITE_MISMATCH:
      return "SQLITE_MISMATCH";
    case SQLITE_MISUSE:
      return "SQLITE_MISUSE";
    case SQLITE_RANGE:
      return "SQLITE_RANGE";
    case SQLITE_NOTADB:
      return "SQLITE_NOTADB";
    default:
      return "SQLITE";
  }
}

struct StatementDeleter {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using StatementPtr = std::unique_ptr<sqlite3_stmt, StatementDeleter>;

// Offset of the first code byte in `text`, skipping blanks and comments.
size_t FirstCode(std::string_view text) {
  size_t first = std::string_view::npos;
  ScanSql(
      text,
      [&](SqlSegment kind, size_t begin, size_t) {
        if (first == std::string_view::npos &&
            (kind == SqlSegment::kCode || kind == SqlSegment::kQuoted)) {
          first = begin;
        }
      },
      SqlDialect::kSqlite);
  return first == std::string_view::npos ? text.size() : first;
}

// The pid holding an flock on the file with this device and inode, from
// /proc/locks, or 0.
pid_t FlockHolder(dev_t dev, ino_t ino) {
  // Lines read "1: FLOCK  ADVISORY  WRITE <pid> <major>:<minor>:<inode> 0 EOF",
  // device numbers in hex; waiters are marked "->" and skipped.
  std::ifstream in("/proc/locks");
  std::string line;
  const std::string wanted = fmt::format("{:02x}:{:02x}:{}", major(dev), minor(dev), ino);
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string index, type, mode, access, pid, id;
    fields >> index >> type >> mode >> access >> pid >> id;
    if (type == "FLOCK" && id == wanted) return static_cast<pid_t>(std::atoi(pid.c_str()));
  }
  return 0;
}

// What an operator needs to know of the process holding the lock: its
// command name, the ratchet command it runs, and when it started. Never its
// whole command line, which may carry another target's password.
std::string ProcessDescription(pid_t pid) {
  std::ifstream comm_file(fmt::format("/proc/{}/comm", pid));
  std::string comm;
  std::getline(comm_file, comm);
  if (comm.empty()) return "";
  std::string out = comm;
  if (comm == "ratchet") {
    std::ifstream in(fmt::format("/proc/{}/cmdline", pid), std::ios::binary);
    std::string argv0, argv1;
    std::getline(in, argv0, '\0');
    std::getline(in, argv1, '\0');
    bool plain =
        !argv1.empty() && argv1.size() <= 20 && std::all_of(argv1.begin(), argv1.end(), [](char c) {
          return std::islower(static_cast<unsigned char>(c)) || c == '-';
        });
    if (plain) out += " " + argv1;  // the subcommand: upgrade, prepare, ...
  }
  // Field 22 of /proc/<pid>/stat is the start in clock ticks after boot;
  // the command name before it is in parentheses and may hold blanks.
  std::ifstream stat_file(fmt::format("/proc/{}/stat", pid));
  std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  size_t close = stat.rfind(')');
  std::ifstream uptime_file("/proc/uptime");
  double uptime = 0;
  uptime_file >> uptime;
  long ticks = sysconf(_SC_CLK_TCK);
  if (close != std::string::npos && uptime > 0 && ticks > 0) {
    std::istringstream fields(stat.substr(close + 1));
    std::string field;
    unsigned long long start = 0;
    for (int k = 3; k <= 22 && fields >> field; ++k) {
      if (k == 22) start = std::strtoull(field.c_str(), nullptr, 10);
    }
    double age = uptime - static_cast<double>(start) / static_cast<double>(ticks);
    if (start > 0 && age >= 0) out += fmt::format(", running for {:.0f} s", age);
  }
  return out;
}

class SqliteConnection final : public Connection {
 public:
  SqliteConnection(sqlite3* db, std::string path, std::string display,
                   const ConnectOptions& options)
      : db_(db), path_(std::move(path)), display_(std::move(display)), options_(options) {
    sqlite3_busy_timeout(db_, static_cast<int>(options.busy_timeout.count()));
    sqlite3_progress_handler(db_, 10000, &SqliteConnection::Progress, this);
    // A stop request (RequestInterrupt) interrupts what this connection runs.
    cancel_token_ =
        RegisterCancel({[](void* db) { sqlite3_interrupt(static_cast<sqlite3*>(db)); }, db_});
  }

  ~SqliteConnection() override {
    UnregisterCancel(cancel_token_);
    cache_.clear();  // finalized first, so that the close below closes the file
    sqlite3_close_v2(db_);
    // Closed after SQLite: closing any descriptor of the file drops the
    // process's POSIX locks on it, which SQLite relies on.
    if (lock_fd_ >= 0) close(lock_fd_);
  }

  EngineKind kind() const override { return EngineKind::kSqlite; }
  const std::string& display_name() const override { return display_; }
  sqlite3* handle() const { return db_; }

  Status Execute(std::string_view sql, const std::vector<Value>& params) override {
    return Run(sql, params, nullptr);
  }

  Result<QueryResult> Query(std::string_view sql, const std::vector<Value>& params) override {
    QueryResult result;
    Status s = Run(sql, params, &result);
    if (!s.ok()) return s;
    return result;
  }

  Status ExecuteScript(std::string_view script) override {
    const char* begin = script.data();
    const char* end = script.data() + script.size();
    const char* cursor = begin;
    while (cursor < end) {
      size_t tail_offset = static_cast<size_t>(cursor - begin);
      size_t first = FirstCode(std::string_view(cursor, end - cursor));
      if (tail_offset + first >= script.size()) break;  // only blanks and comments left
      size_t statement_offset = tail_offset + first;
      sqlite3_stmt* raw = nullptr;
      const char* next = nullptr;
      deadline_ = statement_timeout_.count() > 0 ? Clock::now() + statement_timeout_
                                                 : Clock::time_point::max();
      int rc = sqlite3_prepare_v2(db_, cursor, static_cast<int>(end - cursor), &raw, &next);
      StatementPtr stmt(raw);
      if (rc != SQLITE_OK) {
        int eo = sqlite3_error_offset(db_);
        size_t error_offset = std::string::npos;
        if (eo >= 0 && tail_offset + eo >= statement_offset) {
          error_offset = tail_offset + eo - statement_offset;
        }
        return ErrorAt(script, statement_offset, next ? next - begin : script.size(), error_offset);
      }
      if (!stmt) break;  // the rest was only comments
      RATCHET_FAULT_POINT("statement.before");
      while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
      }
      if (rc != SQLITE_DONE) {
        return ErrorAt(script, statement_offset, next - begin, std::string::npos);
      }
      RATCHET_FAULT_POINT("statement.after");
      cursor = next;
    }
    deadline_ = Clock::time_point::max();
    return Status::Ok();
  }

  Status Begin() override { return Run("BEGIN IMMEDIATE", {}, nullptr); }
  Status Commit() override { return Run("COMMIT", {}, nullptr); }
  Status Rollback() override {
    if (sqlite3_get_autocommit(db_)) return Status::Ok();
    return Run("ROLLBACK", {}, nullptr);
  }
  bool InTransaction() const override { return !sqlite3_get_autocommit(db_); }

  Status AcquireUpgradeLock(std::chrono::milliseconds wait) override {
    // Whoever takes the upgrade lock is about to write: a file or folder it
    // cannot write is said so now, before anything runs, rather than as the
    // failure of whichever statement first writes.
    bool writable = access(path_.c_str(), W_OK) == 0;
    int why = writable ? 0 : errno;
    if (!writable || sqlite3_db_readonly(db_, "main") == 1) {
      return Status(Code::kInvalidArgument,
                    fmt::format("{} is read-only ({}): ratchet has changed nothing; make it "
                                "writable for this user, e.g. chmod u+w {}, and run again",
                                display_,
                                why == EROFS ? "it is on a read-only file system"
                                             : "this user may not write it",
                                ShellQuote(path_)));
    }
    std::string folder = std::filesystem::path(path_).parent_path().string();
    if (folder.empty()) folder = ".";
    if (access(folder.c_str(), W_OK) != 0) {
      return Status(Code::kInvalidArgument,
                    fmt::format("{}: the folder {} is read-only ({}), and SQLite writes its "
                                "journal beside the database; ratchet has changed nothing. Make "
                                "the folder writable for this user and run again",
                                display_, folder, std::strerror(errno)));
    }
    if (lock_fd_ < 0) {
      lock_fd_ = open(path_.c_str(), O_RDONLY | O_CLOEXEC);
      if (lock_fd_ < 0) {
        return Status(Code::kConnection,
                      fmt::format("{}: cannot open the file to take the upgrade lock: {}", display_,
                                  std::strerror(errno)));
      }
    }
    auto deadline = Clock::now() + wait;
    while (true) {
      if (flock(lock_fd_, LOCK_EX | LOCK_NB) == 0) return Status::Ok();
      if (errno != EWOULDBLOCK && errno != EINTR) {
        return Status(Code::kConnection, fmt::format("{}: cannot take the upgrade lock: {}",
                                                     display_, std::strerror(errno)));
      }
      if (Clock::now() >= deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::string holder = "another process";
    struct stat st {};
    if (fstat(lock_fd_, &st) == 0) {
      pid_t pid = FlockHolder(st.st_dev, st.st_ino);
      if (pid > 0) {
        std::string what = ProcessDescription(pid);
        holder = what.empty() ? fmt::format("pid {}", pid) : fmt::format("pid {} ({})", pid, what);
      }
    }
    return Status(Code::kLockBusy,
                  fmt::format("{}: another ratchet is upgrading this database: the upgrade lock "
                              "is held by {} and was not released within {} ms; wait for it to "
                              "finish, or raise --lock-wait",
                              display_, holder, wait.count()));
  }

  void ReleaseUpgradeLock() override {
    if (lock_fd_ >= 0) flock(lock_fd_, LOCK_UN);
  }

  Status SetTimeouts(const Timeouts& timeouts) override {
    auto busy = timeouts.lock_timeout.count() > 0 ? timeouts.lock_timeout : options_.busy_timeout;
    sqlite3_busy_timeout(db_, static_cast<int>(busy.count()));
    statement_timeout_ = timeouts.statement_timeout;
    return Status::Ok();
  }

  std::string BookkeepingTable(std::string_view name) const override {
    return fmt::format("{}_{}", options_.history_schema, name);
  }
  std::vector<std::string> BookkeepingPrelude() const override { return {}; }

  Result<bool> HasBookkeeping() override {
    auto r = Query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $1",
                   {BookkeepingTable("state")});
    if (!r.ok()) return r.status();
    return !r->rows.empty();
  }

  Result<int> BookkeepingFormat() override {
    const std::string state = BookkeepingTable("state");
    auto found = Query(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $1),"
        " EXISTS (SELECT 1 FROM pragma_table_info($1) WHERE name = 'format')",
        {state});
    if (!found.ok()) return found.status();
    if (found->rows.empty() || found->rows[0][0] != "1") return 0;
    if (found->rows[0][1] != "1") return 1;
    auto format = Query(fmt::format("SELECT format FROM {} WHERE id = 1", state), {});
    if (!format.ok()) return format.status();
    if (format->rows.empty() || !format->rows[0][0]) return 1;
    return std::atoi(format->rows[0][0]->c_str());
  }

  // SQLite's own types in every format: times are ISO 8601 text, which its
  // date functions read.
  BookkeepingTypes bookkeeping_types() const override {
    return {"TEXT", "INTEGER", "INTEGER", "0", "{}"};
  }
  std::vector<std::string> BookkeepingRetype(int) const override { return {}; }

 private:
  static int Progress(void* self) {
    auto* conn = static_cast<SqliteConnection*>(self);
    return Clock::now() > conn->deadline_ ? 1 : 0;
  }

  Status ErrorAt(std::string_view script, size_t statement_offset, size_t statement_end,
                 size_t error_offset) {
    DbError error;
    int code = sqlite3_extended_errcode(db_);
    error.sqlstate = PrimaryCodeName(code);
    error.message = sqlite3_errmsg(db_);
    if ((code & 0xff) == SQLITE_INTERRUPT && InterruptRequested() != 0) {
      error.message =
          fmt::format("cancelled: ratchet was stopped by {}", SignalName(InterruptRequested()));
    } else if ((code & 0xff) == SQLITE_INTERRUPT && deadline_ != Clock::time_point::max()) {
      error.message = fmt::format("statement timeout ({} ms) reached", statement_timeout_.count());
    }
    statement_end = std::min(statement_end, script.size());
    error.statement =
        std::string(script.substr(statement_offset, statement_end - statement_offset));
    while (!error.statement.empty() &&
           std::isspace(static_cast<unsigned char>(error.statement.back()))) {
      error.statement.pop_back();
    }
    error.statement_offset = statement_offset;
    error.error_offset = error_offset;
    deadline_ = Clock::time_point::max();
    std::string message = fmt::format("{}: {}", error.sqlstate, error.message);
    return Status::DbFailure(Code::kUpgradeFailed, std::move(message), std::move(error));
  }

  // The prepared form of `sql`, from the cache or prepared now and kept:
  // ratchet's own statements recur once per item with other parameters.
  // SQLite prepares a kept statement again by itself when the schema has
  // changed since. Null on a prepare error (Failure tells it).
  sqlite3_stmt* Prepared(std::string_view sql) {
    auto it = cache_.find(sql);
    if (it != cache_.end()) return it->second.get();
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    StatementPtr stmt(raw);
    if (rc != SQLITE_OK) return nullptr;
    if (cache_.size() >= kCachedStatements) cache_.clear();
    return cache_.emplace(std::string(sql), std::move(stmt)).first->second.get();
  }

  // Resets a kept statement after each use, so that it holds no lock and no
  // parameter survives into the next use.
  struct ResetAfter {
    sqlite3_stmt* stmt;
    ~ResetAfter() {
      sqlite3_reset(stmt);
      sqlite3_clear_bindings(stmt);
    }
  };

  Status Run(std::string_view sql, const std::vector<Value>& params, QueryResult* result) {
    sqlite3_stmt* prepared = Prepared(sql);
    if (prepared == nullptr) return Failure(sql);
    ResetAfter reset{prepared};
    int rc = SQLITE_OK;
    for (size_t i = 0; i < params.size(); ++i) {
      int index = sqlite3_bind_parameter_index(prepared, fmt::format("${}", i + 1).c_str());
      if (index == 0) continue;  // the statement does not use this parameter
      const Value& v = params[i];
      if (std::holds_alternative<std::monostate>(v)) {
        sqlite3_bind_null(prepared, index);
      } else if (const int64_t* n = std::get_if<int64_t>(&v)) {
        sqlite3_bind_int64(prepared, index, *n);
      } else {
        const std::string& s = std::get<std::string>(v);
        sqlite3_bind_text(prepared, index, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
      }
    }
    if (result) {
      int n = sqlite3_column_count(prepared);
      for (int c = 0; c < n; ++c) result->columns.emplace_back(sqlite3_column_name(prepared, c));
    }
    while ((rc = sqlite3_step(prepared)) == SQLITE_ROW) {
      if (!result) continue;
      Row row;
      int n = sqlite3_column_count(prepared);
      row.reserve(n);
      for (int c = 0; c < n; ++c) {
        if (sqlite3_column_type(prepared, c) == SQLITE_NULL) {
          row.emplace_back(std::nullopt);
        } else {
          const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(prepared, c));
          row.emplace_back(std::string(text, sqlite3_column_bytes(prepared, c)));
        }
      }
      result->rows.push_back(std::move(row));
    }
    if (rc != SQLITE_DONE) return Failure(sql);
    return Status::Ok();
  }

  Status Failure(std::string_view sql) {
    DbError error;
    error.sqlstate = PrimaryCodeName(sqlite3_extended_errcode(db_));
    error.message = sqlite3_errmsg(db_);
    error.statement = std::string(sql);
    Code code = (sqlite3_errcode(db_) == SQLITE_BUSY) ? Code::kLockBusy : Code::kUpgradeFailed;
    std::string message = fmt::format("{}: {}", error.sqlstate, error.message);
    return Status::DbFailure(code, std::move(message), std::move(error));
  }

  sqlite3* db_;
  // Prepared statements of Execute and Query by their text (Prepared).
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  static constexpr size_t kCachedStatements = 64;
  std::unordered_map<std::string, StatementPtr, TextHash, std::equal_to<>> cache_;
  int cancel_token_ = -1;
  std::string path_;
  std::string display_;
  ConnectOptions options_;
  int lock_fd_ = -1;
  std::chrono::milliseconds statement_timeout_{0};
  Clock::time_point deadline_ = Clock::time_point::max();
};

}  // namespace

Status BackupTo(Connection& source, const std::string& path, int pages_per_step,
                const std::function<void()>& between_steps) {
  auto* from = dynamic_cast<SqliteConnection*>(&source);
  if (from == nullptr) {
    return Status(Code::kInternal, source.display_name() + " is not a SQLite database");
  }
  sqlite3* to = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  std::string error;
  if (rc == SQLITE_OK) {
    sqlite3_backup* backup = sqlite3_backup_init(to, "main", from->handle(), "main");
    if (backup == nullptr) {
      error = sqlite3_errmsg(to);
    } else {
      while ((rc = sqlite3_backup_step(backup, pages_per_step)) == SQLITE_OK) {
        if (between_steps) between_steps();
      }
      sqlite3_backup_finish(backup);
      if (rc != SQLITE_DONE) error = sqlite3_errstr(rc);
    }
  } else {
    error = to != nullptr ? sqlite3_errmsg(to) : sqlite3_errstr(rc);
  }
  sqlite3_close_v2(to);
  if (error.empty()) {
    // SQLite synced the pages it wrote; the file's own metadata too.
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      fsync(fd);
      close(fd);
    }
    return Status::Ok();
  }
  std::error_code ec;
  std::filesystem::remove(path, ec);
  return Status(Code::kIo,
                fmt::format("cannot copy {} to {}: {}", source.display_name(), path, error));
}

Result<std::unique_ptr<Connection>> Connect(const Target& target, const ConnectOptions& options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path path(target.conninfo);
  if (!options.create_if_missing && !fs::exists(path, ec)) {
    return Status(Code::kConnection,
                  fmt::format("{}: no such database file: check the path, or run 'ratchet "
                              "upgrade' to create it",
                              target.display));
  }
  fs::path parent = path.parent_path();
  if (!parent.empty() && !fs::is_directory(parent, ec)) {
    return Status(Code::kConnection, fmt::format("{}: directory {} does not exist: create it first",
                                                 target.display, parent.string()));
  }
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (options.create_if_missing) flags |= SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(target.conninfo.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string why = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return Status(Code::kConnection, fmt::format("{}: cannot open: {}", target.display, why));
  }
  auto conn = std::make_unique<SqliteConnection>(db, target.conninfo, target.display, options);
  // Touch the file so that a file that is not a database fails here, clearly.
  // Without waiting: a file another process is writing is a database, and
  // who holds it is for the upgrade lock to say, within --lock-wait.
  sqlite3_busy_timeout(db, 0);
  auto probe = conn->Query("SELECT count(*) FROM sqlite_master", {});
  sqlite3_busy_timeout(db, static_cast<int>(options.busy_timeout.count()));
  bool busy = !probe.ok() && probe.status().db_error() &&
              probe.status().db_error()->sqlstate == "SQLITE_BUSY";
  if (!probe.ok() && !busy) {
    return Status(Code::kConnection, fmt::format("{}: not a usable SQLite database: {}",
                                                 target.display, probe.status().message()));
  }
  return std::unique_ptr<Connection>(std::move(conn));
}

}  // namespace ratchet::sqlite
