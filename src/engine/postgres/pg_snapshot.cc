// The PostgreSQL catalog as a snapshot: one query per kind of object against
// pg_catalog, with the server's own deparsers (pg_get_indexdef,
// pg_get_viewdef, pg_get_constraintdef, pg_get_triggerdef ...) so that two
// databases built from different SQL text compare by meaning.
#include <fmt/format.h>

#include <functional>
#include <map>
#include <regex>
#include <string>

#include "engine/postgres/postgres_engine.h"
#include "snapshot/snapshot_objects.h"
#include "sql/sql_text.h"

namespace ratchet::postgres {
namespace {

// The user's schemas: not the system's, not ratchet's bookkeeping ($1).
constexpr const char* kUserSchema =
    "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' "
    "AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname <> $1";

// An object that belongs to an extension is the extension's, not the user's.
std::string NotExtensionMember(const char* catalog, const char* oid) {
  return fmt::format(
      "NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '{}'::regclass AND e.objid = {} "
      "AND e.deptype = 'e')",
      catalog, oid);
}

// The privileges granted on an object to anyone but its owner, one
// "<grantee> <privilege>" per grant, sorted; NULL when there are none.
// `kind` is acldefault's object type letter.
std::string Grants(const char* kind, const char* acl, const char* owner) {
  return fmt::format(
      "(SELECT string_agg(g, ', ' ORDER BY g) FROM (SELECT CASE WHEN a.grantee = 0 THEN "
      "'PUBLIC' ELSE pg_get_userbyid(a.grantee) END || ' ' || a.privilege_type || CASE WHEN "
      "a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END AS g FROM "
      "aclexplode(coalesce({}, acldefault('{}', {}))) a WHERE a.grantee <> {}) s)",
      acl, kind, owner, owner);
}

// "books" for public.books, "sales.books" otherwise.
std::string Qualify(const std::string& schema, const std::string& name) {
  return schema == "public" ? name : schema + "." + name;
}

using Props = std::vector<std::pair<std::string, std::string>>;

void Put(Props* props, const char* name, const std::optional<std::string>& value) {
  if (value && !value->empty()) props->emplace_back(name, *value);
}

std::string YesNo(const std::optional<std::string>& flag) { return flag == "t" ? "yes" : "no"; }

class PostgresCatalog {
 public:
  PostgresCatalog(Connection& conn, const SnapshotOptions& options, Snapshot* out)
      : conn_(conn), schema_(options.history_schema), out_(out) {}

  Status Read() {
    auto version = conn_.Query("SELECT current_setting('server_version_num')::int");
    if (!version.ok()) return version.status();
    server_version_ = std::stoi(version->rows.at(0).at(0).value_or("0"));
    RATCHET_RETURN_IF_ERROR(Schemas());
    RATCHET_RETURN_IF_ERROR(Extensions());
    RATCHET_RETURN_IF_ERROR(Relations());
    RATCHET_RETURN_IF_ERROR(Sequences());  // before Columns, whose defaults name them
    RATCHET_RETURN_IF_ERROR(Columns());
    RATCHET_RETURN_IF_ERROR(Constraints());
    RATCHET_RETURN_IF_ERROR(Indexes());
    RATCHET_RETURN_IF_ERROR(Types());
    RATCHET_RETURN_IF_ERROR(Functions());
    RATCHET_RETURN_IF_ERROR(Triggers());
    return Policies();
  }

 private:
  // Runs `sql` with the bookkeeping schema as $1 and calls `row` per row.
  Status Each(const std::string& sql, const std::function<void(const Row&)>& row,
              bool with_schema = true) {
    std::vector<Value> params;
    if (with_schema) params.push_back(Value(schema_));
    auto result = conn_.Query(sql, params);
    if (!result.ok()) return result.status();
    for (const Row& r : result->rows) row(r);
    return Status::Ok();
  }

  SchemaObject& Add(std::string kind, std::string key, std::string name) {
    return AddObject(out_, std::move(kind), std::move(key), std::move(name));
  }

  static std::string Text(const Row& row, size_t i) { return row.at(i).value_or(""); }

  Status Schemas() {
    return Each(fmt::format("SELECT n.nspname, obj_description(n.oid, 'pg_namespace'), {} "
                            "FROM pg_namespace n WHERE {} AND {}",
                            Grants("n", "n.nspacl", "n.nspowner"), kUserSchema,
                            NotExtensionMember("pg_namespace", "n.oid")),
                [&](const Row& r) {
                  SchemaObject& o = Add("schema", Text(r, 0), Text(r, 0));
                  Put(&o.properties, "comment", r[1]);
                  Put(&o.properties, "grants", r[2]);
                });
  }

