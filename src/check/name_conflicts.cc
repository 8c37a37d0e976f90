// The name conflicts family: objects the pending items will create whose
// names are taken when their statement runs, judged on a simulation of the
// catalog in plan order, so that what an earlier statement drops (with all
// that goes with it) or renames away is no conflict, and what ratchet
// cannot see is a warning, never a problem.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

#include "check/catalog_simulation.h"
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

// The start of PostgreSQL's dependency walk for `object`: the catalog rows
// (classid, objid) that stand for it. A column stands in for by its table,
// which takes it along; $1 to $3 as ProbePostgres's.
std::string DependencyStart(Space space) {
  switch (space) {
    case Space::kRelation:
      return "SELECT 'pg_class'::regclass::oid, c.oid FROM pg_class c JOIN pg_namespace n ON "
             "n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2 UNION ALL SELECT "
             "'pg_type'::regclass::oid, t.oid FROM pg_type t JOIN pg_namespace n ON n.oid = "
             "t.typnamespace WHERE n.nspname = $1 AND t.typname = $2 AND t.typrelid = 0";
    case Space::kType:
      return "SELECT 'pg_type'::regclass::oid, t.oid FROM pg_type t JOIN pg_namespace n ON "
             "n.oid = t.typnamespace WHERE n.nspname = $1 AND t.typname = $2";
    case Space::kFunction:
      return "SELECT 'pg_proc'::regclass::oid, o FROM (SELECT to_regprocedure(quote_ident($1) "
             "|| '.' || quote_ident($2) || $3)::oid AS o) p WHERE o IS NOT NULL";
    case Space::kTrigger:
      return "SELECT 'pg_trigger'::regclass::oid, g.oid FROM pg_trigger g JOIN pg_class c ON "
             "c.oid = g.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = "
             "$1 AND c.relname = $2 AND g.tgname = $3";
    case Space::kConstraint:
      return "SELECT 'pg_constraint'::regclass::oid, k.oid FROM pg_constraint k JOIN pg_class c "
             "ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE "
             "n.nspname = $1 AND c.relname = $2 AND k.conname = $3";
    case Space::kColumn:
      return "SELECT 'pg_class'::regclass::oid, c.oid FROM pg_class c JOIN pg_namespace n ON "
             "n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2";
    default:
      return "";
  }
}

// What dropping takes `object` along, from pg_depend: everything it
// depends on automatically or internally (a plain DROP of it removes the
// object) or normally (only DROP ... CASCADE does), followed through the
// objects it is made of (a view's rewrite rule), and through what those
// depend on in turn. Dependencies of a single column (on its type) are
// left out: they drop the column, not the object.
Result<std::vector<CatalogSimulation::Ancestor>> PostgresAncestors(CheckContext& c,
                                                                   const ObjectName& object) {
  std::vector<CatalogSimulation::Ancestor> out;
  std::string start = DependencyStart(object.space);
  if (start.empty()) return out;
  std::string probe;
  std::vector<Value> params;
  ProbePostgres(c, object, &probe, &params);
  // Exactly the parameters the start uses: the server must know each one's type.
  bool two = object.space == Space::kRelation || object.space == Space::kType ||
             object.space == Space::kColumn;
  params.resize(two ? 2 : 3, Value(std::string()));
  auto r = c.Query(
      "WITH RECURSIVE start(classid, objid) AS (" + start +
          "), walk(classid, objid, cascade) AS (SELECT classid, objid, false FROM start UNION "
          "SELECT CASE WHEN d.classid = w.classid AND d.objid = w.objid THEN d.refclassid ELSE "
          "d.classid END, CASE WHEN d.classid = w.classid AND d.objid = w.objid THEN d.refobjid "
          "ELSE d.objid END, w.cascade OR (d.classid = w.classid AND d.objid = w.objid AND "
          "d.deptype = 'n') FROM walk w JOIN pg_depend d ON (d.classid = w.classid AND d.objid "
          "= w.objid AND d.objsubid = 0 AND d.deptype IN ('n', 'a', 'i', 'e', 'x')) OR "
          "(d.refclassid = w.classid AND d.refobjid = w.objid AND d.deptype = 'i')) "
          "SELECT 'r', n.nspname, c.relname, bool_and(w.cascade) FROM walk w JOIN pg_class c ON "
          "w.classid = 'pg_class'::regclass AND c.oid = w.objid JOIN pg_namespace n ON n.oid = "
          "c.relnamespace GROUP BY 1, 2, 3 UNION ALL SELECT 's', '', n.nspname, "
          "bool_and(w.cascade) FROM walk w JOIN pg_namespace n ON w.classid = "
          "'pg_namespace'::regclass AND n.oid = w.objid GROUP BY 1, 2, 3 UNION ALL SELECT 't', "
          "n.nspname, t.typname, bool_and(w.cascade) FROM walk w JOIN pg_type t ON w.classid = "
          "'pg_type'::regclass AND t.oid = w.objid AND t.typrelid = 0 JOIN pg_namespace n ON "
          "n.oid = t.typnamespace GROUP BY 1, 2, 3 UNION ALL SELECT 'e', '', e.extname, "
          "bool_and(w.cascade) FROM walk w JOIN pg_extension e ON w.classid = "
          "'pg_extension'::regclass AND e.oid = w.objid GROUP BY 1, 2, 3",
      params);
  if (!r.ok()) return r.status();
  for (const Row& row : r->rows) {
    std::string kind = row[0].value_or("");
    CatalogSimulation::Ancestor ancestor;
    ancestor.object.space = kind == "r"   ? Space::kRelation
                            : kind == "s" ? Space::kSchema
                            : kind == "t" ? Space::kType
                                          : Space::kExtension;
    ancestor.object.what = kind == "r" ? "relation" : kind == "s" ? "schema" : "type";
    ancestor.object.schema = row[1].value_or("");
    ancestor.object.name = row[2].value_or("");
    ancestor.cascade = row[3].value_or("f") == "t";
    out.push_back(ancestor);
  }
  return out;
}

