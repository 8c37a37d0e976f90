// copy-upgrade on PostgreSQL: the write freeze closes D to connections (with
// a marker setting that says ratchet did it), CREATE DATABASE D_copying
// TEMPLATE D copies it and a rename to D_new marks the copy complete, and
// one transaction swaps the names: D becomes D_old, D_new becomes D. All of
// it runs on a maintenance connection to the server's postgres database.
#include <fmt/format.h>

#include <thread>

#include "engine/copy_place.h"
#include "engine/in_transaction.h"
#include "engine/postgres/postgres_connection.h"
#include "engine/postgres/postgres_engine.h"
#include "util/clock.h"
#include "util/fault.h"

namespace ratchet::postgres {
namespace {

// The setting that marks D as frozen by copy-upgrade, not by its owner.
// The longest name D may have so that D_copying still fits in 63 bytes.
constexpr size_t kMaxName = 63 - 8;

std::string Quote(const std::string& identifier) {
  std::string out = "\"";
  for (char c : identifier) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

class PostgresCopy final : public CopyPlace {
 public:
  PostgresCopy(const Target& target, const ConnectOptions& options, std::string name,
               std::unique_ptr<Connection> owned, Connection* admin)
      : target_(target),
        options_(options),
        db_(std::move(name)),
        copying_(db_ + "_copying"),
        new_(db_ + "_new"),
        old_(db_ + "_old"),
        owned_(std::move(owned)),
        admin_(owned_ ? owned_.get() : admin) {}

  Result<CopyState> Read() override {
    auto rows = admin_->Query(
        fmt::format("SELECT d.datname, d.datallowconn, EXISTS (SELECT 1 FROM pg_db_role_setting "
                    "s, unnest(s.setconfig) c WHERE s.setdatabase = d.oid AND s.setrole = 0 AND "
                    "c LIKE '{}=%') FROM pg_database d WHERE d.datname IN ($1, $2, $3, $4)",
                    kCopyFreezeMarker),
        {db_, copying_, new_, old_});
    if (!rows.ok()) return rows.status();
    CopyState state;
    state.database = target_.display;
    bool has_copying = false, has_new = false;
    for (const Row& row : rows->rows) {
      const std::string name = row[0].value_or("");
      if (name == db_) state.frozen = row[1] == "f" && row[2] == "t";
      if (name == copying_) has_copying = true;
      if (name == new_) has_new = true;
      if (name == old_) state.kept = Display(old_);
    }
    if (has_copying) {
      state.copy = Display(copying_);
      state.copy_status = "copying";
    } else if (has_new) {
      state.copy = Display(new_);
      state.copy_status = "copied";  // the run layer reads its bookkeeping
    }
    return state;
  }

  // CREATE DATABASE ... TEMPLATE of a database that is not a template, and
  // ALTER DATABASE ... RENAME, need CREATEDB and ownership of the database.
  Status CheckPrivileges() override {
    auto missing = MissingCopyUpgradePrivileges(*admin_, db_);
    if (!missing.ok()) return missing.status();
    if (missing->empty()) return Status::Ok();
    auto me = admin_->Query("SELECT current_user");
    if (!me.ok()) return me.status();
    return RefusedForPrivileges(target_.display, "role " + me->rows[0][0].value_or("?"), *missing);
  }

  Status Lock(std::chrono::milliseconds wait) override {
    auto deadline = std::chrono::steady_clock::now() + wait;
    const std::string key = "ratchet-copy:" + db_;
    while (true) {
      auto got = admin_->Query("SELECT pg_try_advisory_lock(hashtextextended($1, 0))", {key});
      if (!got.ok()) return got.status();
      if (got->rows[0][0] == "t") return Status::Ok();
      if (std::chrono::steady_clock::now() >= deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return Status(Code::kLockBusy,
                  fmt::format("another copy-upgrade of {} is running (or its server session is "
                              "still finishing); wait for it, or raise --lock-wait",
                              target_.display));
  }

  Status Freeze() override {
    RATCHET_RETURN_IF_ERROR(RefuseSessions(db_,
                                           "copy-upgrade needs it to itself: CREATE "
                                           "DATABASE ... TEMPLATE copies only a database "
                                           "nobody uses, and writes made after the copy "
                                           "would be lost"));
    RATCHET_RETURN_IF_ERROR(RunInTransaction(*admin_, [&]() -> Status {
      RATCHET_RETURN_IF_ERROR(admin_->Execute(fmt::format(
          "ALTER DATABASE {} SET {} = '{}'", Quote(db_), kCopyFreezeMarker, "frozen " + NowUtc())));
      return admin_->Execute(fmt::format("ALTER DATABASE {} ALLOW_CONNECTIONS false", Quote(db_)));
    }));
    // A session that connected just before the door closed.
    Status late = RefuseSessions(db_, "it connected while copy-upgrade was closing the database");
    if (!late.ok()) Thaw();
    return late;
  }

  Status Thaw() override {
    return RunInTransaction(*admin_, [&]() -> Status {
      RATCHET_RETURN_IF_ERROR(
          admin_->Execute(fmt::format("ALTER DATABASE {} ALLOW_CONNECTIONS true", Quote(db_))));
      return admin_->Execute(
          fmt::format("ALTER DATABASE {} RESET {}", Quote(db_), kCopyFreezeMarker));
    });
  }

  Status DiscardCopy() override {
    // A session left by an interrupted upgrade of the copy goes with it.
    for (const std::string& name : {copying_, new_}) {
      RATCHET_RETURN_IF_ERROR(
          admin_->Execute(fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", Quote(name))));
    }
    return Status::Ok();
  }

  Result<bool> KeepCopyAfterCrash(const CopyState& state) override {
    // D stayed closed to connections through the crash, so a complete copy
    // is still exactly D: the upgrade of the copy goes on from where it was.
    if (state.frozen && state.copy == Display(new_)) return true;
    RATCHET_RETURN_IF_ERROR(DiscardCopy());
    return false;
  }

  Status TakeCopy(Reporter* reporter) override {
    auto owner =
        admin_->Query("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1", {db_});
    if (!owner.ok()) return owner.status();
    RATCHET_RETURN_IF_ERROR(
        admin_->Execute(fmt::format("CREATE DATABASE {} TEMPLATE {} OWNER {}", Quote(copying_),
                                    Quote(db_), Quote(owner->rows[0][0].value_or("")))));
    // What belongs to the database object rather than to its contents.
    auto carried = admin_->Query(
        fmt::format(
            "SELECT format('ALTER DATABASE %I SET %s = ' || CASE WHEN split_part(c, '=', 1) IN "
            "('search_path', 'temp_tablespaces', 'local_preload_libraries', "
            "'session_preload_libraries') THEN '%s' ELSE '%L' END, $2::text, split_part(c, "
            "'=', 1), substr(c, strpos(c, '=') + 1)) FROM pg_database d JOIN "
            "pg_db_role_setting s ON s.setdatabase = d.oid AND s.setrole = 0, "
            "unnest(s.setconfig) c WHERE d.datname = $1 AND c NOT LIKE '{}=%' "
            "UNION ALL SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', $2::text) FROM "
            "pg_database WHERE datname = $1 AND datacl IS NOT NULL "
            "UNION ALL SELECT format('GRANT %s ON DATABASE %I TO %s%s', a.privilege_type, "
            "$2::text, CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END, "
            "CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END) FROM pg_database "
            "d, aclexplode(d.datacl) a WHERE d.datname = $1 "
            "UNION ALL SELECT format('COMMENT ON DATABASE %I IS %L', $2::text, "
            "shobj_description(oid, 'pg_database')) FROM pg_database WHERE datname = $1 AND "
            "shobj_description(oid, 'pg_database') IS NOT NULL "
            "UNION ALL SELECT format('ALTER DATABASE %I CONNECTION LIMIT %s', $2::text, "
            "datconnlimit) FROM pg_database WHERE datname = $1 AND datconnlimit <> -1",
            kCopyFreezeMarker),
        {db_, copying_});
    if (!carried.ok()) return carried.status();
    for (const Row& row : carried->rows) {
      RATCHET_RETURN_IF_ERROR(admin_->Execute(row[0].value_or("")));
    }
    // Only a complete copy ever carries the name D_new.
    RATCHET_RETURN_IF_ERROR(admin_->Execute(
        fmt::format("ALTER DATABASE {} RENAME TO {}", Quote(copying_), Quote(new_))));
    RATCHET_FAULT_POINT("copy.taken");
    return Status::Ok();
  }

  Target CopyTarget() const override { return TargetFor(new_); }

  Status Swap() override {
    // D_old stays closed to connections, so nothing writes to the old
    // version by mistake; D (the copy) is open.
    RATCHET_RETURN_IF_ERROR(RunInTransaction(*admin_, [&]() -> Status {
      RATCHET_RETURN_IF_ERROR(
          admin_->Execute(fmt::format("ALTER DATABASE {} RENAME TO {}", Quote(db_), Quote(old_))));
      RATCHET_RETURN_IF_ERROR(
          admin_->Execute(fmt::format("ALTER DATABASE {} RENAME TO {}", Quote(new_), Quote(db_))));
      return admin_->Execute(
          fmt::format("ALTER DATABASE {} RESET {}", Quote(old_), kCopyFreezeMarker));
    }));
    RATCHET_FAULT_POINT("copy.swapped");
    return Status::Ok();
  }

  Result<std::string> RemoveKept() override {
    auto exists = admin_->Query("SELECT 1 FROM pg_database WHERE datname = $1", {old_});
    if (!exists.ok()) return exists.status();
    if (exists->rows.empty()) return std::string();
    RATCHET_RETURN_IF_ERROR(RefuseSessions(old_, "it is in use"));
    RATCHET_RETURN_IF_ERROR(admin_->Execute(fmt::format("DROP DATABASE {}", Quote(old_))));
    return Display(old_);
  }

 private:
  Target TargetFor(const std::string& name) const {
    auto t = TargetForDatabase(target_, name);
    return t.ok() ? *t : Target{};
  }
  std::string Display(const std::string& name) const { return TargetFor(name).display; }

  // kRefused listing the client sessions connected to `name`, with `why`.
  // The server's own workers (autovacuum) are not counted: CREATE DATABASE
  // and ALTER DATABASE ... RENAME ask them to leave.
  Status RefuseSessions(const std::string& name, const std::string& why) {
    auto rows = admin_->Query(
        "SELECT pid, usename, application_name, COALESCE(host(client_addr), 'local socket'), "
        "state, date_trunc('second', backend_start)::text FROM pg_stat_activity WHERE datname "
        "= $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend' ORDER BY pid",
        {name});
    if (!rows.ok()) return rows.status();
    if (rows->rows.empty()) return Status::Ok();
    std::string list;
    for (const Row& r : rows->rows) {
      list += fmt::format("\n  pid {} user {} application \"{}\" from {}, {} since {}",
                          r[0].value_or(""), r[1].value_or(""), r[2].value_or(""),
                          r[3].value_or(""), r[4].value_or("?"), r[5].value_or("?"));
    }
    return Status(Code::kRefused,
                  fmt::format("{}: {} other session(s) are connected to {}; {}. Stop them "
                              "(stop the application) and run again:{}",
                              target_.display, rows->rows.size(), name, why, list));
  }

  Target target_;
  ConnectOptions options_;
  std::string db_, copying_, new_, old_;
  std::unique_ptr<Connection> owned_;  // to the server's postgres database
  Connection* admin_;                  // owned_, or a borrowed connection
};

}  // namespace

Result<std::unique_ptr<CopyPlace>> OpenCopyPlace(const Target& target,
                                                 const ConnectOptions& options,
                                                 Connection* server) {
  std::string name = postgres::DatabaseOf(target.conninfo);
  if (name.empty()) {
    return Status(Code::kInvalidArgument,
                  fmt::format("{}: copy-upgrade needs the database's name in the connection "
                              "string (dbname=...)",
                              target.display));
  }
  if (name.size() > kMaxName) {
    return Status(Code::kInvalidArgument,
                  fmt::format("{}: the name {} is too long for its copy {}_copying (PostgreSQL "
                              "names have at most 63 bytes)",
                              target.display, name, name));
  }
  if (server != nullptr) {
    return std::unique_ptr<CopyPlace>(
        std::make_unique<PostgresCopy>(target, options, name, nullptr, server));
  }
  // The maintenance database: postgres, else template1.
  Status last;
  for (const char* maintenance : {"postgres", "template1"}) {
    auto admin_target = TargetForDatabase(target, maintenance);
    if (!admin_target.ok()) return admin_target.status();
    auto admin = ratchet::Connect(*admin_target, options);
    if (admin.ok()) {
      return std::unique_ptr<CopyPlace>(
          std::make_unique<PostgresCopy>(target, options, name, std::move(*admin), nullptr));
    }
    last = admin.status();
  }
  return last.WithContext("copy-upgrade works through the server's postgres database");
}

}  // namespace ratchet::postgres
