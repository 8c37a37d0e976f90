// Freezing DDL for the online window: on PostgreSQL an event trigger that
// refuses DDL from every session but ratchet's own.
#include <fmt/format.h>

#include "ratchet/online.h"
#include "run/transaction.h"
#include "util/clock.h"

namespace ratchet {
namespace {

// One freeze per database, whatever the bookkeeping schema is called.
constexpr const char* kTriggerName = "ratchet_ddl_freeze";

std::string Quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

}  // namespace

Status FreezeDdl(Connection& conn, const std::string& upgrade_id) {
  if (conn.kind() != EngineKind::kPostgres) {
    return Status(Code::kInvalidArgument,
                  fmt::format("{}: SQLite cannot block another process's DDL, so there is no "
                              "freeze to set; keep schema changes out of the application "
                              "during the online window",
                              conn.display_name()));
  }
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
  // The guard lets through sessions that set ratchet.freeze_bypass, which
  // every ratchet connection does, so ratchet's own items still run.
  std::string function = fmt::format(
      "CREATE OR REPLACE FUNCTION {0}() RETURNS event_trigger LANGUAGE plpgsql AS $ratchet$\n"
      "BEGIN\n"
      "  IF current_setting('ratchet.freeze_bypass', true) IS DISTINCT FROM 'on' THEN\n"
      "    RAISE EXCEPTION 'ratchet: DDL is frozen in database \"%\" by online upgrade {1} "
      "(since {2}); % refused', current_database(), tg_tag\n"
      "      USING ERRCODE = '55000',\n"
      "            HINT = 'The freeze ends with ratchet finalize or ratchet rollback; "
      "ratchet thaw lifts it by hand.';\n"
      "  END IF;\n"
      "END\n"
      "$ratchet$",
      guard, upgrade_id, since);
  return RunInTransaction(conn, [&]() -> Status {
    for (const std::string& sql : conn.BookkeepingPrelude()) {
      RATCHET_RETURN_IF_ERROR(conn.Execute(sql));
    }
    RATCHET_RETURN_IF_ERROR(conn.Execute(function));
    RATCHET_RETURN_IF_ERROR(conn.Execute(fmt::format("DROP EVENT TRIGGER IF EXISTS {}", kTriggerName)));
    RATCHET_RETURN_IF_ERROR(conn.Execute(fmt::format(
        "CREATE EVENT TRIGGER {} ON ddl_command_start EXECUTE FUNCTION {}()", kTriggerName, guard)));
    return conn.Execute(fmt::format("COMMENT ON EVENT TRIGGER {} IS {}", kTriggerName,
                                    Quote(upgrade_id + " " + since)));
  });
}

Result<std::optional<FreezeInfo>> ReadFreeze(Connection& conn) {
  if (conn.kind() != EngineKind::kPostgres) return std::optional<FreezeInfo>();
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

Status ThawDdl(Connection& conn) {
  auto freeze = ReadFreeze(conn);
  if (!freeze.ok()) return freeze.status();
  if (!*freeze) return Status::Ok();
  return conn.Execute(fmt::format("DROP EVENT TRIGGER IF EXISTS {}", kTriggerName));
}

}  // namespace ratchet
