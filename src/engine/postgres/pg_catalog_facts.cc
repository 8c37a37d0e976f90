// What the pre-upgrade checks ask of a PostgreSQL catalog: table sizes and
// whether work is avoided, the server's version, extensions and settings,
// the names already taken and what drops them (pg_depend), user-defined
// routines, and the connected role's privileges.
#include <fmt/format.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "engine/postgres/postgres_engine.h"
#include "sql/sql_text.h"

namespace ratchet::postgres {
namespace {

namespace fs = std::filesystem;
using Space = ObjectName::Space;

bool IsTrue(const std::optional<std::string>& value) { return value && *value == "t"; }

Result<std::optional<TableFacts>> PostgresTable(CatalogReader& c, const TableWork& work) {
  auto r = c.Query(
      "SELECT c.oid, pg_total_relation_size(c.oid), c.reltablespace FROM pg_class c JOIN "
      "pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2 AND "
      "c.relkind IN ('r', 'p', 'm')",
      {Value(c.SchemaOf(work.schema)), Value(work.table)});
  if (!r.ok()) return r.status();
  if (r->rows.empty()) return std::optional<TableFacts>();
  TableFacts facts;
  facts.oid = r->rows[0][0].value_or("");
  facts.bytes = std::stoll(r->rows[0][1].value_or("-1"));
  facts.tablespace = r->rows[0][2].value_or("0");
  return std::optional<TableFacts>(facts);
}

// Whether the catalog shows that `work` will not rewrite or scan after all.
Result<bool> PostgresAvoids(CatalogReader& c, const TableWork& work, const TableFacts& facts) {
  if (!work.default_functions.empty()) {
    std::string names;
    for (const std::string& f : work.default_functions) names += (names.empty() ? "" : ",") + f;
    auto r = c.Query(
        "SELECT coalesce(bool_or(provolatile = 'v'), false) FROM pg_proc WHERE "
        "proname = ANY(string_to_array($1, ','))",
        {Value(names)});
    if (!r.ok()) return r.status();
    return r->rows.at(0).at(0) != "t";  // a stable default is evaluated once, stored once
  }
  if (!work.not_null_column.empty()) {
    auto r = c.Query(
        "SELECT 1 FROM pg_constraint WHERE conrelid = $1::oid AND contype = 'c' AND "
        "convalidated AND pg_get_constraintdef(oid) = 'CHECK ((' || quote_ident($2) "
        "|| ' IS NOT NULL))'",
        {Value(facts.oid), Value(work.not_null_column)});
    if (!r.ok()) return r.status();
    return !r->rows.empty();
  }
  if (!work.type_column.empty() && !work.has_using) {
    auto r = c.Query(
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid "
        "= $1::oid AND attname = $2",
        {Value(facts.oid), Value(work.type_column)});
    if (!r.ok()) return r.status();
    if (r->rows.empty()) return false;
    return BinaryCoercible(r->rows[0][0].value_or(""), work.new_type);
  }
  return false;
}

// Where a rewrite of the table would write, if this machine can see it:
// the server is local and its data directory (or the table's tablespace)
// is readable here.
Result<std::string> PostgresDataPath(CatalogReader& c, const TableFacts& facts) {
  auto r = c.Query(
      "SELECT coalesce(host(inet_server_addr()), 'local'), (SELECT setting FROM pg_settings "
      "WHERE name = 'data_directory'), CASE WHEN $1::oid = 0 THEN NULL ELSE "
      "pg_tablespace_location($1::oid) END",
      {Value(facts.tablespace)});
  if (!r.ok()) return r.status();
  const Row& row = r->rows.at(0);
  std::string host = row[0].value_or("");
  if (host != "local" && host != "127.0.0.1" && host != "::1") return std::string();
  std::string path = row[2].value_or("");
  if (path.empty()) path = row[1].value_or("");
  std::error_code ec;
  return fs::is_directory(path, ec) ? path : std::string();
}

// The query that returns what already holds `object`'s name ("a table"),
// or no row, with its parameters ($1 the schema, then up to two more).
void ProbePostgres(CatalogReader& c, const ObjectName& object, std::string* out_sql,
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
Status PrefetchPostgres(CatalogReader& c, const std::vector<ObjectName>& objects,
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
Result<std::vector<DroppedWith>> PostgresAncestors(CatalogReader& c, const ObjectName& object) {
  std::vector<DroppedWith> out;
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
    DroppedWith ancestor;
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

// The user-defined functions of the database, by name, with what a call of
// one may touch: the names its body mentions (SQL and PL/pgSQL) or any
// (dynamic SQL, other languages). Built-in and extension functions create
// nothing and are left out.
Result<std::map<std::string, Touches>> PostgresRoutines(CatalogReader& c,
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

class PostgresCatalogFacts : public CatalogFacts {
 public:
  Result<std::string> DefaultSchema(CatalogReader& c) const override {
    auto schema = c.Query("SELECT current_schema()");
    if (!schema.ok()) return schema.status();
    return schema->rows.at(0).at(0).value_or("public");
  }

  Result<std::optional<TableFacts>> Table(CatalogReader& c, const TableWork& work) const override {
    return PostgresTable(c, work);
  }
  Result<bool> AvoidsWork(CatalogReader& c, const TableWork& work,
                          const TableFacts& table) const override {
    return PostgresAvoids(c, work, table);
  }
  Result<std::string> DataPath(CatalogReader& c, const TableFacts& table) const override {
    return PostgresDataPath(c, table);
  }

  Result<std::optional<Version>> ServerVersion(CatalogReader& c) const override {
    auto r = c.Query(
        "SELECT current_setting('server_version_num')::int, "
        "current_setting('server_version')");
    if (!r.ok()) return r.status();
    Version version;
    version.number = std::stoi(r->rows.at(0).at(0).value_or("0"));
    version.text = r->rows[0][1].value_or("?");
    return std::optional<Version>(version);
  }
  bool has_extensions() const override { return true; }
  Result<Extension> ExtensionOf(CatalogReader& c, const std::string& name) const override {
    auto r = c.Query(
        "SELECT (SELECT extversion FROM pg_extension WHERE extname = $1), "
        "(SELECT default_version FROM pg_available_extensions WHERE name = $1)",
        {Value(name)});
    if (!r.ok()) return r.status();
    const Row& row = r->rows.at(0);
    return Extension{row[0], row[1]};
  }
  Result<std::optional<std::string>> Setting(CatalogReader& c,
                                             const std::string& name) const override {
    // pg_settings gives numbers in the setting's base unit (8kB pages,
    // ms ...), which is what a comparison needs.
    auto r = c.Query(
        "SELECT coalesce((SELECT setting FROM pg_settings WHERE name = $1), "
        "current_setting($1, true))",
        {Value(name)});
    if (!r.ok()) return r.status();
    return r->rows.at(0).at(0);
  }
  const char* settings_holder() const override { return "server"; }

  Status FindTaken(CatalogReader& c, const std::vector<ObjectName>& objects,
                   std::map<std::string, std::string>* taken) const override {
    return PrefetchPostgres(c, objects, taken);
  }
  Result<std::vector<DroppedWith>> DroppedAlongWith(CatalogReader& c,
                                                    const ObjectName& object) const override {
    return PostgresAncestors(c, object);
  }
  Result<std::map<std::string, Touches>> Routines(
      CatalogReader& c, const std::set<std::string>& names) const override {
    return PostgresRoutines(c, names);
  }

  Result<std::optional<RoleFacts>> Role(CatalogReader& c) const override {
    auto who = c.Query(
        "SELECT current_user, rolsuper, current_database() FROM pg_roles WHERE rolname = "
        "current_user");
    if (!who.ok()) return who.status();
    RoleFacts role;
    role.name = who->rows.at(0).at(0).value_or("?");
    role.superuser = IsTrue(who->rows[0][1]);
    role.database = who->rows[0][2].value_or("");
    return std::optional<RoleFacts>(role);
  }
  Result<std::string> BookkeepingRefusal(CatalogReader& c, const std::string& me,
                                         const std::string& schema) const override {
    auto rows = c.Query(
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
    if (!IsTrue(r[0]) && !IsTrue(r[1])) {
      return fmt::format(
          "role {} may not create the bookkeeping schema {}: grant it with "
          "GRANT CREATE ON DATABASE <this database> TO {}, or have an "
          "administrator run CREATE SCHEMA {} AUTHORIZATION {}",
          me, schema, QuoteNameIfNeeded(me), QuoteNameIfNeeded(schema), QuoteNameIfNeeded(me));
    }
    if (IsTrue(r[0]) && !IsTrue(r[3]) && !IsTrue(r[2])) {
      return fmt::format(
          "role {} may not create ratchet's tables in schema {}: GRANT USAGE, "
          "CREATE ON SCHEMA {} TO {}",
          me, schema, QuoteNameIfNeeded(schema), QuoteNameIfNeeded(me));
    }
    if (IsTrue(r[3]) && !IsTrue(r[4])) {
      return fmt::format(
          "role {} may not write ratchet's bookkeeping in schema {}: run as "
          "the role that owns it, or GRANT INSERT, UPDATE, DELETE ON ALL "
          "TABLES IN SCHEMA {} TO {}",
          me, schema, QuoteNameIfNeeded(schema), QuoteNameIfNeeded(me));
    }
    return std::string();
  }
  Result<bool> MayCreateIn(CatalogReader& c, const std::string& schema) const override {
    auto rows = c.Query(
        "SELECT has_schema_privilege(n.oid, 'CREATE') FROM pg_namespace n WHERE nspname = $1",
        {schema});
    if (!rows.ok()) return rows.status();
    return rows->rows.empty() || IsTrue(rows->rows[0][0]);
  }
  Result<std::optional<ForeignOwner>> OwnerIfNotMine(CatalogReader& c, const std::string& schema,
                                                     const std::string& table) const override {
    auto rows = c.Query(
        "SELECT pg_has_role(c.relowner, 'USAGE'), pg_get_userbyid(c.relowner), "
        "       CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' "
        "       WHEN 'S' THEN 'sequence' WHEN 'i' THEN 'index' ELSE 'table' END "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = $1 AND c.relname = $2",
        {schema, table});
    if (!rows.ok()) return rows.status();
    if (rows->rows.empty() || IsTrue(rows->rows[0][0])) return std::optional<ForeignOwner>();
    return std::optional<ForeignOwner>(
        ForeignOwner{rows->rows[0][1].value_or("?"), rows->rows[0][2].value_or("table")});
  }
};

}  // namespace

bool BinaryCoercible(const std::string& from, const std::string& to) {
  if (from == to) return true;
  static const std::regex kVarchar("character varying(?:\\((\\d+)\\))?");
  static const std::regex kNumeric("numeric(?:\\((\\d+),(\\d+)\\))?");
  std::smatch a, b;
  bool from_text = from == "text" || std::regex_match(from, a, kVarchar);
  if (from_text && (to == "text" || to == "character varying")) return true;
  if (std::regex_match(from, a, kVarchar) && std::regex_match(to, b, kVarchar)) {
    return !b[1].matched || (a[1].matched && std::stoi(b[1].str()) >= std::stoi(a[1].str()));
  }
  if (std::regex_match(from, a, kNumeric) && std::regex_match(to, b, kNumeric)) {
    if (!b[1].matched) return true;
    return a[1].matched && a[2].str() == b[2].str() &&
           std::stoi(b[1].str()) >= std::stoi(a[1].str());
  }
  return false;
}

const CatalogFacts& PgCatalogFacts() {
  static const PostgresCatalogFacts facts;
  return facts;
}

}  // namespace ratchet::postgres
