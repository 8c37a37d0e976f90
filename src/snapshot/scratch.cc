// Scratch databases: new databases on a PostgreSQL server (dropped WITH
// (FORCE) afterwards) or SQLite files in a temporary directory.
#include "snapshot/scratch.h"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include "engine/postgres/postgres_connection.h"

namespace ratchet {
namespace {

namespace fs = std::filesystem;

std::string QuoteConninfoValue(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "'";
}

// `conninfo` (a URL or keywords) pointed at database `dbname` instead.
Result<std::string> WithDatabase(const std::string& conninfo, const std::string& dbname) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (options == nullptr) {
    std::string why = error != nullptr ? error : "not a connection string";
    if (error != nullptr) PQfreemem(error);
    while (!why.empty() && why.back() == '\n') why.pop_back();
    return Status(Code::kInvalidArgument,
                  fmt::format("the scratch server's connection string cannot be read: {}", why));
  }
  std::string out;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr || std::string(o->keyword) == "dbname") continue;
    out += fmt::format("{}={} ", o->keyword, QuoteConninfoValue(o->val));
  }
  PQconninfoFree(options);
  return out + "dbname=" + QuoteConninfoValue(dbname);
}

// The application_name of a run's admin session, followed by its prefix.
constexpr char kLeaseName[] = "ratchet scratch lease ";

std::string UniqueSuffix() {
  std::random_device random;
  return fmt::format("{}_{:04x}", getpid(), random() & 0xffff);
}

void OffsetToLineColumn(std::string_view text, size_t offset, int* line, int* column) {
  *line = 1;
  *column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++*line;
      *column = 1;
    } else {
      ++*column;
    }
  }
}

}  // namespace

ScratchDatabase::~ScratchDatabase() {
  if (server_ != nullptr) server_->Remove(this);
}

Result<std::unique_ptr<ScratchServer>> ScratchServer::Open(const ScratchOptions& options,
                                                           const std::string& history_schema) {
  std::unique_ptr<ScratchServer> server(new ScratchServer());
  server->options_ = options;
  server->connect_.history_schema = history_schema;
  if (options.engine == EngineKind::kSqlite) {
    // The pid in the name is the lease: a later run removes the folder of a
    // process that is gone.
    std::string pattern =
        (fs::temp_directory_path() / fmt::format("ratchet-scratch-{}-XXXXXX", getpid())).string();
    if (mkdtemp(pattern.data()) == nullptr) {
      return Status(Code::kIo,
                    fmt::format("cannot make a temporary directory for scratch "
                                "databases in {}: {}",
                                fs::temp_directory_path().string(), std::strerror(errno)));
    }
    server->dir_ = pattern;
    RATCHET_RETURN_IF_ERROR(server->TakeLeaseAndReclaim());
    return server;
  }
  if (options.server.empty()) {
    return Status(Code::kInvalidArgument,
                  "no server for scratch databases: pass --scratch with a PostgreSQL connection "
                  "string on which the role may CREATE DATABASE");
  }
  Target target;
  target.kind = EngineKind::kPostgres;
  target.conninfo = options.server;
  target.display = postgres::DisplayName(options.server);
  auto admin = Connect(target, {});
  if (!admin.ok()) return admin.status().WithContext("cannot reach the scratch server");
  server->admin_ = std::move(*admin);
  auto allowed = server->admin_->Query(
      "SELECT current_user, r.rolcreatedb OR r.rolsuper, "
      "current_setting('server_version_num')::int FROM pg_roles r WHERE r.rolname = "
      "current_user");
  if (!allowed.ok()) return allowed.status();
  if (allowed->rows.empty() || allowed->rows[0][1] != "t") {
    std::string role = allowed->rows.empty() ? "this role" : allowed->rows[0][0].value_or("");
    return Status(Code::kRefused,
                  fmt::format("role {} may not create databases on {}, and scratch databases "
                              "are new databases: grant it with ALTER ROLE {} CREATEDB, or pass "
                              "--scratch with a server where it may",
                              role, target.display, role));
  }
  server->server_version_ = std::stoi(allowed->rows[0][2].value_or("0"));
  server->prefix_ = "ratchet_scratch_" + UniqueSuffix();
  RATCHET_RETURN_IF_ERROR(server->TakeLeaseAndReclaim());
  return server;
}