  Status Extensions() {
    return Each(
        "SELECT e.extname, e.extversion, n.nspname FROM pg_extension e "
        "JOIN pg_namespace n ON n.oid = e.extnamespace",
        [&](const Row& r) {
          SchemaObject& o = Add("extension", Text(r, 0), Text(r, 0));
          Put(&o.properties, "version", r[1]);
          Put(&o.properties, "schema", r[2]);
        },
        /*with_schema=*/false);
  }

  // Tables, views and materialized views.
  Status Relations() {
    std::string sql = fmt::format(
        "SELECT n.nspname, c.relname, c.relkind, c.relpersistence, c.relrowsecurity, "
        "c.relforcerowsecurity, CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END, "
        "CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END, "
        "(SELECT string_agg(CASE WHEN pn.nspname = 'public' THEN p.relname ELSE pn.nspname || "
        "'.' || p.relname END, ', ' ORDER BY i.inhseqno) FROM pg_inherits i JOIN pg_class p ON "
        "p.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = p.relnamespace WHERE i.inhrelid = "
        "c.oid), array_to_string(c.reloptions, ', '), obj_description(c.oid, 'pg_class'), {}, "
        "CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid, true) END, "
        "(SELECT string_agg(a.attname, ', ' ORDER BY a.attnum) FROM pg_attribute a WHERE "
        "a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm') AND {} AND {}",
        Grants("r", "c.relacl", "c.relowner"), kUserSchema,
        NotExtensionMember("pg_class", "c.oid"));
    return Each(sql, [&](const Row& r) {
      std::string name = Qualify(Text(r, 0), Text(r, 1));
      std::string relkind = Text(r, 2);
      const char* kind = relkind == "v" ? "view" : relkind == "m" ? "materialized view" : "table";
      SchemaObject& o = Add(kind, name, name);
      if (relkind == "f") o.properties.emplace_back("foreign", "yes");
      if (r[3] == "u") o.properties.emplace_back("unlogged", "yes");
      if (r[4] == "t") o.properties.emplace_back("row security", "enabled");
      if (r[5] == "t") o.properties.emplace_back("row security forced", "yes");
      Put(&o.properties, "partitioned by", r[6]);
      Put(&o.properties, "partition of",
          r[8].has_value() && r[7].has_value()
              ? std::optional<std::string>(Text(r, 8) + " " + Text(r, 7))
              : std::nullopt);
      if (!r[7].has_value()) Put(&o.properties, "inherits", r[8]);
      if (r[12].has_value())
        o.properties.emplace_back("definition", NormaliseSql(Text(r, 12), false));
      else
        Put(&o.properties, "column order", r[13]);
      Put(&o.properties, "options", r[9]);
      Put(&o.properties, "comment", r[10]);
      Put(&o.properties, "grants", r[11]);
    });
  }

  Status Columns() {
    std::string sql = fmt::format(
        "SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod), "
        "a.attnotnull, CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END, "
        "CASE WHEN a.attgenerated <> '' THEN pg_get_expr(d.adbin, d.adrelid) END, "
        "CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN co.collname "
        "END, a.attidentity, col_description(c.oid, a.attnum), "
        "(SELECT string_agg(p, ', ' ORDER BY p) FROM (SELECT CASE WHEN g.grantee = 0 THEN "
        "'PUBLIC' ELSE pg_get_userbyid(g.grantee) END || ' ' || g.privilege_type AS p FROM "
        "aclexplode(a.attacl) g) s) "
        "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_type t ON t.oid = a.atttypid "
        "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
        "LEFT JOIN pg_collation co ON co.oid = a.attcollation "
        "WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'f') "
        "AND {} AND {}",
        kUserSchema, NotExtensionMember("pg_class", "c.oid"));
    return Each(sql, [&](const Row& r) {
      std::string name = Qualify(Text(r, 0), Text(r, 1)) + "." + Text(r, 2);
      SchemaObject& o = Add("column", name, name);
      o.properties.emplace_back("type", Text(r, 3));
      o.properties.emplace_back("nullable", r[4] == "t" ? "no" : "yes");
      Put(&o.properties, "default", OwnSequenceByMeaning(r[5]));
      if (r[6].has_value())
        o.properties.emplace_back("generated", "ALWAYS AS (" + Text(r, 6) + ") STORED");
      Put(&o.properties, "collation", r[7]);
      if (r[8] == "a") o.properties.emplace_back("identity", "GENERATED ALWAYS");
      if (r[8] == "d") o.properties.emplace_back("identity", "GENERATED BY DEFAULT");
      Put(&o.properties, "comment", r[9]);
      Put(&o.properties, "grants", r[10]);
    });
  }

