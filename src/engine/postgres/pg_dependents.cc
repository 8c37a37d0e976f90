// The pg_depend check rollback runs before it drops anything.
#include <fmt/format.h>
#include <pg_query.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <tuple>

#include "engine/postgres/pg_tree.h"
#include "engine/postgres/postgres_engine.h"

namespace ratchet::postgres {
namespace {

using nlohmann::json;

// A catalog object named in a statement, before it is looked up.
struct NamedObject {
  enum Kind { kRelation, kColumn, kFunction, kTrigger, kConstraint, kType } kind;
  std::string schema;     // "" when the statement does not qualify the name
  std::string name;       // relation, function or type name
  std::string member;     // column, trigger or constraint name
  std::string signature;  // function: "name(type, ...)" when argument types were given
};

// An object as pg_depend identifies it.
using ObjectId = std::tuple<std::string, std::string, std::string>;  // classid, objid, objsubid

std::vector<std::string> Names(const json& list) {
  std::vector<std::string> out;
  for (const json& n : list) {
    if (n.contains("String")) out.push_back(n["String"].value("sval", ""));
  }
  return out;
}

NamedObject FromQualified(NamedObject::Kind kind, const std::vector<std::string>& names) {
  NamedObject o{kind, "", "", "", ""};
  if (names.empty()) return o;
  o.name = names.back();
  if (names.size() >= 2) o.schema = names[names.size() - 2];
  return o;
}

NamedObject FromRangeVar(NamedObject::Kind kind, const json& rv, const std::string& member = "") {
  return NamedObject{kind, rv.value("schemaname", ""), rv.value("relname", ""), member, ""};
}

// What the statements of `sql` drop (drops = true) or create.
void Collect(const std::string& sql, bool drops, std::vector<NamedObject>* out) {
  PgQueryParseResult parsed = postgres::ParseTree(sql);
  if (parsed.error) {
    pg_query_free_parse_result(parsed);
    return;  // the loader parsed it already; nothing more to learn here
  }
  if (postgres::JsonDepth(parsed.parse_tree) > postgres::kMaxAnalysedDepth) {
    pg_query_free_parse_result(parsed);
    return;  // too deep to walk, and no rollback statement nests so deep
  }
  json tree = json::parse(parsed.parse_tree, nullptr, false);
  pg_query_free_parse_result(parsed);
  if (!tree.is_object() || !tree.contains("stmts")) return;
  for (const json& wrapped : tree["stmts"]) {
    const json& stmt = wrapped["stmt"];
    if (drops && stmt.contains("DropStmt")) {
      const json& d = stmt["DropStmt"];
      std::string type = d.value("removeType", "");
      for (const json& obj : d.value("objects", json::array())) {
        if (type == "OBJECT_TABLE" || type == "OBJECT_VIEW" || type == "OBJECT_MATVIEW" ||
            type == "OBJECT_INDEX" || type == "OBJECT_SEQUENCE") {
          out->push_back(FromQualified(NamedObject::kRelation, Names(obj["List"]["items"])));
        } else if (type == "OBJECT_FUNCTION" || type == "OBJECT_PROCEDURE") {
          const json& f = obj["ObjectWithArgs"];
          NamedObject o = FromQualified(NamedObject::kFunction, Names(f["objname"]));
          if (!f.value("args_unspecified", false)) {
            std::string args;
            for (const json& t : f.value("objargs", json::array())) {
              std::vector<std::string> n = Names(t["TypeName"]["names"]);
              std::string joined;
              for (const std::string& part : n) joined += (joined.empty() ? "" : ".") + part;
              args += (args.empty() ? "" : ",") + joined;
            }
            o.signature = (o.schema.empty() ? "" : o.schema + ".") + o.name + "(" + args + ")";
          }
          out->push_back(o);
        } else if (type == "OBJECT_TRIGGER") {
          std::vector<std::string> n = Names(obj["List"]["items"]);
          if (n.size() < 2) continue;
          std::string trigger = n.back();
          n.pop_back();
          NamedObject o = FromQualified(NamedObject::kTrigger, n);
          o.member = trigger;
          out->push_back(o);
        } else if (type == "OBJECT_TYPE" || type == "OBJECT_DOMAIN") {
          out->push_back(FromQualified(NamedObject::kType, Names(obj["TypeName"]["names"])));
        }
      }
    } else if (stmt.contains("AlterTableStmt")) {
      const json& a = stmt["AlterTableStmt"];
      for (const json& c : a.value("cmds", json::array())) {
        const json& cmd = c["AlterTableCmd"];
        std::string sub = cmd.value("subtype", "");
        if (drops && sub == "AT_DropColumn") {
          out->push_back(FromRangeVar(NamedObject::kColumn, a["relation"], cmd.value("name", "")));
        } else if (drops && sub == "AT_DropConstraint") {
          out->push_back(
              FromRangeVar(NamedObject::kConstraint, a["relation"], cmd.value("name", "")));
        } else if (!drops && sub == "AT_AddColumn") {
          const json& def = cmd["def"]["ColumnDef"];
          out->push_back(
              FromRangeVar(NamedObject::kColumn, a["relation"], def.value("colname", "")));
          for (const json& con : def.value("constraints", json::array())) {
            std::string name = con["Constraint"].value("conname", "");
            if (!name.empty()) {
              out->push_back(FromRangeVar(NamedObject::kConstraint, a["relation"], name));
            }
          }
        } else if (!drops && sub == "AT_AddConstraint") {
          std::string name = cmd["def"]["Constraint"].value("conname", "");
          if (!name.empty()) {
            out->push_back(FromRangeVar(NamedObject::kConstraint, a["relation"], name));
          }
        }
      }
    } else if (!drops) {
      if (stmt.contains("CreateStmt")) {
        out->push_back(FromRangeVar(NamedObject::kRelation, stmt["CreateStmt"]["relation"]));
      } else if (stmt.contains("IndexStmt") && stmt["IndexStmt"].contains("idxname")) {
        NamedObject o = FromRangeVar(NamedObject::kRelation, stmt["IndexStmt"]["relation"]);
        o.name = stmt["IndexStmt"]["idxname"];
        out->push_back(o);
      } else if (stmt.contains("ViewStmt")) {
        out->push_back(FromRangeVar(NamedObject::kRelation, stmt["ViewStmt"]["view"]));
      } else if (stmt.contains("CreateTableAsStmt")) {
        out->push_back(
            FromRangeVar(NamedObject::kRelation, stmt["CreateTableAsStmt"]["into"]["rel"]));
      } else if (stmt.contains("CreateSeqStmt")) {
        out->push_back(FromRangeVar(NamedObject::kRelation, stmt["CreateSeqStmt"]["sequence"]));
      } else if (stmt.contains("CreateFunctionStmt")) {
        out->push_back(
            FromQualified(NamedObject::kFunction, Names(stmt["CreateFunctionStmt"]["funcname"])));
      } else if (stmt.contains("CreateTrigStmt")) {
        const json& t = stmt["CreateTrigStmt"];
        out->push_back(FromRangeVar(NamedObject::kTrigger, t["relation"], t.value("trigname", "")));
      } else if (stmt.contains("CreateEnumStmt")) {
        out->push_back(
            FromQualified(NamedObject::kType, Names(stmt["CreateEnumStmt"]["typeName"])));
      } else if (stmt.contains("CompositeTypeStmt")) {
        out->push_back(FromRangeVar(NamedObject::kType, stmt["CompositeTypeStmt"]["typevar"]));
      } else if (stmt.contains("CreateDomainStmt")) {
        out->push_back(
            FromQualified(NamedObject::kType, Names(stmt["CreateDomainStmt"]["domainname"])));
      }
    }
  }
}

// A relation's oid by name: in `schema`, or the one the search path sees.
constexpr const char* kRelationOid =
    "(SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relname = $2 AND (CASE WHEN $1 = '' THEN pg_table_is_visible(c.oid)"
    " ELSE n.nspname = $1 END))";

// Looks `o` up; no rows when it does not exist.
Result<std::vector<ObjectId>> Resolve(Connection& conn, const NamedObject& o) {
  std::string sql;
  std::vector<Value> params = {o.schema, o.name};
  switch (o.kind) {
    case NamedObject::kRelation:
      sql = fmt::format("SELECT 'pg_class'::regclass::oid, {}, 0 WHERE {} IS NOT NULL",
                        kRelationOid, kRelationOid);
      break;
    case NamedObject::kColumn:
      sql = fmt::format(
          "SELECT 'pg_class'::regclass::oid, attrelid, attnum FROM pg_attribute"
          " WHERE attrelid = {} AND attname = $3 AND NOT attisdropped",
          kRelationOid);
      params.push_back(o.member);
      break;
    case NamedObject::kTrigger:
      sql = fmt::format(
          "SELECT 'pg_trigger'::regclass::oid, oid, 0 FROM pg_trigger"
          " WHERE tgrelid = {} AND tgname = $3",
          kRelationOid);
      params.push_back(o.member);
      break;
    case NamedObject::kConstraint:
      sql = fmt::format(
          "SELECT 'pg_constraint'::regclass::oid, oid, 0 FROM pg_constraint"
          " WHERE conrelid = {} AND conname = $3",
          kRelationOid);
      params.push_back(o.member);
      break;
    case NamedObject::kFunction:
      sql =
          "SELECT 'pg_proc'::regclass::oid, p.oid, 0 FROM pg_proc p"
          " JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.proname = $2"
          " AND (CASE WHEN $1 = '' THEN pg_function_is_visible(p.oid) ELSE n.nspname = $1 END)"
          " AND ($3 = '' OR p.oid = to_regprocedure($3))";
      params.push_back(o.signature);
      break;
    case NamedObject::kType:
      sql =
          "SELECT 'pg_type'::regclass::oid, t.oid, 0 FROM pg_type t"
          " JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.typname = $2"
          " AND (CASE WHEN $1 = '' THEN pg_type_is_visible(t.oid) ELSE n.nspname = $1 END)";
      break;
  }
  auto r = conn.Query(sql, params);
  if (!r.ok()) return r.status();
  std::vector<ObjectId> out;
  for (const Row& row : r->rows) {
    out.emplace_back(row[0].value_or(""), row[1].value_or(""), row[2].value_or("0"));
  }
  return out;
}

// The direct dependents of an object, each with the relation it belongs to
// (a view for a rewrite rule, the table for an index, trigger, constraint or
// default), and whether it is a part that goes with a dropped column
// without anyone missing it (its default, a constraint or owned sequence).
constexpr const char* kDependents = R"sql(
SELECT d.classid, d.objid, d.objsubid, pg_describe_object(d.classid, d.objid, d.objsubid),
  COALESCE(CASE d.classid
    WHEN 'pg_rewrite'::regclass THEN (SELECT ev_class FROM pg_rewrite WHERE oid = d.objid)
    WHEN 'pg_attrdef'::regclass THEN (SELECT adrelid FROM pg_attrdef WHERE oid = d.objid)
    WHEN 'pg_trigger'::regclass THEN (SELECT tgrelid FROM pg_trigger WHERE oid = d.objid)
    WHEN 'pg_constraint'::regclass THEN (SELECT conrelid FROM pg_constraint WHERE oid = d.objid)
    WHEN 'pg_class'::regclass THEN (SELECT CASE WHEN relkind = 'i'
        THEN (SELECT indrelid FROM pg_index WHERE indexrelid = d.objid) ELSE d.objid END
      FROM pg_class WHERE oid = d.objid)
  END, 0),
  CASE WHEN d.classid = 'pg_rewrite'::regclass
    THEN pg_describe_object('pg_class'::regclass,
                            (SELECT ev_class FROM pg_rewrite WHERE oid = d.objid), 0)
    ELSE pg_describe_object(d.classid, d.objid, d.objsubid) END,
  d.deptype = 'a' AND (d.classid IN ('pg_attrdef'::regclass, 'pg_constraint'::regclass)
    OR (d.classid = 'pg_class'::regclass
        AND (SELECT relkind FROM pg_class WHERE oid = d.objid) = 'S'))
FROM pg_depend d
WHERE d.refclassid = $1::oid AND d.refobjid = $2::oid
  AND ($3::int = 0 OR d.refobjsubid = $3::int) AND d.deptype IN ('n', 'a')
  AND NOT (d.classid = d.refclassid AND d.objid = d.refobjid)
)sql";

}  // namespace