Status ScratchServer::TakeLeaseAndReclaim() {
  if (options_.engine == EngineKind::kSqlite) {
    std::error_code ec;
    const std::string lead = "ratchet-scratch-";
    for (const auto& entry : fs::directory_iterator(fs::temp_directory_path(), ec)) {
      std::string name = entry.path().filename().string();
      if (name.rfind(lead, 0) != 0 || entry.path() == dir_) continue;
      char* end = nullptr;
      long pid = std::strtol(name.c_str() + lead.size(), &end, 10);
      if (pid <= 0 || end == nullptr || *end != '-' || pid == getpid()) continue;
      if (kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;  // alive, or unknown
      fs::remove_all(entry.path(), ec);
      if (!ec) reclaimed_.push_back(entry.path().string());
    }
    return Status::Ok();
  }
  // The lease is held twice: an advisory lock (which PostgreSQL keeps per
  // database, so it guards only against runs whose admin session is on the
  // same database) and the admin session's application_name, which every
  // session of the server sees. A run on another database of the server
  // would otherwise take a scratch database that was just created, before
  // its run has connected to it, for one left by a dead run.
  auto lease = admin_->Query(
      "SELECT pg_advisory_lock(hashtext($1)), set_config('application_name', $2, false)",
      {Value(prefix_), Value(std::string(kLeaseName) + prefix_)});
  if (!lease.ok()) return lease.status().WithContext("cannot take the scratch lease");
  // Unused by any session, and the lease of their run is free: the run died.
  auto left = admin_->Query(
      "SELECT d.datname FROM pg_database d WHERE d.datname LIKE 'ratchet\\_scratch\\_%' "
      "AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname) "
      "AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.application_name = $1 || "
      "                left(d.datname, length(d.datname) - strpos(reverse(d.datname), '_'))) "
      "ORDER BY 1",
      {Value(std::string(kLeaseName))});
  if (!left.ok()) return left.status();
  const char* force = server_version_ >= 130000 ? " WITH (FORCE)" : "";
  for (const Row& row : left->rows) {
    std::string name = row[0].value_or("");
    std::string prefix = name.substr(0, name.rfind('_'));
    if (prefix == prefix_ || prefix.empty()) continue;
    auto free = admin_->Query("SELECT pg_try_advisory_lock(hashtext($1))", {Value(prefix)});
    if (!free.ok()) return free.status();
    if (free->rows.empty() || free->rows[0][0] != "t") continue;  // its run is alive
    admin_->Query("SELECT pg_advisory_unlock(hashtext($1))", {Value(prefix)});
    Status dropped = admin_->Execute(fmt::format("DROP DATABASE IF EXISTS \"{}\"{}", name, force));
    if (dropped.ok()) reclaimed_.push_back(name);
  }
  return Status::Ok();
}

ScratchServer::~ScratchServer() {
  if (!dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

Result<std::unique_ptr<ScratchDatabase>> ScratchServer::Create() {
  std::unique_ptr<ScratchDatabase> db(new ScratchDatabase());
  Target target;
  target.kind = options_.engine;
  ConnectOptions connect = connect_;
  if (options_.engine == EngineKind::kSqlite) {
    db->name_ = (dir_ / fmt::format("scratch-{}.db", ++created_)).string();
    target.conninfo = db->name_;
    target.display = "sqlite:" + db->name_;
    connect.create_if_missing = true;
  } else {
    std::string name = fmt::format("{}_{}", prefix_, ++created_);
    // template0: nothing the server's template1 holds leaks into the
    // comparison, and no other session can be using it.
    Status made = admin_->Execute(fmt::format("CREATE DATABASE {} TEMPLATE template0", name));
    if (!made.ok()) return made.WithContext("cannot create a scratch database");
    db->name_ = name;
    auto conninfo = WithDatabase(options_.server, name);
    if (!conninfo.ok()) return conninfo.status();
    target.conninfo = *conninfo;
    target.display = postgres::DisplayName(*conninfo);
  }
  db->server_ = this;  // from here on, the destructor removes it
  auto conn = Connect(target, connect);
  if (!conn.ok()) return conn.status().WithContext("cannot open a scratch database");
  db->conn_ = std::move(*conn);
  return db;
}

void ScratchServer::Remove(ScratchDatabase* database) {
  database->conn_.reset();  // close before dropping: a database in use cannot be dropped
  if (options_.engine == EngineKind::kSqlite) {
    std::error_code ec;
    for (const char* suffix : {"", "-journal", "-wal", "-shm"}) {
      fs::remove(database->name_ + suffix, ec);
    }
    return;
  }
  const char* force = server_version_ >= 130000 ? " WITH (FORCE)" : "";
  admin_->Execute(fmt::format("DROP DATABASE IF EXISTS {}{}", database->name_, force));
}

Status LoadSchemaFile(Connection& conn, const fs::path& set_dir, const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string shown = path.lexically_relative(set_dir).string();
  if (!in) return Status(Code::kIo, fmt::format("cannot read {}", path.string()));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  Status s = conn.ExecuteScript(text);
  if (s.ok()) return s;
  size_t at = 0;
  if (const DbError* e = s.db_error(); e != nullptr && e->statement_offset != std::string::npos) {
    at = e->statement_offset;
    if (e->error_offset != std::string::npos) at += e->error_offset;
  }
  int line, column;
  OffsetToLineColumn(text, at, &line, &column);
  return Status(Code::kInvalidSet,
                fmt::format("{}:{}:{}: the fresh-install schema does not load: {}", shown, line,
                            column, s.message()));
}

}  // namespace ratchet
