// What the connected role lacks for copy-upgrade of a PostgreSQL database,
// asked of the server's privilege functions before anything changes.
#include <fmt/format.h>

#include "engine/postgres/postgres_engine.h"
#include "sql/sql_text.h"

namespace ratchet::postgres {
namespace {

bool IsTrue(const std::optional<std::string>& value) { return value && *value == "t"; }

}  // namespace

Result<std::vector<std::string>> MissingCopyUpgradePrivileges(Connection& conn,
                                                              const std::string& database) {
  const std::string marker = kCopyFreezeMarker;
  auto rows = conn.Query(
      "SELECT r.rolsuper, r.rolcreatedb, pg_has_role(current_user, d.datdba, 'USAGE'), "
      "       pg_get_userbyid(d.datdba), current_user, "
      "       (SELECT string_agg(p.name, ', ' ORDER BY p.name) "
      "          FROM pg_db_role_setting s, unnest(s.setconfig) c "
      "          JOIN pg_settings p ON p.name = split_part(c, '=', 1) "
      "         WHERE s.setdatabase = d.oid AND s.setrole = 0 AND p.context = 'superuser'), "
      "       current_setting('server_version_num')::int "
      "FROM pg_roles r, pg_database d WHERE r.rolname = current_user AND d.datname = $1",
      {database});
  if (!rows.ok()) return rows.status();
  std::vector<std::string> missing;
  if (rows->rows.empty() || IsTrue(rows->rows[0][0])) return missing;
  const Row& r = rows->rows[0];
  const std::string me = r[4].value_or("?");
  const std::string owner = r[3].value_or("?");
  if (!IsTrue(r[1])) {
    missing.push_back(
        fmt::format("CREATEDB, to create the copy and rename it: a superuser can "
                    "grant it with ALTER ROLE {} CREATEDB",
                    QuoteNameIfNeeded(me)));
  }
  if (!IsTrue(r[2])) {
    missing.push_back(
        fmt::format("ownership of database {} (its owner is {}): run as {} or as a superuser",
                    database, owner, owner));
  }
  if (std::stoi(r[6].value_or("0")) >= 150000) {
    // has_parameter_privilege exists from PostgreSQL 15 on.
    auto may_set = conn.Query("SELECT has_parameter_privilege($1, 'SET')", {marker});
    if (!may_set.ok()) return may_set.status();
    if (!IsTrue(may_set->rows.at(0).at(0))) {
      missing.push_back(
          fmt::format("the right to set {} on the database, with which "
                      "copy-upgrade marks the database it closed: a superuser can "
                      "grant it with GRANT SET ON PARAMETER {} TO {}",
                      marker, marker, QuoteNameIfNeeded(me)));
    }
  }
  if (r[5] && !r[5]->empty()) {
    missing.push_back(fmt::format(
        "superuser, to carry the database's setting(s) {} to the copy: run as a superuser", *r[5]));
  }
  return missing;
}

}  // namespace ratchet::postgres
