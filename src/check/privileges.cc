// The privileges family: what the connected role lacks to record the run,
// to create and change what the pending items name, and, as warnings, what
// the online freeze and copy-upgrade would need.
#include <fmt/format.h>

#include <set>

#include "check/check_context.h"
#include "engine/engine_driver.h"
#include "sql/sql_text.h"

namespace ratchet {
namespace {

bool IsTrue(const std::optional<std::string>& value) { return value && *value == "t"; }

// The bookkeeping: its schema, or the right to create it, and the right to
// write its tables or to create them.
Status CheckBookkeeping(CheckContext& context, const std::string& me) {
  const std::string& schema = context.set.project.history_schema;
  auto rows = context.Query(
      "SELECT n.oid IS NOT NULL, "
      "       has_database_privilege(current_database(), 'CREATE'), "
      "       n.oid IS NOT NULL AND has_schema_privilege(n.oid, 'USAGE') "
      "                         AND has_schema_privilege(n.oid, 'CREATE'), "
      "       to_regclass(quote_ident($1) || '.items') IS NOT NULL, "
      "       COALESCE(has_table_privilege(to_regclass(quote_ident($1) || '.items'), "
      "                                    'INSERT, UPDATE, DELETE'), false) "
      "FROM (SELECT 1) one LEFT JOIN pg_namespace n ON n.nspname = $1",
      {schema});
  if (!rows.ok()) return rows.status();
  const Row& r = rows->rows.at(0);
  const std::string where;  // the database as a whole
  if (!IsTrue(r[0]) && !IsTrue(r[1])) {
    context.Add(Severity::kProblem, "", where,
                fmt::format("role {} may not create the bookkeeping schema {}: grant it with "
                            "GRANT CREATE ON DATABASE <this database> TO {}, or have an "
                            "administrator run CREATE SCHEMA {} AUTHORIZATION {}",
                            me, schema, QuoteNameIfNeeded(me), QuoteNameIfNeeded(schema),
                            QuoteNameIfNeeded(me)));
  } else if (IsTrue(r[0]) && !IsTrue(r[3]) && !IsTrue(r[2])) {
    context.Add(Severity::kProblem, "", where,
                fmt::format("role {} may not create ratchet's tables in schema {}: GRANT USAGE, "
                            "CREATE ON SCHEMA {} TO {}",
                            me, schema, QuoteNameIfNeeded(schema), QuoteNameIfNeeded(me)));
  } else if (IsTrue(r[3]) && !IsTrue(r[4])) {
    context.Add(Severity::kProblem, "", where,
                fmt::format("role {} may not write ratchet's bookkeeping in schema {}: run as "
                            "the role that owns it, or GRANT INSERT, UPDATE, DELETE ON ALL "
                            "TABLES IN SCHEMA {} TO {}",
                            me, schema, QuoteNameIfNeeded(schema), QuoteNameIfNeeded(me)));
  }
  return Status::Ok();
}

// The schemas the pending items create objects in, and the existing tables
// they change, which need CREATE and ownership. A name an earlier pending
// statement creates, drops or renames is left out: who will own it then is
// not known from here.
Status CheckObjects(CheckContext& context, const std::string& me) {
  std::set<std::string> touched_before;  // keys of objects earlier statements made or removed
  std::set<std::string> reported;
  for (const PlannedStatement& s : context.statements) {
    std::vector<std::pair<std::string, std::string>> tables;  // schema, table to own
    std::set<std::string> schemas;                            // to create in
    for (const Creation& c : s.effects.creates) {
      if (c.implicit) continue;
      const ObjectName& o = c.object;
      if (o.space == ObjectName::Space::kSchema || o.space == ObjectName::Space::kExtension) {
        continue;
      }
      if (!o.table.empty()) {
        tables.emplace_back(o.schema, o.table);
      } else {
        schemas.insert(context.SchemaOf(o.schema));
      }
    }
    for (const ObjectName& o : s.effects.removes) {
      tables.emplace_back(o.schema, o.table.empty() ? o.name : o.table);
    }
    for (const TableWork& w : s.effects.work) tables.emplace_back(w.schema, w.table);

    for (const std::string& schema : schemas) {
      if (touched_before.count("schema|" + schema) || !reported.insert("c|" + schema).second) {
        continue;
      }
      auto rows = context.Query(
          "SELECT has_schema_privilege(n.oid, 'CREATE') FROM pg_namespace n WHERE nspname = $1",
          {schema});
      if (!rows.ok()) return rows.status();
      if (!rows->rows.empty() && !IsTrue(rows->rows[0][0])) {
        context.Add(Severity::kProblem, s.item->version.ToString(), s.Where(),
                    fmt::format("role {} may not create objects in schema {}: GRANT CREATE ON "
                                "SCHEMA {} TO {}",
                                me, schema, QuoteNameIfNeeded(schema), QuoteNameIfNeeded(me)));
      }
    }
    for (const auto& [schema_name, table] : tables) {
      const std::string schema = context.SchemaOf(schema_name);
      const std::string key = "relation|" + schema + "|" + table;
      if (table.empty() || touched_before.count(key) || !reported.insert("o|" + key).second) {
        continue;
      }
      auto rows = context.Query(
          "SELECT pg_has_role(c.relowner, 'USAGE'), pg_get_userbyid(c.relowner), "
          "       CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' "
          "       WHEN 'S' THEN 'sequence' WHEN 'i' THEN 'index' ELSE 'table' END "
          "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
          "WHERE n.nspname = $1 AND c.relname = $2",
          {schema, table});
      if (!rows.ok()) return rows.status();
      if (rows->rows.empty() || IsTrue(rows->rows[0][0])) continue;
      const std::string owner = rows->rows[0][1].value_or("?");
      context.Add(Severity::kProblem, s.item->version.ToString(), s.Where(),
                  fmt::format("role {} does not own {} {}.{}, which this statement changes "
                              "(its owner is {}): run as {}, or GRANT {} TO {}",
                              me, rows->rows[0][2].value_or("table"), schema, table, owner, owner,
                              QuoteNameIfNeeded(owner), QuoteNameIfNeeded(me)));
    }
    // What this statement makes or removes is not judged for later ones.
    for (const Creation& c : s.effects.creates) {
      touched_before.insert(c.object.space == ObjectName::Space::kSchema
                                ? "schema|" + c.object.name
                                : "relation|" + context.SchemaOf(c.object.schema) + "|" +
                                      c.object.name);
    }
    for (const ObjectName& o : s.effects.removes) {
      touched_before.insert("relation|" + context.SchemaOf(o.schema) + "|" + o.name);
    }
    for (const CatalogChange& change : s.effects.changes) {
      if (change.kind == CatalogChange::Kind::kUncertain ||
          change.kind == CatalogChange::Kind::kCall) {
        return Status::Ok();  // a DO block may create or hand over anything after it
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Status CheckPrivileges(CheckContext& context) {
  if (!context.postgres()) return Status::Ok();  // SQLite: the file's mode, checked at open
  auto who = context.Query(
      "SELECT current_user, rolsuper, current_database() FROM pg_roles WHERE rolname = "
      "current_user");
  if (!who.ok()) return who.status();
  const std::string me = who->rows.at(0).at(0).value_or("?");
  if (IsTrue(who->rows[0][1])) return Status::Ok();
  RATCHET_RETURN_IF_ERROR(CheckBookkeeping(context, me));
  RATCHET_RETURN_IF_ERROR(CheckObjects(context, me));

  // What only some commands need: warnings, and only for the check command.
  if (!context.options.command_privileges) return Status::Ok();
  bool online = false;
  for (const Item* item : context.items) online = online || item->section(SectionKind::kPrepare);
  if (online) {
    context.Add(Severity::kWarning, "", "",
                fmt::format("'ratchet prepare --freeze' needs a superuser (only superusers "
                            "create event triggers); role {} is not one, so prepare only "
                            "without --freeze",
                            me));
  }
  auto copy = DriverFor(context.conn.kind()).MissingCopyPrivileges(context.conn);
  if (!copy.ok()) return copy.status();
  if (!copy->empty()) {
    context.Add(Severity::kWarning, "", "",
                fmt::format("'ratchet copy-upgrade' would be refused: role {} lacks {} "
                            "privilege(s) it needs",
                            me, copy->size()),
                *copy);
  }
  return Status::Ok();
}

}  // namespace ratchet