  Status Constraints() {
    std::string sql = fmt::format(
        "SELECT n.nspname, c.relname, con.conname, pg_get_constraintdef(con.oid, true), "
        "obj_description(con.oid, 'pg_constraint') "
        "FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE con.contype IN ('p', 'u', 'f', 'c', 'x') AND {} AND {}",
        kUserSchema, NotExtensionMember("pg_class", "c.oid"));
    return Each(sql, [&](const Row& r) {
      std::string table = Qualify(Text(r, 0), Text(r, 1));
      std::string definition = Text(r, 3);
      SchemaObject& o = Add("constraint", table + ": " + definition, Text(r, 2) + " on " + table);
      o.properties.emplace_back("definition", definition);
      if (!IsGeneratedName(Text(r, 2), Text(r, 1))) o.properties.emplace_back("name", Text(r, 2));
      Put(&o.properties, "comment", r[4]);
    });
  }

  // Indexes that back no constraint (those are the constraint's).
  Status Indexes() {
    std::string sql = fmt::format(
        "SELECT n.nspname, t.relname, i.relname, pg_get_indexdef(i.oid), x.indisvalid, "
        "obj_description(i.oid, 'pg_class'), quote_ident(i.relname) "
        "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
        "JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = i.relnamespace "
        "WHERE {} AND {} AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = "
        "x.indexrelid AND con.conrelid = x.indrelid AND con.contype IN ('p', 'u', 'x'))",
        kUserSchema, NotExtensionMember("pg_class", "t.oid"));
    return Each(sql, [&](const Row& r) {
      // "CREATE UNIQUE INDEX books_isbn_key ON public.books USING btree (isbn)"
      // becomes "UNIQUE INDEX ON public.books USING btree (isbn)": the
      // index's meaning without its name.
      std::string definition = Text(r, 3);
      std::string named = " INDEX " + Text(r, 6) + " ON ";
      if (size_t at = definition.find(named); at != std::string::npos) {
        definition.replace(at, named.size(), " INDEX ON ");
      }
      if (definition.rfind("CREATE ", 0) == 0) definition.erase(0, 7);
      std::string table = Qualify(Text(r, 0), Text(r, 1));
      SchemaObject& o = Add("index", definition, Qualify(Text(r, 0), Text(r, 2)) + " on " + table);
      o.properties.emplace_back("definition", definition);
      if (!IsGeneratedName(Text(r, 2), Text(r, 1))) o.properties.emplace_back("name", Text(r, 2));
      o.properties.emplace_back("valid", YesNo(r[4]));
      Put(&o.properties, "comment", r[5]);
    });
  }

  Status Sequences() {
    std::string sql = fmt::format(
        "SELECT n.nspname, c.relname, format_type(s.seqtypid, NULL), s.seqstart, "
        "s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle, "
        "(SELECT CASE WHEN tn.nspname = 'public' THEN '' ELSE tn.nspname || '.' END || "
        "t.relname || '.' || a.attname FROM pg_depend d JOIN pg_class t ON t.oid = d.refobjid "
        "JOIN pg_namespace tn ON tn.oid = t.relnamespace JOIN pg_attribute a ON a.attrelid = "
        "d.refobjid AND a.attnum = d.refobjsubid WHERE d.classid = 'pg_class'::regclass AND "
        "d.objid = c.oid AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') "
        "LIMIT 1), "
        "(SELECT t.relname FROM pg_depend d JOIN pg_class t ON t.oid = d.refobjid WHERE "
        "d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = "
        "'pg_class'::regclass AND d.deptype IN ('a', 'i') LIMIT 1), "
        "obj_description(c.oid, 'pg_class'), {} "
        "FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {} AND {}",
        Grants("s", "c.relacl", "c.relowner"), kUserSchema,
        NotExtensionMember("pg_class", "c.oid"));
    return Each(sql, [&](const Row& r) {
      std::string name = Qualify(Text(r, 0), Text(r, 1));
      bool owned = r[9].has_value();
      // A sequence made for a serial or identity column is known by its
      // column; PostgreSQL chose its name.
      bool generated = owned && IsGeneratedName(Text(r, 1), Text(r, 10));
      if (generated) generated_sequences_[name] = "owned by " + Text(r, 9);
      SchemaObject& o = Add("sequence", generated ? "owned by " + Text(r, 9) : name,
                            generated ? name + " (owned by " + Text(r, 9) + ")" : name);
      if (!generated) Put(&o.properties, "owned by", r[9]);
      o.properties.emplace_back("type", Text(r, 2));
      o.properties.emplace_back("start", Text(r, 3));
      o.properties.emplace_back("increment", Text(r, 4));
      o.properties.emplace_back("minimum", Text(r, 5));
      o.properties.emplace_back("maximum", Text(r, 6));
      o.properties.emplace_back("cache", Text(r, 7));
      o.properties.emplace_back("cycle", YesNo(r[8]));
      Put(&o.properties, "comment", r[11]);
      Put(&o.properties, "grants", r[12]);
    });
  }

