// The name conflicts family: objects the pending items will create that the
// database has already, judged in plan order so that what an earlier item
// drops or renames away is no conflict.
#include <fmt/format.h>

#include <map>
#include <set>

#include "check/check_context.h"

namespace ratchet {
namespace {

using Space = ObjectName::Space;

// What already holds `object`'s name, e.g. "a table", or "" if nothing.
Result<std::string> ExistingPostgres(CheckContext& c, const ObjectName& object) {
  std::string schema = c.SchemaOf(object.schema);
  std::string sql;
  std::vector<Value> params = {Value(schema)};
  switch (object.space) {
    case Space::kRelation:
      // Tables, views, indexes and sequences share one namespace, and each
      // table and view also makes a type of its name.
      sql =
          "SELECT CASE c.relkind WHEN 'r' THEN 'a table' WHEN 'p' THEN 'a table' WHEN 'v' THEN "
          "'a view' WHEN 'm' THEN 'a materialized view' WHEN 'i' THEN 'an index' WHEN 'I' THEN "
          "'an index' WHEN 'S' THEN 'a sequence' WHEN 'f' THEN 'a foreign table' ELSE 'a "
          "relation' END FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE "
          "n.nspname = $1 AND c.relname = $2 UNION ALL SELECT 'a type' FROM pg_type t JOIN "
          "pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = $1 AND t.typname = $2";
      params.push_back(Value(object.name));
      break;
    case Space::kType:
      sql =
          "SELECT 'a type' FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE "
          "n.nspname = $1 AND t.typname = $2";
      params.push_back(Value(object.name));
      break;
    case Space::kFunction:
      sql =
          "SELECT 'a function' WHERE to_regprocedure(quote_ident($1) || '.' || quote_ident($2) "
          "|| $3) IS NOT NULL";
      params.push_back(Value(object.name));
      params.push_back(Value(object.arguments));
      break;
    case Space::kTrigger:
      sql =
          "SELECT 'a trigger' FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid JOIN "
          "pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2 "
          "AND g.tgname = $3";
      params.push_back(Value(object.table));
      params.push_back(Value(object.name));
      break;
    case Space::kColumn:
      sql =
          "SELECT 'a column' FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN "
          "pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2 "
          "AND a.attname = $3 AND a.attnum > 0 AND NOT a.attisdropped";
      params.push_back(Value(object.table));
      params.push_back(Value(object.name));
      break;
    case Space::kConstraint:
      sql =
          "SELECT 'a constraint' FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
          "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = "
          "$2 AND k.conname = $3";
      params.push_back(Value(object.table));
      params.push_back(Value(object.name));
      break;
    case Space::kSchema:
      sql = "SELECT 'a schema' FROM pg_namespace WHERE nspname = $1";
      params = {Value(object.name)};
      break;
    case Space::kExtension:
      sql = "SELECT 'an extension' FROM pg_extension WHERE extname = $1";
      params = {Value(object.name)};
      break;
  }
  auto r = c.Query(sql, params);
  if (!r.ok()) return r.status();
  return r->rows.empty() ? std::string() : r->rows[0][0].value_or("");
}

Result<std::string> ExistingSqlite(CheckContext& c, const ObjectName& object) {
  std::string sql;
  std::vector<Value> params = {Value(object.name)};
  if (object.space == Space::kColumn) {
    sql = "SELECT 'a column' FROM pragma_table_info($2) WHERE lower(name) = lower($1)";
    params.push_back(Value(object.table));
  } else if (object.space == Space::kTrigger) {
    sql =
        "SELECT 'a trigger' FROM sqlite_schema WHERE type = 'trigger' AND lower(name) = "
        "lower($1)";
  } else if (object.space == Space::kRelation) {
    // Tables, indexes and views share one namespace.
    sql =
        "SELECT CASE type WHEN 'index' THEN 'an index' ELSE 'a ' || type END FROM "
        "sqlite_schema WHERE type IN ('table', 'index', 'view') AND lower(name) = lower($1)";
  } else {
    return std::string();
  }
  auto r = c.Query(sql, params);
  if (!r.ok()) return r.status();
  return r->rows.empty() ? std::string() : r->rows[0][0].value_or("");
}

bool BelongsToTable(Space space) {
  return space == Space::kColumn || space == Space::kConstraint || space == Space::kTrigger;
}

}  // namespace

Status CheckNameConflicts(CheckContext& c) {
  std::map<std::string, std::string> created;  // key -> the item and place that creates it
  std::set<std::string> removed;
  EffectsWalk walk;
  for (const PlannedStatement& s : c.statements) {
    for (const Creation& creation : s.effects.creates) {
      ObjectName object = creation.object;
      object.schema = c.SchemaOf(object.schema);
      const std::string key = object.Key();
      const std::string version = s.item->version.ToString();
      bool tolerant = creation.if_not_exists || creation.or_replace;
      if (auto earlier = created.find(key); earlier != created.end()) {
        if (!tolerant) {
          c.Add(Severity::kProblem, version, s.Where(),
                fmt::format("{} is created twice in this upgrade: {} creates it already, so this "
                            "statement would fail",
                            object.Describe(), earlier->second));
        }
        continue;
      }
      if (removed.count(key)) continue;  // an earlier item drops or renames it first
      if (BelongsToTable(object.space) &&
          walk.TableIsNew(creation.object.schema, creation.object.table)) {
        continue;  // the table is new, or made anew, in this upgrade
      }
      auto existing = c.postgres() ? ExistingPostgres(c, object) : ExistingSqlite(c, object);
      if (!existing.ok()) return existing.status();
      if (existing->empty() || creation.or_replace) continue;
      if (creation.if_not_exists) {
        c.Add(Severity::kWarning, version, s.Where(),
              fmt::format("{} exists already: IF NOT EXISTS keeps the existing one, whose "
                          "definition may differ from the item's",
                          object.Describe()));
      } else {
        c.Add(Severity::kProblem, version, s.Where(),
              fmt::format("{} cannot be created: {} of that name exists already. Rename or drop "
                          "the existing one; or, if it is this item's own work done by hand, "
                          "record the item with 'ratchet baseline'",
                          object.Describe(), *existing));
      }
    }
    for (const ObjectName& gone : s.effects.removes) {
      ObjectName object = gone;
      object.schema = c.SchemaOf(object.schema);
      created.erase(object.Key());
      removed.insert(object.Key());
    }
    for (const Creation& creation : s.effects.creates) {
      ObjectName object = creation.object;
      object.schema = c.SchemaOf(object.schema);
      created.emplace(object.Key(), fmt::format("{} ({})", s.item->version.ToString(), s.Where()));
      removed.erase(object.Key());
    }
    walk.Next(s.effects);
  }
  return Status::Ok();
}

}  // namespace ratchet
