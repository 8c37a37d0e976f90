// Freezing DDL on PostgreSQL for the online window: an event trigger that
// refuses DDL from every session but ratchet's own.
#include <fmt/format.h>

#include "engine/in_transaction.h"
#include "engine/postgres/postgres_engine.h"
#include "util/clock.h"

namespace ratchet::postgres {
namespace {

// One freeze per database, whatever the bookkeeping schema is called.
constexpr const char* kTriggerName = "ratchet_ddl_freeze";

std::string Quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("\'\'") : std::string(1, c);
  return out + "'";
}

class EventTriggerFreeze : public DdlFreeze {
 public:
  Status Freeze(Connection& conn, const std::string& upgrade_id) const override {
    auto super = conn.Query("SELECT rolsuper FROM pg_roles WHERE rolname = current_user");
    if (!super.ok()) return super.status();
    if (super->rows.empty() || super->rows[0][0].value_or("f") != "t") {
      return Status(Code::kRefused,
                    fmt::format("{}: freezing DDL needs a superuser, because PostgreSQL lets only "
                                "superusers create event triggers; connect as one, or go on "
                                "without --freeze",
                                conn.display_name()));
    }
    std::string since = NowUtc();
    std::string guard = conn.BookkeepingTable("ddl_freeze_guard");
    std::string sessions = conn.BookkeepingTable("ddl_freeze_sessions");
    // The guard lets through the sessions listed in `sessions`: ratchet's own,
    // each listed by its pid and start time when it connects (or here, for the
    // session that freezes). Only this role may write the list, and changing
    // the list's privileges, the table or the guard is itself DDL, which the
    // guard refuses; no setting, option or function call gets a session in.
    // The guard runs as its owner, with a fixed search path, so that the
    // session whose DDL it judges can neither read around nor shadow it.
    std::string function = fmt::format(
        "CREATE OR REPLACE FUNCTION {0}() RETURNS event_trigger LANGUAGE plpgsql\n"
        "SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $ratchet$\n"
        "BEGIN\n"
        "  IF NOT EXISTS (SELECT 1 FROM {3} s JOIN pg_stat_activity a\n"
        "                   ON a.pid = s.pid AND a.backend_start = s.backend_start\n"
        "                 WHERE s.pid = pg_backend_pid()) THEN\n"
        "    RAISE EXCEPTION 'ratchet: DDL is frozen in database \"%\" by online upgrade {1} "
        "(since {2}); % refused', current_database(), tg_tag\n"
        "      USING ERRCODE = '55000',\n"
        "            HINT = 'The freeze ends with ratchet finalize or ratchet rollback; "
        "ratchet thaw lifts it by hand.';\n"
        "  END IF;\n"
        "END\n"
        "$ratchet$",
        guard, upgrade_id, since, sessions);
    return RunInTransaction(conn, [&]() -> Status {
      for (const std::string& sql : conn.BookkeepingPrelude()) {
        RATCHET_RETURN_IF_ERROR(conn.Execute(sql));
      }
      RATCHET_RETURN_IF_ERROR(
          conn.Execute(fmt::format("CREATE TABLE IF NOT EXISTS {} (pid integer NOT NULL, "
                                   "backend_start timestamptz NOT NULL, "
                                   "PRIMARY KEY (pid, backend_start))",
                                   sessions)));
      RATCHET_RETURN_IF_ERROR(conn.Execute(fmt::format("REVOKE ALL ON {} FROM PUBLIC", sessions)));
      // Sessions that ended are of no use to anyone; a new one with a reused
      // pid has another start time.
      RATCHET_RETURN_IF_ERROR(conn.Execute(
          fmt::format("DELETE FROM {0} s WHERE NOT EXISTS (SELECT 1 FROM pg_stat_activity a "
                      "WHERE a.pid = s.pid AND a.backend_start = s.backend_start)",
                      sessions)));
      RATCHET_RETURN_IF_ERROR(conn.Execute(fmt::format(
          "INSERT INTO {} (pid, backend_start) SELECT pid, backend_start FROM pg_stat_activity "
          "WHERE pid = pg_backend_pid() ON CONFLICT DO NOTHING",
          sessions)));
      RATCHET_RETURN_IF_ERROR(conn.Execute(function));
      RATCHET_RETURN_IF_ERROR(
          conn.Execute(fmt::format("REVOKE ALL ON FUNCTION {}() FROM PUBLIC", guard)));
      RATCHET_RETURN_IF_ERROR(
          conn.Execute(fmt::format("DROP EVENT TRIGGER IF EXISTS {}", kTriggerName)));
      RATCHET_RETURN_IF_ERROR(conn.Execute(
          fmt::format("CREATE EVENT TRIGGER {} ON ddl_command_start EXECUTE FUNCTION {}()",
                      kTriggerName, guard)));
      return conn.Execute(fmt::format("COMMENT ON EVENT TRIGGER {} IS {}", kTriggerName,
                                      Quote(upgrade_id + " " + since)));
    });
  }

  Result<std::optional<FreezeInfo>> Read(Connection& conn) const override {
    auto r = conn.Query(
        "SELECT coalesce(obj_description(oid, 'pg_event_trigger'), '') FROM pg_event_trigger "
        "WHERE evtname = $1",
        {std::string(kTriggerName)});
    if (!r.ok()) return r.status();
    if (r->rows.empty()) return std::optional<FreezeInfo>();
    std::string comment = r->rows[0][0].value_or("");
    FreezeInfo info;
    size_t space = comment.find(' ');
    info.upgrade_id = comment.substr(0, space);
    if (space != std::string::npos) info.since = comment.substr(space + 1);
    return std::optional<FreezeInfo>(info);
  }

  Status Thaw(Connection& conn) const override {
    auto freeze = Read(conn);
    if (!freeze.ok()) return freeze.status();
    if (!*freeze) return Status::Ok();
    // The trigger first: once it is gone, the freeze is lifted whatever
    // becomes of the list of ratchet's sessions.
    RATCHET_RETURN_IF_ERROR(
        conn.Execute(fmt::format("DROP EVENT TRIGGER IF EXISTS {}", kTriggerName)));
    return conn.Execute(
        fmt::format("DROP TABLE IF EXISTS {}", conn.BookkeepingTable("ddl_freeze_sessions")));
  }
};

}  // namespace

const DdlFreeze& EventTriggerDdlFreeze() {
  static const EventTriggerFreeze freeze;
  return freeze;
}

}  // namespace ratchet::postgres