Status RefuseOutsideDependents(Connection& conn, const std::vector<const Item*>& items) {
  std::vector<NamedObject> dropped, created;
  for (const Item* item : items) {
    if (const Section* s = item->section(SectionKind::kRollback)) Collect(s->text, true, &dropped);
    if (const Section* s = item->section(SectionKind::kPrepare)) Collect(s->text, false, &created);
  }
  if (dropped.empty()) return Status::Ok();
  std::set<ObjectId> dropped_ids, created_ids;
  std::set<std::string> whole_relations;  // dropped or created relations' oids
  for (const NamedObject& o : created) {
    auto ids = Resolve(conn, o);
    if (!ids.ok()) return ids.status();
    for (const ObjectId& id : *ids) {
      created_ids.insert(id);
      if (o.kind == NamedObject::kRelation) whole_relations.insert(std::get<1>(id));
    }
  }
  std::vector<std::pair<std::string, ObjectId>> targets;
  for (const NamedObject& o : dropped) {
    auto ids = Resolve(conn, o);
    if (!ids.ok()) return ids.status();
    for (const ObjectId& id : *ids) {
      dropped_ids.insert(id);
      if (o.kind == NamedObject::kRelation) whole_relations.insert(std::get<1>(id));
      targets.emplace_back(o.member.empty() ? o.name : o.name + "." + o.member, id);
    }
  }
  std::string problems;
  std::set<std::string> reported;
  for (const auto& [label, id] : targets) {
    auto r = conn.Query(kDependents, {std::get<0>(id), std::get<1>(id), std::get<2>(id)});
    if (!r.ok()) return r.status();
    bool column = std::get<2>(id) != "0";
    for (const Row& row : r->rows) {
      ObjectId dep(row[0].value_or(""), row[1].value_or(""), row[2].value_or("0"));
      std::string owner = row[4].value_or("0");
      bool part_of_column = row[6].value_or("f") == "t";
      if (dropped_ids.count(dep) || created_ids.count(dep)) continue;
      if (whole_relations.count(owner)) continue;
      if (column && part_of_column && owner == std::get<1>(id)) continue;
      std::string what = row[5].value_or(row[3].value_or("?"));
      std::string line = fmt::format("\n  {} depends on {}", what, label);
      if (reported.insert(line).second) problems += line;
    }
  }
  if (problems.empty()) return Status::Ok();
  return Status(Code::kRefused,
                fmt::format("{}: rollback would drop objects that something outside this online "
                            "upgrade depends on:{}\nNothing was rolled back. Drop or change those "
                            "objects first (they were not created by prepare), then run "
                            "'ratchet rollback' again.",
                            conn.display_name(), problems));
}

}  // namespace ratchet::postgres
