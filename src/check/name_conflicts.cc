// The name conflicts family: objects the pending items will create that the
// database has already, judged in plan order so that what an earlier item
// drops or renames away is no conflict.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "check/check_context.h"

namespace ratchet {
namespace {

using Space = ObjectName::Space;

// The query that returns what already holds `object`'s name ("a table"),
// or no row, with its parameters ($1 the schema, then up to two more).
void ProbePostgres(CheckContext& c, const ObjectName& object, std::string* out_sql,
                   std::vector<Value>* out_params) {
  std::string schema = c.SchemaOf(object.schema);
  std::string& sql = *out_sql;
  std::vector<Value>& params = *out_params;
  params = {Value(schema)};
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
}

// Finds what already holds the name of each object in `objects` with a few
// queries instead of one per object (three round trips each, with its
// savepoint): each object's probe runs as a LATERAL subquery over a VALUES
// list of their parameters. `found` maps the key of every object whose name
// is taken to what holds it ("a table").
Status PrefetchPostgres(CheckContext& c, const std::vector<ObjectName>& objects,
                        std::map<std::string, std::string>* found) {
  // The probes differ by space only; a group of one space shares one query.
  std::map<Space, std::vector<const ObjectName*>> by_space;
  for (const ObjectName& o : objects) by_space[o.space].push_back(&o);
  constexpr size_t kPerQuery = 500;  // 4 parameters each, far below the protocol's limit
  for (const auto& [space, group] : by_space) {
    for (size_t first = 0; first < group.size(); first += kPerQuery) {
      size_t last = std::min(group.size(), first + kPerQuery);
      std::string probe;
      std::vector<Value> params, all;
      std::string rows;
      for (size_t k = first; k < last; ++k) {
        ProbePostgres(c, *group[k], &probe, &params);
        params.resize(3, Value(std::string()));
        size_t at = all.size();
        rows += fmt::format("{}(${}::int, ${}::text, ${}::text, ${}::text)", k == first ? "" : ", ",
                            at + 1, at + 2, at + 3, at + 4);
        all.push_back(Value(std::to_string(k)));
        for (Value& v : params) all.push_back(std::move(v));
      }
      // The single-object probe, reading its parameters from the VALUES row.
      for (const char* n : {"1", "2", "3"}) {
        std::string from = std::string("$") + n, to = std::string("v.p") + n;
        for (size_t at = probe.find(from); at != std::string::npos; at = probe.find(from, at)) {
          probe.replace(at, from.size(), to);
          at += to.size();
        }
      }
      auto r = c.Query(fmt::format("SELECT v.i, x.what FROM (VALUES {}) AS v(i, p1, p2, p3) "
                                   "CROSS JOIN LATERAL ({} LIMIT 1) AS x(what)",
                                   rows, probe),
                       all);
      if (!r.ok()) return r.status();
      for (const Row& row : r->rows) {
        size_t k = std::stoul(row[0].value_or("0"));
        ObjectName object = *group[k];
        object.schema = c.SchemaOf(object.schema);
        (*found)[object.Key()] = row[1].value_or("");
      }
    }
  }
  return Status::Ok();
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
  // PostgreSQL: every name the items create is looked up at once.
  std::optional<std::map<std::string, std::string>> taken;
  if (c.postgres()) {
    std::vector<ObjectName> objects;
    for (const PlannedStatement& s : c.statements) {
      for (const Creation& creation : s.effects.creates) objects.push_back(creation.object);
    }
    taken.emplace();
    RATCHET_RETURN_IF_ERROR(PrefetchPostgres(c, objects, &*taken));
  }
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
      Result<std::string> existing = std::string();
      if (taken) {
        auto it = taken->find(object.Key());
        if (it != taken->end()) existing = it->second;
      } else {
        existing = ExistingSqlite(c, object);
      }
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