  // Enums, composite types, ranges and domains.
  Status Types() {
    std::string sql = fmt::format(
        "SELECT n.nspname, t.typname, t.typtype, "
        "(SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) FROM "
        "pg_enum e WHERE e.enumtypid = t.oid), "
        "CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END, "
        "t.typnotnull, pg_get_expr(t.typdefaultbin, 0), "
        "(SELECT string_agg(pg_get_constraintdef(con.oid, true), ', ' ORDER BY "
        "pg_get_constraintdef(con.oid, true)) FROM pg_constraint con WHERE con.contypid = t.oid), "
        "(SELECT string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, "
        "a.atttypmod), ', ' ORDER BY a.attnum) FROM pg_attribute a WHERE a.attrelid = t.typrelid "
        "AND a.attnum > 0 AND NOT a.attisdropped), "
        "(SELECT format_type(r.rngsubtype, NULL) FROM pg_range r WHERE r.rngtypid = t.oid), "
        "obj_description(t.oid, 'pg_type'), {} "
        "FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
        "WHERE (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND EXISTS (SELECT 1 FROM "
        "pg_class r WHERE r.oid = t.typrelid AND r.relkind = 'c'))) AND {} AND {}",
        Grants("T", "t.typacl", "t.typowner"), kUserSchema, NotExtensionMember("pg_type", "t.oid"));
    return Each(sql, [&](const Row& r) {
      std::string name = Qualify(Text(r, 0), Text(r, 1));
      std::string typtype = Text(r, 2);
      SchemaObject& o = Add(typtype == "d" ? "domain" : "type", name, name);
      if (typtype == "e") {
        o.properties.emplace_back("enum", Text(r, 3));
      } else if (typtype == "c") {
        o.properties.emplace_back("composite", Text(r, 8));
      } else if (typtype == "r") {
        o.properties.emplace_back("range of", Text(r, 9));
      } else {
        o.properties.emplace_back("type", Text(r, 4));
        o.properties.emplace_back("nullable", r[5] == "t" ? "no" : "yes");
        Put(&o.properties, "default", r[6]);
        Put(&o.properties, "constraints", r[7]);
      }
      Put(&o.properties, "comment", r[10]);
      Put(&o.properties, "grants", r[11]);
    });
  }