// SQLite: an index or trigger goes with its table.
Result<std::vector<CatalogSimulation::Ancestor>> SqliteAncestors(CheckContext& c,
                                                                 const ObjectName& object) {
  std::vector<CatalogSimulation::Ancestor> out;
  if (object.space != Space::kRelation && object.space != Space::kTrigger) return out;
  auto r = c.Query(
      "SELECT lower(tbl_name) FROM sqlite_schema WHERE type IN ('index', 'trigger') AND "
      "lower(name) = lower($1)",
      {Value(object.name)});
  if (!r.ok()) return r.status();
  for (const Row& row : r->rows) {
    CatalogSimulation::Ancestor ancestor;
    ancestor.object.space = Space::kRelation;
    ancestor.object.what = "table";
    ancestor.object.name = row[0].value_or("");
    out.push_back(ancestor);
  }
  return out;
}

// The user-defined functions of the database, by name, with what a call of
// one may touch: the names its body mentions (SQL and PL/pgSQL) or any
// (dynamic SQL, other languages). Built-in and extension functions create
// nothing and are left out.
Result<std::map<std::string, Touches>> PostgresRoutines(CheckContext& c,
                                                        const std::set<std::string>& names) {
  std::map<std::string, Touches> out;
  if (names.empty()) return out;
  nlohmann::json list = nlohmann::json::array();
  for (const std::string& name : names) list.push_back(name);
  auto r = c.Query(
      "SELECT p.proname, l.lanname, p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = "
      "p.pronamespace JOIN pg_language l ON l.oid = p.prolang WHERE p.proname IN (SELECT "
      "json_array_elements_text($1::json)) AND n.nspname NOT IN ('pg_catalog', "
      "'information_schema') AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = "
      "'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')",
      {Value(list.dump())});
  if (!r.ok()) return r.status();
  for (const Row& row : r->rows) {
    std::string language = row[1].value_or("");
    Touches body = language == "sql" || language == "plpgsql" ? TouchesOfBody(row[2].value_or(""))
                                                              : Touches{true, {}};
    Touches& all = out[row[0].value_or("")];
    all.all |= body.all;
    all.words.insert(body.words.begin(), body.words.end());
  }
  return out;
}

// The schema filled in, so that one object has one key.
ObjectName Normal(const CheckContext& c, ObjectName name) {
  if (name.space != Space::kSchema && name.space != Space::kExtension && !name.name.empty()) {
    name.schema = c.SchemaOf(name.schema);
  }
  return name;
}

CatalogChange Normal(const CheckContext& c, CatalogChange change) {
  change.object = Normal(c, change.object);
  change.creation.object = Normal(c, change.creation.object);
  change.creation.owner = Normal(c, change.creation.owner);
  for (ObjectName& reference : change.creation.references) reference = Normal(c, reference);
  return change;
}

