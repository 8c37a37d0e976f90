// Scratch databases on a PostgreSQL server: new databases from template0,
// dropped WITH (FORCE) afterwards, under a lease a later run can test.
#include <fmt/format.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <random>

#include "engine/postgres/postgres_connection.h"
#include "engine/postgres/postgres_engine.h"

namespace ratchet::postgres {
namespace {

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

class PostgresScratchServer;

class PostgresScratchDatabase : public ScratchDatabase {
 public:
  PostgresScratchDatabase(PostgresScratchServer* server, std::string name)
      : server_(server), name_(std::move(name)) {}
  ~PostgresScratchDatabase() override;
  Connection& conn() override { return *conn_; }

 private:
  friend class PostgresScratchServer;
  PostgresScratchServer* server_;
  std::string name_;
  std::unique_ptr<Connection> conn_;
};

class PostgresScratchServer : public ScratchServer {
 public:
  Status Open(const ScratchOptions& options, const std::string& history_schema);
  Result<std::unique_ptr<ScratchDatabase>> Create() override;
  void Remove(PostgresScratchDatabase* database);

 private:
  // Takes this run's lease and removes what dead runs left (reclaimed()).
  Status TakeLeaseAndReclaim();
  const char* force() const { return server_version_ >= 130000 ? " WITH (FORCE)" : ""; }

  ScratchOptions options_;
  ConnectOptions connect_;
  std::unique_ptr<Connection> admin_;
  int server_version_ = 0;
  // Every scratch database of this run is named <prefix_>_<n>; the admin
  // session holds an advisory lock on the prefix for as long as the run
  // lives, which is how a later run tells a dead owner.
  std::string prefix_;
  int created_ = 0;
};

PostgresScratchDatabase::~PostgresScratchDatabase() { server_->Remove(this); }

Status PostgresScratchServer::Open(const ScratchOptions& options,
                                   const std::string& history_schema) {
  options_ = options;
  connect_.history_schema = history_schema;
  if (options.server.empty()) {
    return Status(Code::kInvalidArgument,
                  "no server for scratch databases: pass --scratch with a PostgreSQL connection "
                  "string on which the role may CREATE DATABASE");
  }
  Target target;
  target.kind = EngineKind::kPostgres;
  target.conninfo = options.server;
  target.display = DisplayName(options.server);
  auto admin = ratchet::Connect(target, {});
  if (!admin.ok()) return admin.status().WithContext("cannot reach the scratch server");
  admin_ = std::move(*admin);
  auto allowed = admin_->Query(
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
  server_version_ = std::stoi(allowed->rows[0][2].value_or("0"));
  prefix_ = "ratchet_scratch_" + UniqueSuffix();
  return TakeLeaseAndReclaim();
}

Status PostgresScratchServer::TakeLeaseAndReclaim() {
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
  for (const Row& row : left->rows) {
    std::string name = row[0].value_or("");
    std::string prefix = name.substr(0, name.rfind('_'));
    if (prefix == prefix_ || prefix.empty()) continue;
    auto free = admin_->Query("SELECT pg_try_advisory_lock(hashtext($1))", {Value(prefix)});
    if (!free.ok()) return free.status();
    if (free->rows.empty() || free->rows[0][0] != "t") continue;  // its run is alive
    admin_->Query("SELECT pg_advisory_unlock(hashtext($1))", {Value(prefix)});
    Status dropped =
        admin_->Execute(fmt::format("DROP DATABASE IF EXISTS \"{}\"{}", name, force()));
    if (dropped.ok()) reclaimed_.push_back(name);
  }
  return Status::Ok();
}

Result<std::unique_ptr<ScratchDatabase>> PostgresScratchServer::Create() {
  std::string name = fmt::format("{}_{}", prefix_, ++created_);
  // template0: nothing the server's template1 holds leaks into the
  // comparison, and no other session can be using it.
  Status made = admin_->Execute(fmt::format("CREATE DATABASE {} TEMPLATE template0", name));
  if (!made.ok()) return made.WithContext("cannot create a scratch database");
  // From here on, the database's destructor drops it.
  auto db = std::make_unique<PostgresScratchDatabase>(this, name);
  auto conninfo = WithDatabase(options_.server, name);
  if (!conninfo.ok()) return conninfo.status();
  Target target;
  target.kind = EngineKind::kPostgres;
  target.conninfo = *conninfo;
  target.display = DisplayName(*conninfo);
  auto conn = ratchet::Connect(target, connect_);
  if (!conn.ok()) return conn.status().WithContext("cannot open a scratch database");
  db->conn_ = std::move(*conn);
  return std::unique_ptr<ScratchDatabase>(std::move(db));
}

void PostgresScratchServer::Remove(PostgresScratchDatabase* database) {
  database->conn_.reset();  // close before dropping: a database in use cannot be dropped
  admin_->Execute(fmt::format("DROP DATABASE IF EXISTS {}{}", database->name_, force()));
}

}  // namespace

Result<std::unique_ptr<ScratchServer>> OpenScratch(const ScratchOptions& options,
                                                   const std::string& history_schema) {
  auto server = std::make_unique<PostgresScratchServer>();
  RATCHET_RETURN_IF_ERROR(server->Open(options, history_schema));
  return std::unique_ptr<ScratchServer>(std::move(server));
}

}  // namespace ratchet::postgres