  Status Functions() {
    // SQL-standard bodies (BEGIN ATOMIC, PostgreSQL 14+) live in prosqlbody.
    const char* body = server_version_ >= 140000
                           ? "CASE WHEN p.prosqlbody IS NOT NULL THEN "
                             "pg_get_function_sqlbody(p.oid) ELSE p.prosrc END"
                           : "p.prosrc";
    std::string sql = fmt::format(
        "SELECT n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), p.prokind, "
        "pg_get_function_arguments(p.oid), pg_get_function_result(p.oid), l.lanname, {}, "
        "p.provolatile, p.proisstrict, p.prosecdef, p.proleakproof, p.proparallel, "
        "array_to_string(p.proconfig, ', '), obj_description(p.oid, 'pg_proc'), {} "
        "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "JOIN pg_language l ON l.oid = p.prolang WHERE {} AND {}",
        body, Grants("f", "p.proacl", "p.proowner"), kUserSchema,
        NotExtensionMember("pg_proc", "p.oid"));
    return Each(sql, [&](const Row& r) {
      std::string name = Qualify(Text(r, 0), Text(r, 1)) + "(" + Text(r, 2) + ")";
      std::string prokind = Text(r, 3);
      const char* kind = prokind == "p" ? "procedure" : prokind == "a" ? "aggregate" : "function";
      SchemaObject& o = Add(kind, name, name);
      if (prokind == "w") o.properties.emplace_back("window", "yes");
      Put(&o.properties, "arguments", r[4]);
      Put(&o.properties, "returns", r[5]);
      o.properties.emplace_back("language", Text(r, 6));
      if (prokind != "a") o.properties.emplace_back("body", NormaliseSql(Text(r, 7), false));
      std::string volatility = Text(r, 8);
      o.properties.emplace_back("volatility", volatility == "i"   ? "immutable"
                                              : volatility == "s" ? "stable"
                                                                  : "volatile");
      o.properties.emplace_back("strict", YesNo(r[9]));
      o.properties.emplace_back("security", r[10] == "t" ? "definer" : "invoker");
      if (r[11] == "t") o.properties.emplace_back("leakproof", "yes");
      std::string parallel = Text(r, 12);
      o.properties.emplace_back("parallel", parallel == "s"   ? "safe"
                                            : parallel == "r" ? "restricted"
                                                              : "unsafe");
      Put(&o.properties, "settings", r[13]);
      Put(&o.properties, "comment", r[14]);
      Put(&o.properties, "grants", r[15]);
    });
  }

  Status Triggers() {
    std::string sql = fmt::format(
        "SELECT n.nspname, c.relname, t.tgname, pg_get_triggerdef(t.oid, true), t.tgenabled, "
        "obj_description(t.oid, 'pg_trigger') "
        "FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE NOT t.tgisinternal AND {} AND {}",
        kUserSchema, NotExtensionMember("pg_class", "c.oid"));
    return Each(sql, [&](const Row& r) {
      std::string table = Qualify(Text(r, 0), Text(r, 1));
      SchemaObject& o = Add("trigger", table + "." + Text(r, 2), Text(r, 2) + " on " + table);
      o.properties.emplace_back("definition", NormaliseSql(Text(r, 3), false));
      std::string enabled = Text(r, 4);
      o.properties.emplace_back("enabled", enabled == "D"   ? "no"
                                           : enabled == "R" ? "replica only"
                                           : enabled == "A" ? "always"
                                                            : "yes");
      Put(&o.properties, "comment", r[5]);
    });
  }

  Status Policies() {
    return Each(
        "SELECT n.schemaname, n.tablename, n.policyname, n.permissive, "
        "array_to_string(n.roles, ', '), n.cmd, n.qual, n.with_check "
        "FROM pg_policies n WHERE n.schemaname <> $1",
        [&](const Row& r) {
          std::string table = Qualify(Text(r, 0), Text(r, 1));
          SchemaObject& o = Add("policy", table + "." + Text(r, 2), Text(r, 2) + " on " + table);
          Put(&o.properties, "as", r[3]);
          Put(&o.properties, "roles", r[4]);
          Put(&o.properties, "command", r[5]);
          Put(&o.properties, "using", r[6]);
          Put(&o.properties, "with check", r[7]);
        });
  }

  // A serial column's default names its sequence, whose name PostgreSQL
  // chose: nextval('orders_id_seq1'::regclass) reads as the sequence's
  // meaning instead.
  std::optional<std::string> OwnSequenceByMeaning(const std::optional<std::string>& value) const {
    static const std::regex kNextval("nextval\\('([^']+)'::regclass\\)");
    std::smatch m;
    if (!value || !std::regex_match(*value, m, kNextval)) return value;
    auto it = generated_sequences_.find(m[1].str());
    if (it == generated_sequences_.end()) return value;
    return "nextval(sequence " + it->second + ")";
  }

  Connection& conn_;
  std::string schema_;
  Snapshot* out_;
  int server_version_ = 0;
  std::map<std::string, std::string> generated_sequences_;  // name -> "owned by t.c"
};

}  // namespace

Result<Snapshot> ReadCatalog(Connection& conn, const SnapshotOptions& options) {
  Snapshot snapshot;
  PostgresCatalog catalog(conn, options, &snapshot);
  RATCHET_RETURN_IF_ERROR(catalog.Read());
  return snapshot;
}

}  // namespace ratchet::postgres