// Loads into `sim` every object of the database whose name a pending
// statement takes, with what would drop it.
Status LoadExisting(CheckContext& c, CatalogSimulation* sim) {
  std::vector<ObjectName> objects;
  std::set<std::string> keys;
  for (const PlannedStatement& s : c.statements) {
    for (const CatalogChange& change : s.effects.changes) {
      if (change.kind != CatalogChange::Kind::kCreate &&
          change.kind != CatalogChange::Kind::kRename) {
        continue;
      }
      ObjectName object = Normal(c, change.creation.object);
      if (keys.insert(object.Key()).second) objects.push_back(object);
    }
  }
  std::map<std::string, std::string> taken;
  if (c.postgres()) {
    RATCHET_RETURN_IF_ERROR(PrefetchPostgres(c, objects, &taken));
  } else {
    for (const ObjectName& object : objects) {
      auto existing = ExistingSqlite(c, object);
      if (!existing.ok()) return existing.status();
      if (!existing->empty()) taken[object.Key()] = *existing;
    }
  }
  for (const ObjectName& object : objects) {
    ObjectName probed = object;  // as PrefetchPostgres keys what it finds
    probed.schema = c.SchemaOf(probed.schema);
    auto it = taken.find(probed.Key());
    if (it == taken.end()) continue;
    auto ancestors = c.postgres() ? PostgresAncestors(c, object) : SqliteAncestors(c, object);
    if (!ancestors.ok()) return ancestors.status();
    std::vector<CatalogSimulation::Ancestor> normal = *ancestors;
    for (CatalogSimulation::Ancestor& a : normal) a.object = Normal(c, a.object);
    sim->AddExisting(object, it->second, normal);
  }
  return Status::Ok();
}

// Reports what creating `creation` at statement `s` runs into.
void Judge(CheckContext& c, const PlannedStatement& s, const Creation& creation,
           const CatalogSimulation::Lookup& found) {
  const ObjectName& object = creation.object;
  const std::string version = s.item->version.ToString();
  bool tolerant = creation.if_not_exists || creation.or_replace;
  if (found.state == CatalogSimulation::State::kFree) return;
  if (found.state == CatalogSimulation::State::kMaybe) {
    if (tolerant) return;
    c.Add(Severity::kWarning, version, s.Where(),
          fmt::format("{} may exist when this statement runs, and then the statement fails: {}, "
                      "which ratchet cannot see into. Make sure it does not, or create the object "
                      "with IF NOT EXISTS (or OR REPLACE) here",
                      object.Describe(), found.doubt));
    return;
  }
  if (!found.existing) {
    if (tolerant) return;
    c.Add(Severity::kProblem, version, s.Where(),
          fmt::format("{} is created twice in this upgrade: {} creates it already, so this "
                      "statement would fail",
                      object.Describe(), found.holder));
    return;
  }
  if (creation.or_replace) return;
  if (creation.if_not_exists) {
    c.Add(Severity::kWarning, version, s.Where(),
          fmt::format("{} exists already: IF NOT EXISTS keeps the existing one, whose "
                      "definition may differ from the item's",
                      object.Describe()));
    return;
  }
  c.Add(Severity::kProblem, version, s.Where(),
        fmt::format("{} cannot be created: {} of that name exists already. Rename or drop "
                    "the existing one; or, if it is this item's own work done by hand, "
                    "record the item with 'ratchet baseline'",
                    object.Describe(), found.holder));
}

}  // namespace

Status CheckNameConflicts(CheckContext& c) {
  CatalogSimulation sim;
  RATCHET_RETURN_IF_ERROR(LoadExisting(c, &sim));
  std::map<std::string, Touches> routines;
  if (c.postgres()) {
    std::set<std::string> called;
    for (const PlannedStatement& s : c.statements) {
      for (const CatalogChange& change : s.effects.changes) {
        if (change.kind == CatalogChange::Kind::kCall) called.insert(change.object.name);
      }
    }
    auto found = PostgresRoutines(c, called);
    if (!found.ok()) return found.status();
    routines = std::move(*found);
  }
  // In plan order, each change as it takes effect: a name is judged
  // against what every earlier statement, and earlier change of the same
  // statement, made of the catalog.
  for (const PlannedStatement& s : c.statements) {
    const std::string origin = fmt::format("{} ({})", s.item->version.ToString(), s.Where());
    for (const CatalogChange& raw : s.effects.changes) {
      CatalogChange change = Normal(c, raw);
      if (change.kind == CatalogChange::Kind::kCall) {
        Touches body;
        if (!sim.RoutineBody(change.object, &body)) {
          auto it = routines.find(change.object.name);
          if (it == routines.end()) continue;  // built in, or not there: creates nothing
          body = it->second;
        }
        sim.Doubt(body, change.reason, origin);
        continue;
      }
      if ((change.kind == CatalogChange::Kind::kCreate && !change.creation.implicit) ||
          change.kind == CatalogChange::Kind::kRename) {
        Judge(c, s, change.creation, sim.Find(change.creation.object));
      }
      sim.Apply(change, origin);
    }
  }
  return Status::Ok();
}

}  // namespace ratchet
