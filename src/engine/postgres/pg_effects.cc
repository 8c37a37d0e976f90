// Reading PostgreSQL statements' effects from libpg_query's parse tree: what
// they create and drop, which tables they rewrite, scan or index under a
// lock, and what would fail if they ran twice.
#include <fmt/format.h>
#include <pg_query.h>

#include <cctype>
#include <exception>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "engine/postgres/pg_tree.h"
#include "engine/postgres/postgres_engine.h"
#include "engine/statement_effects.h"
#include "sql/sql_text.h"

namespace ratchet::postgres {
namespace {

using nlohmann::json;
using Space = ObjectName::Space;

const json kNull;

const json& Field(const json& node, const char* key) {
  if (!node.is_object()) return kNull;
  auto it = node.find(key);
  return it == node.end() ? kNull : *it;
}

std::string Text(const json& node, const char* key) {
  const json& v = Field(node, key);
  return v.is_string() ? v.get<std::string>() : "";
}

bool Flag(const json& node, const char* key) {
  const json& v = Field(node, key);
  return v.is_boolean() && v.get<bool>();
}

// The strings of a list of {"String": {"sval": ...}} nodes.
std::vector<std::string> Strings(const json& list) {
  std::vector<std::string> out;
  if (!list.is_array()) return out;
  for (const json& item : list) out.push_back(Text(Field(item, "String"), "sval"));
  return out;
}

// The strings of a {"List": {"items": [...]}} node.
std::vector<std::string> ListStrings(const json& node) {
  return Strings(Field(Field(node, "List"), "items"));
}

int64_t IntegerConstant(const json& node) {
  const json& ival = Field(Field(Field(node, "A_Const"), "ival"), "ival");
  return ival.is_number_integer() ? ival.get<int64_t>() : 0;
}

// A type as PostgreSQL prints it: "integer", "character varying(20)", "text[]".
std::string TypeText(const json& type_name) {
  std::vector<std::string> names = Strings(Field(type_name, "names"));
  if (names.empty()) return "";
  std::string base = names.back();
  static const std::map<std::string, std::string> kInternal = {
      {"int2", "smallint"},
      {"int4", "integer"},
      {"int8", "bigint"},
      {"float4", "real"},
      {"float8", "double precision"},
      {"bool", "boolean"},
      {"varchar", "character varying"},
      {"bpchar", "character"},
      {"timestamptz", "timestamp with time zone"},
      {"timestamp", "timestamp without time zone"},
      {"timetz", "time with time zone"},
      {"time", "time without time zone"}};
  if (names.size() == 2 && names[0] == "pg_catalog") {
    auto it = kInternal.find(base);
    if (it != kInternal.end()) base = it->second;
  } else if (names.size() > 1) {
    base = names[names.size() - 2] + "." + base;
  }
  const json& mods = Field(type_name, "typmods");
  if (mods.is_array() && !mods.empty()) {
    std::string list;
    for (const json& m : mods)
      list += (list.empty() ? "" : ",") + std::to_string(IntegerConstant(m));
    base += "(" + list + ")";
  }
  const json& bounds = Field(type_name, "arrayBounds");
  if (bounds.is_array()) {
    for (size_t i = 0; i < bounds.size(); ++i) base += "[]";
  }
  return base;
}

// The type as to_regprocedure reads it: each name part quoted.
std::string QuotedTypeName(const json& type_name) {
  std::string out;
  for (const std::string& part : Strings(Field(type_name, "names"))) {
    out += (out.empty() ? "" : ".") + ("\"" + part + "\"");
  }
  const json& bounds = Field(type_name, "arrayBounds");
  if (bounds.is_array()) {
    for (size_t i = 0; i < bounds.size(); ++i) out += "[]";
  }
  return out;
}

// Every function an expression calls, by name.
void CalledFunctions(const json& node, std::vector<std::string>* out) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (key == "FuncCall") {
        std::vector<std::string> name = Strings(Field(value, "funcname"));
        if (!name.empty()) out->push_back(name.back());
      }
      CalledFunctions(value, out);
    }
  } else if (node.is_array()) {
    for (const json& item : node) CalledFunctions(item, out);
  }
}

// Every function an expression calls, as [schema.]name, each once.
void CalledQualified(const json& node, std::set<std::string>* seen, std::vector<ObjectName>* out) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (key == "FuncCall") {
        std::vector<std::string> parts = Strings(Field(value, "funcname"));
        std::string joined;
        for (const std::string& p : parts) joined += (joined.empty() ? "" : ".") + p;
        if (!parts.empty() && seen->insert(joined).second) {
          ObjectName f;
          f.space = Space::kFunction;
          f.what = "function";
          f.name = parts.back();
          if (parts.size() > 1) f.schema = parts[parts.size() - 2];
          out->push_back(f);
        }
      }
      CalledQualified(value, seen, out);
    }
  } else if (node.is_array()) {
    for (const json& item : node) CalledQualified(item, seen, out);
  }
}

// The names of the common table expressions in a query.
void CteNames(const json& node, std::set<std::string>* out) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (key == "CommonTableExpr") out->insert(Text(value, "ctename"));
      CteNames(value, out);
    }
  } else if (node.is_array()) {
    for (const json& item : node) CteNames(item, out);
  }
}

// The relations a query reads (RangeVar nodes), common table expressions
// left out: what a view or materialized view depends on.
void ReadRelations(const json& node, const std::set<std::string>& ctes,
                   std::vector<ObjectName>* out) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (key == "RangeVar") {
        ObjectName r;
        r.space = Space::kRelation;
        r.what = "relation";
        r.schema = Text(value, "schemaname");
        r.name = Text(value, "relname");
        if (!r.name.empty() && (!r.schema.empty() || !ctes.count(r.name))) out->push_back(r);
      }
      ReadRelations(value, ctes, out);
    }
  } else if (node.is_array()) {
    for (const json& item : node) ReadRelations(item, ctes, out);
  }
}

std::vector<ObjectName> QueryRelations(const json& query) {
  std::set<std::string> ctes;
  CteNames(query, &ctes);
  std::vector<ObjectName> out;
  ReadRelations(query, ctes, &out);
  return out;
}

// The strings of a DefElem list's element named `name`: its argument, a
// string or a list of them.
std::vector<std::string> Option(const json& options, const char* name) {
  for (const json& option : options) {
    const json& def = Field(option, "DefElem");
    if (Text(def, "defname") != name) continue;
    const json& arg = Field(def, "arg");
    if (!Field(arg, "String").is_null()) return {Text(Field(arg, "String"), "sval")};
    return ListStrings(arg);
  }
  return {};
}

// The name PostgreSQL gives a constraint or sequence it names itself:
// "t_a_b_key", "t_pkey", "t_id_seq"; "" when it would pass NAMEDATALEN and
// PostgreSQL would shorten it.
std::string ChosenName(const std::string& table, const std::vector<std::string>& columns,
                       const std::string& label) {
  std::string name = table;
  for (const std::string& c : columns) name += "_" + c;
  name += "_" + label;
  return name.size() > 63 ? "" : name;
}

ObjectName Relation(const json& range_var, const char* what) {
  ObjectName name;
  name.space = Space::kRelation;
  name.what = what;
  name.schema = Text(range_var, "schemaname");
  name.name = Text(range_var, "relname");
  return name;
}

ObjectName Member(Space space, const char* what, const json& range_var, std::string name) {
  ObjectName out;
  out.space = space;
  out.what = what;
  out.schema = Text(range_var, "schemaname");
  out.table = Text(range_var, "relname");
  out.name = std::move(name);
  return out;
}

// A qualified name given as a list of strings: [schema,] name.
ObjectName Qualified(Space space, const char* what, const std::vector<std::string>& parts) {
  ObjectName out;
  out.space = space;
  out.what = what;
  if (!parts.empty()) out.name = parts.back();
  if (parts.size() > 1) out.schema = parts[parts.size() - 2];
  return out;
}

const char* RelationWhat(const std::string& object_type) {
  if (object_type == "OBJECT_VIEW") return "view";
  if (object_type == "OBJECT_MATVIEW") return "materialized view";
  if (object_type == "OBJECT_INDEX") return "index";
  if (object_type == "OBJECT_SEQUENCE") return "sequence";
  if (object_type == "OBJECT_FOREIGN_TABLE") return "foreign table";
  if (object_type == "OBJECT_TABLE") return "table";
  return nullptr;
}

class StatementReader {
 public:
  explicit StatementReader(StatementEffects* out) : out_(out) {}

  void Read(const std::string& node_name, const json& node) {
    if (node_name == "CreateStmt") {
      CreateTable(node);
    } else if (node_name == "CreateTableAsStmt") {
      bool matview = Text(node, "objtype") == "OBJECT_MATVIEW";
      ObjectName made =
          Relation(Field(Field(node, "into"), "rel"), matview ? "materialized view" : "table");
      Create(made, node,
             matview ? QueryRelations(Field(node, "query")) : std::vector<ObjectName>{});
      RowType(made);
    } else if (node_name == "ViewStmt") {
      Creation c;
      c.object = Relation(Field(node, "view"), "view");
      c.or_replace = Flag(node, "replace");
      c.references = QueryRelations(Field(node, "query"));
      Add(c, "CREATE VIEW without OR REPLACE fails when the view exists");
      RowType(c.object);
    } else if (node_name == "IndexStmt") {
      Index(node);
    } else if (node_name == "CreateSeqStmt") {
      ObjectName sequence = Relation(Field(node, "sequence"), "sequence");
      std::vector<std::string> owned_by = Option(Field(node, "options"), "owned_by");
      Create(sequence, node);
      if (owned_by.size() >= 2 && !out_->changes.empty()) {
        ObjectName& owner = out_->changes.back().creation.owner;
        owner = Qualified(Space::kRelation, "table",
                          std::vector<std::string>(owned_by.begin(), owned_by.end() - 1));
        if (owner.schema.empty()) owner.schema = sequence.schema;
      }
    } else if (node_name == "CreateFunctionStmt") {
      Function(node);
    } else if (node_name == "CreateTrigStmt") {
      Creation c;
      c.object =
          Member(Space::kTrigger, "trigger", Field(node, "relation"), Text(node, "trigname"));
      c.or_replace = Flag(node, "replace");
      Add(c, "CREATE TRIGGER without OR REPLACE fails when the trigger exists");
    } else if (node_name == "CreateEnumStmt" || node_name == "CreateRangeStmt") {
      Creation c;
      c.object = Qualified(Space::kType, "type", Strings(Field(node, "typeName")));
      Add(c, "CREATE TYPE fails when the type exists");
    } else if (node_name == "CompositeTypeStmt") {
      Creation c;
      c.object = Relation(Field(node, "typevar"), "type");
      c.object.space = Space::kType;
      Add(c, "CREATE TYPE fails when the type exists");
    } else if (node_name == "CreateDomainStmt") {
      Creation c;
      c.object = Qualified(Space::kType, "domain", Strings(Field(node, "domainname")));
      Add(c, "CREATE DOMAIN fails when the domain exists");
    } else if (node_name == "CreateSchemaStmt") {
      Creation c;
      c.object = Qualified(Space::kSchema, "schema", {Text(node, "schemaname")});
      c.if_not_exists = Flag(node, "if_not_exists");
      Add(c, "CREATE SCHEMA without IF NOT EXISTS fails when the schema exists");
    } else if (node_name == "CreateExtensionStmt") {
      Creation c;
      c.object = Qualified(Space::kExtension, "extension", {Text(node, "extname")});
      c.if_not_exists = Flag(node, "if_not_exists");
      Add(c, "CREATE EXTENSION without IF NOT EXISTS fails when the extension exists");
      out_->extensions_created.push_back(c.object.name);
    } else if (node_name == "AlterTableStmt") {
      AlterTable(node);
    } else if (node_name == "RenameStmt") {
      Rename(node);
    } else if (node_name == "DropStmt") {
      Drop(node);
    } else if (node_name == "InsertStmt") {
      const json& select = Field(Field(node, "selectStmt"), "SelectStmt");
      if (Field(node, "onConflictClause").is_null() && Field(select, "whereClause").is_null()) {
        Repeats("INSERT without ON CONFLICT or a WHERE NOT EXISTS inserts its rows again");
      }
    } else if (node_name == "VacuumStmt") {
      for (const json& option : Field(node, "options")) {
        if (Text(Field(option, "DefElem"), "defname") != "full") continue;
        for (const json& rel : Field(node, "rels")) {
          const json& range_var = Field(Field(rel, "VacuumRelation"), "relation");
          Work(TableWork::Kind::kRewrite, range_var, "ACCESS EXCLUSIVE", "VACUUM FULL");
        }
      }
    } else if (node_name == "ClusterStmt" && !Field(node, "relation").is_null()) {
      Work(TableWork::Kind::kRewrite, Field(node, "relation"), "ACCESS EXCLUSIVE", "CLUSTER");
    } else if (node_name == "DoStmt") {
      std::vector<std::string> body = Option(Field(node, "args"), "as");
      std::vector<std::string> language = Option(Field(node, "args"), "language");
      CatalogChange change;
      change.kind = CatalogChange::Kind::kUncertain;
      change.touches = TouchesOfBody(body.empty() ? "" : body[0]);
      if (!language.empty() && language[0] != "plpgsql") change.touches.all = true;
      change.reason = "a DO block";
      out_->changes.push_back(change);
    } else if (node_name == "CallStmt") {
      Calls(Field(node, "funccall"), "CALL");
    } else if (node_name == "DropOwnedStmt" || node_name == "ImportForeignSchemaStmt") {
      CatalogChange change;
      change.kind = CatalogChange::Kind::kUncertain;
      change.touches.all = true;
      change.reason = node_name == "DropOwnedStmt" ? "DROP OWNED" : "IMPORT FOREIGN SCHEMA";
      out_->changes.push_back(change);
    } else if (node_name == "AlterObjectSchemaStmt") {
      CatalogChange change;
      change.kind = CatalogChange::Kind::kUncertain;
      change.touches.words = {AsciiLower(Text(Field(node, "relation"), "relname")),
                              AsciiLower(Text(node, "newschema"))};
      for (const std::string& part : ListStrings(Field(node, "object"))) {
        change.touches.words.insert(AsciiLower(part));
      }
      change.reason = "ALTER ... SET SCHEMA";
      out_->changes.push_back(change);
    }
    if (node_name == "SelectStmt" || node_name == "InsertStmt" || node_name == "UpdateStmt" ||
        node_name == "DeleteStmt") {
      Calls(node, "a call of");
    }
  }

 private:
  void Add(const Creation& c, const std::string& not_idempotent) {
    if (c.object.name.empty()) return;
    out_->creates.push_back(c);
    CatalogChange change;
    change.creation = c;
    out_->changes.push_back(change);
    if (!c.if_not_exists && !c.or_replace) {
      out_->not_idempotent.push_back({not_idempotent, c.object.Key()});
    }
  }

  void Repeats(std::string reason) { out_->not_idempotent.push_back({std::move(reason), ""}); }

  // A name the statement takes besides the one it is about.
  void Implicit(const ObjectName& object, const ObjectName& owner = {},
                std::vector<ObjectName> references = {}) {
    if (object.name.empty()) return;
    CatalogChange change;
    change.creation.object = object;
    change.creation.implicit = true;
    change.creation.owner = owner;
    change.creation.references = std::move(references);
    out_->changes.push_back(change);
  }

  // The row type each table, view and materialized view makes of its name.
  void RowType(const ObjectName& relation) {
    ObjectName type = relation;
    type.space = Space::kType;
    type.what = "type";
    Implicit(type, relation);
  }

  void Removes(const ObjectName& object, bool cascade) {
    out_->removes.push_back(object);
    CatalogChange change;
    change.kind = CatalogChange::Kind::kDrop;
    change.object = object;
    change.cascade = cascade;
    out_->changes.push_back(change);
  }

  void Renames(const ObjectName& from, const ObjectName& to) {
    out_->removes.push_back(from);
    Creation c;
    c.object = to;
    out_->creates.push_back(c);
    CatalogChange change;
    change.kind = CatalogChange::Kind::kRename;
    change.object = from;
    change.creation = c;
    out_->changes.push_back(change);
  }

  // Each function `node` calls may create, drop or rename objects; whether
  // it does is the catalog's to say (its body, or none for a built-in).
  void Calls(const json& node, const char* how) {
    std::set<std::string> seen;
    std::vector<ObjectName> functions;
    CalledQualified(node, &seen, &functions);
    std::vector<std::string> direct = Strings(Field(node, "funcname"));
    if (!direct.empty() && seen.insert(direct.back()).second) {
      functions.insert(functions.begin(), Qualified(Space::kFunction, "function", direct));
    }
    for (const ObjectName& f : functions) {
      CatalogChange change;
      change.kind = CatalogChange::Kind::kCall;
      change.object = f;
      change.reason = fmt::format("{} {}()", how, f.name);
      out_->changes.push_back(change);
    }
  }

  void Create(const ObjectName& object, const json& node, std::vector<ObjectName> references = {}) {
    Creation c;
    c.object = object;
    c.references = std::move(references);
    c.if_not_exists = Flag(node, "if_not_exists");
    Add(c, fmt::format("CREATE {} without IF NOT EXISTS fails when it exists",
                       AsciiUpper(object.what)));
  }

  TableWork& Work(TableWork::Kind kind, const json& range_var, const char* lock,
                  std::string reason) {
    TableWork work;
    work.kind = kind;
    work.schema = Text(range_var, "schemaname");
    work.table = Text(range_var, "relname");
    work.lock = lock;
    work.reason = std::move(reason);
    if (kind == TableWork::Kind::kIndexBuild) {
      work.advice =
          "CREATE INDEX CONCURRENTLY, in an item of its own, builds it without blocking writers";
    }
    out_->work.push_back(std::move(work));
    return out_->work.back();
  }

  void Index(const json& node) {
    const json& relation = Field(node, "relation");
    std::string name = Text(node, "idxname");
    if (name.empty()) {
      Repeats("CREATE INDEX without a name makes another index, with a new name, each time");
    } else {
      Creation c;
      c.object = Relation(relation, "index");
      c.object.name = name;  // an index lives in its table's schema
      c.owner = Relation(relation, "table");
      c.if_not_exists = Flag(node, "if_not_exists");
      Add(c, "CREATE INDEX without IF NOT EXISTS fails when the index exists");
    }
    if (!Flag(node, "concurrent")) {
      Work(TableWork::Kind::kIndexBuild, relation, "SHARE",
           fmt::format("CREATE {}INDEX {}without CONCURRENTLY",
                       Flag(node, "unique") ? "UNIQUE " : "", name.empty() ? "" : name + " "));
    }
  }

  void Function(const json& node) {
    Creation c;
    c.object = Qualified(Space::kFunction, Flag(node, "is_procedure") ? "procedure" : "function",
                         Strings(Field(node, "funcname")));
    std::string arguments;
    for (const json& p : Field(node, "parameters")) {
      const json& parameter = Field(p, "FunctionParameter");
      std::string mode = Text(parameter, "mode");
      if (mode == "FUNC_PARAM_OUT" || mode == "FUNC_PARAM_TABLE") continue;
      arguments += (arguments.empty() ? "" : ", ") + QuotedTypeName(Field(parameter, "argType"));
    }
    c.object.arguments = "(" + arguments + ")";
    c.or_replace = Flag(node, "replace");
    std::vector<std::string> language = Option(Field(node, "options"), "language");
    std::vector<std::string> body = Option(Field(node, "options"), "as");
    if (!Field(node, "sql_body").is_null()) {
      c.references = QueryRelations(Field(node, "sql_body"));  // a standard body: queries only
    } else if (!language.empty() && (language[0] == "sql" || language[0] == "plpgsql")) {
      c.body = TouchesOfBody(body.empty() ? "" : body[0]);
    } else {
      c.body.all = true;
    }
    Add(c, "CREATE FUNCTION without OR REPLACE fails when the function exists");
  }

  void AlterTable(const json& node) {
    const json& relation = Field(node, "relation");
    for (const json& item : Field(node, "cmds")) {
      const json& cmd = Field(item, "AlterTableCmd");
      std::string subtype = Text(cmd, "subtype");
      std::string name = Text(cmd, "name");
      if (subtype == "AT_AddColumn") {
        AddColumn(relation, cmd);
      } else if (subtype == "AT_AlterColumnType") {
        const json& def = Field(Field(cmd, "def"), "ColumnDef");
        std::string type = TypeText(Field(def, "typeName"));
        TableWork& w = Work(TableWork::Kind::kRewrite, relation, "ACCESS EXCLUSIVE",
                            fmt::format("ALTER COLUMN {} TYPE {}", name, type));
        w.type_column = name;
        w.new_type = type;
        w.has_using = !Field(def, "raw_default").is_null();
        out_->column_types.emplace_back(Member(Space::kColumn, "column", relation, name).Key(),
                                        type);
      } else if (subtype == "AT_SetNotNull") {
        TableWork& w = Work(TableWork::Kind::kScan, relation, "ACCESS EXCLUSIVE",
                            fmt::format("ALTER COLUMN {} SET NOT NULL", name));
        w.not_null_column = name;
      } else if (subtype == "AT_AddConstraint") {
        AddConstraint(relation, Field(Field(cmd, "def"), "Constraint"));
      } else if (subtype == "AT_ValidateConstraint") {
        out_->validates.push_back(name);
      } else if (subtype == "AT_DropColumn") {
        Removes(Member(Space::kColumn, "column", relation, name),
                Text(cmd, "behavior") == "DROP_CASCADE");
        if (!Flag(cmd, "missing_ok")) {
          Repeats("DROP COLUMN without IF EXISTS fails when it is gone");
        }
      } else if (subtype == "AT_DropConstraint") {
        Removes(Member(Space::kConstraint, "constraint", relation, name),
                Text(cmd, "behavior") == "DROP_CASCADE");
        if (!Flag(cmd, "missing_ok")) {
          Repeats("DROP CONSTRAINT without IF EXISTS fails when it is gone");
        }
      } else if (subtype == "AT_SetTableSpace" || subtype == "AT_SetLogged" ||
                 subtype == "AT_SetUnLogged") {
        Work(TableWork::Kind::kRewrite, relation, "ACCESS EXCLUSIVE",
             subtype == "AT_SetTableSpace" ? "SET TABLESPACE"
             : subtype == "AT_SetLogged"   ? "SET LOGGED"
                                           : "SET UNLOGGED");
      }
    }
  }

  void AddColumn(const json& relation, const json& cmd) {
    const json& def = Field(Field(cmd, "def"), "ColumnDef");
    std::string column = Text(def, "colname");
    Creation c;
    c.object = Member(Space::kColumn, "column", relation, column);
    c.if_not_exists = Flag(cmd, "missing_ok");
    out_->column_types.emplace_back(c.object.Key(), TypeText(Field(def, "typeName")));
    Add(c, "ADD COLUMN without IF NOT EXISTS fails when the column exists");
    std::vector<std::string> names = Strings(Field(Field(def, "typeName"), "names"));
    std::string type = names.empty() ? "" : names.back();
    std::string what = fmt::format("ADD COLUMN {}", column);
    ColumnNames(relation, def);
    if (type == "serial" || type == "bigserial" || type == "smallserial" || type == "serial2" ||
        type == "serial4" || type == "serial8") {
      Work(TableWork::Kind::kRewrite, relation, "ACCESS EXCLUSIVE",
           what + " " + type + " (every row gets its own value)");
    }
    for (const json& item : Field(def, "constraints")) {
      const json& constraint = Field(item, "Constraint");
      std::string kind = Text(constraint, "contype");
      if (kind == "CONSTR_DEFAULT") {
        std::vector<std::string> functions;
        CalledFunctions(Field(constraint, "raw_expr"), &functions);
        if (functions.empty()) continue;  // a constant: no rewrite since PostgreSQL 11
        std::string calls;
        for (const std::string& f : functions) calls += (calls.empty() ? "" : ", ") + f + "()";
        TableWork& added = Work(TableWork::Kind::kRewrite, relation, "ACCESS EXCLUSIVE",
                                fmt::format("{} with a default that calls {}", what, calls));
        added.default_functions = std::move(functions);
      } else if (kind == "CONSTR_IDENTITY" || kind == "CONSTR_GENERATED") {
        Work(TableWork::Kind::kRewrite, relation, "ACCESS EXCLUSIVE",
             what + (kind == "CONSTR_IDENTITY" ? " GENERATED AS IDENTITY"
                                               : " GENERATED ALWAYS AS (...) STORED"));
      } else if (kind == "CONSTR_CHECK" || kind == "CONSTR_FOREIGN") {
        Work(TableWork::Kind::kScan, relation, "ACCESS EXCLUSIVE",
             what + (kind == "CONSTR_CHECK" ? " with a CHECK" : " with REFERENCES"));
      }
    }
  }

  // The names a constraint takes: its own, and for a primary key, unique
  // or exclusion constraint its index's; a foreign key depends on the
  // table it references. `column` is the column a column constraint is on.
  void ConstraintNames(const json& relation, const json& constraint, const std::string& column,
                       bool is_explicit) {
    std::string kind = Text(constraint, "contype");
    if (kind != "CONSTR_PRIMARY" && kind != "CONSTR_UNIQUE" && kind != "CONSTR_FOREIGN" &&
        kind != "CONSTR_CHECK" && kind != "CONSTR_EXCLUSION") {
      return;  // NOT NULL, DEFAULT, IDENTITY ...: no constraint of their own to name
    }
    std::string name = Text(constraint, "conname");
    std::string table = Text(relation, "relname");
    std::vector<std::string> columns =
        column.empty() ? Strings(Field(constraint, kind == "CONSTR_FOREIGN" ? "fk_attrs" : "keys"))
                       : std::vector<std::string>{column};
    bool chosen = name.empty();
    if (chosen) {
      if (kind == "CONSTR_PRIMARY") name = ChosenName(table, {}, "pkey");
      if (kind == "CONSTR_UNIQUE") name = ChosenName(table, columns, "key");
      if (kind == "CONSTR_FOREIGN") name = ChosenName(table, columns, "fkey");
      if (kind == "CONSTR_CHECK" && !column.empty()) name = ChosenName(table, columns, "check");
    }
    if (name.empty()) return;
    std::vector<ObjectName> references;
    if (kind == "CONSTR_FOREIGN")
      references.push_back(Relation(Field(constraint, "pktable"), "table"));
    ObjectName object = Member(Space::kConstraint, "constraint", relation, name);
    const std::string& using_index = Text(constraint, "indexname");
    if (!using_index.empty()) {
      // USING INDEX renames the index to the constraint's name.
      ObjectName index = Relation(relation, "index");
      index.name = using_index;
      ObjectName renamed = index;
      renamed.name = name;
      if (using_index != name) Renames(index, renamed);
    }
    if (is_explicit && !chosen) {
      Creation c;
      c.object = object;
      c.references = references;
      Add(c, "ADD CONSTRAINT fails when the constraint exists (drop it IF EXISTS first)");
    } else {
      Implicit(object, {}, references);
    }
    if ((kind == "CONSTR_PRIMARY" || kind == "CONSTR_UNIQUE" || kind == "CONSTR_EXCLUSION") &&
        using_index.empty()) {
      ObjectName index = Relation(relation, "index");
      index.name = name;
      Implicit(index, Relation(relation, "table"));
    }
  }

  // The names a column takes: its own, its serial or identity sequence's,
  // and its column constraints'.
  void ColumnNames(const json& relation, const json& def) {
    std::string column = Text(def, "colname");
    std::vector<std::string> names = Strings(Field(Field(def, "typeName"), "names"));
    std::string type = names.empty() ? "" : names.back();
    bool sequence = type == "serial" || type == "bigserial" || type == "smallserial" ||
                    type == "serial2" || type == "serial4" || type == "serial8";
    for (const json& item : Field(def, "constraints")) {
      const json& constraint = Field(item, "Constraint");
      if (Text(constraint, "contype") == "CONSTR_IDENTITY") sequence = true;
      ConstraintNames(relation, constraint, column, false);
    }
    if (sequence) {
      ObjectName seq = Relation(relation, "sequence");
      seq.name = ChosenName(Text(relation, "relname"), {column}, "seq");
      Implicit(seq, Relation(relation, "table"));
    }
  }

  void CreateTable(const json& node) {
    const json& relation = Field(node, "relation");
    ObjectName table = Relation(relation, "table");
    Create(table, node);
    RowType(table);
    for (const json& element : Field(node, "tableElts")) {
      const json& def = Field(element, "ColumnDef");
      if (!def.is_null()) {
        ObjectName column = Member(Space::kColumn, "column", relation, Text(def, "colname"));
        out_->column_types.emplace_back(column.Key(), TypeText(Field(def, "typeName")));
        Implicit(column);
        ColumnNames(relation, def);
      }
      const json& constraint = Field(element, "Constraint");
      if (!constraint.is_null()) ConstraintNames(relation, constraint, "", false);
    }
  }

  void AddConstraint(const json& relation, const json& constraint) {
    std::string kind = Text(constraint, "contype");
    std::string name = Text(constraint, "conname");
    bool not_valid = Flag(constraint, "skip_validation");
    ConstraintNames(relation, constraint, "", true);
    if (name.empty()) Repeats("ADD CONSTRAINT without a name adds another one each time");
    std::string shown = name.empty() ? "" : name + " ";
    if (kind == "CONSTR_CHECK") {
      const json& test = Field(Field(constraint, "raw_expr"), "NullTest");
      std::vector<std::string> column =
          Strings(Field(Field(Field(test, "arg"), "ColumnRef"), "fields"));
      if (Text(test, "nulltesttype") == "IS_NOT_NULL" && column.size() == 1) {
        StatementEffects::NotNullProof proof;
        proof.schema = Text(relation, "schemaname");
        proof.table = Text(relation, "relname");
        proof.column = column[0];
        proof.constraint = name;
        proof.not_valid = not_valid;
        out_->not_null_proofs.push_back(proof);
      }
      if (!not_valid) {
        Work(TableWork::Kind::kScan, relation, "ACCESS EXCLUSIVE",
             fmt::format("ADD CONSTRAINT {}CHECK without NOT VALID", shown));
      }
    } else if (kind == "CONSTR_FOREIGN") {
      if (!not_valid) {
        Work(TableWork::Kind::kScan, relation, "SHARE ROW EXCLUSIVE",
             fmt::format("ADD CONSTRAINT {}FOREIGN KEY without NOT VALID", shown));
      }
    } else if ((kind == "CONSTR_PRIMARY" || kind == "CONSTR_UNIQUE" ||
                kind == "CONSTR_EXCLUSION") &&
               Text(constraint, "indexname").empty()) {
      Work(TableWork::Kind::kIndexBuild, relation, "ACCESS EXCLUSIVE",
           fmt::format("ADD CONSTRAINT {}{} (builds its index; USING INDEX of an index built "
                       "CONCURRENTLY does not)",
                       shown,
                       kind == "CONSTR_PRIMARY"  ? "PRIMARY KEY"
                       : kind == "CONSTR_UNIQUE" ? "UNIQUE"
                                                 : "EXCLUDE"));
    }
  }

  void Rename(const json& node) {
    std::string type = Text(node, "renameType");
    const json& relation = Field(node, "relation");
    std::string subname = Text(node, "subname");
    std::string newname = Text(node, "newname");
    ObjectName from, to;
    if (const char* what = RelationWhat(type)) {
      from = Relation(relation, what);
      to = from;
      to.name = newname;
    } else if (type == "OBJECT_COLUMN") {
      from = Member(Space::kColumn, "column", relation, subname);
      to = Member(Space::kColumn, "column", relation, newname);
    } else if (type == "OBJECT_TABCONSTRAINT") {
      from = Member(Space::kConstraint, "constraint", relation, subname);
      to = Member(Space::kConstraint, "constraint", relation, newname);
    } else if (type == "OBJECT_TRIGGER") {
      from = Member(Space::kTrigger, "trigger", relation, subname);
      to = Member(Space::kTrigger, "trigger", relation, newname);
    } else if (type == "OBJECT_SCHEMA") {
      from = Qualified(Space::kSchema, "schema", {subname});
      to = Qualified(Space::kSchema, "schema", {newname});
    } else if (type == "OBJECT_TYPE" || type == "OBJECT_DOMAIN") {
      from = Qualified(Space::kType, "type", ListStrings(Field(node, "object")));
      to = from;
      to.name = newname;
    } else {
      // A function, operator, role ...: what it renames is not simulated.
      CatalogChange change;
      change.kind = CatalogChange::Kind::kUncertain;
      change.touches.words = {AsciiLower(newname), AsciiLower(subname)};
      for (const std::string& part : ListStrings(Field(node, "object"))) {
        change.touches.words.insert(AsciiLower(part));
      }
      change.reason = "a RENAME";
      out_->changes.push_back(change);
      return;
    }
    Renames(from, to);
    Repeats("RENAME fails once the old name is gone");
  }

  void Drop(const json& node) {
    std::string type = Text(node, "removeType");
    bool missing_ok = Flag(node, "missing_ok");
    bool cascade = Text(node, "behavior") == "DROP_CASCADE";
    for (const json& object : Field(node, "objects")) {
      if (const char* what = RelationWhat(type)) {
        Removes(Qualified(Space::kRelation, what, ListStrings(object)), cascade);
      } else if (type == "OBJECT_TYPE" || type == "OBJECT_DOMAIN") {
        Removes(Qualified(Space::kType, "type", Strings(Field(Field(object, "TypeName"), "names"))),
                cascade);
      } else if (type == "OBJECT_FUNCTION" || type == "OBJECT_PROCEDURE") {
        const json& with_args = Field(object, "ObjectWithArgs");
        ObjectName name =
            Qualified(Space::kFunction, "function", Strings(Field(with_args, "objname")));
        std::string arguments;
        for (const json& arg : Field(with_args, "objargs")) {
          arguments += (arguments.empty() ? "" : ", ") + QuotedTypeName(Field(arg, "TypeName"));
        }
        name.arguments = "(" + arguments + ")";
        Removes(name, cascade);
      } else if (type == "OBJECT_TRIGGER") {
        std::vector<std::string> parts = ListStrings(object);
        if (parts.size() < 2) continue;
        ObjectName name;
        name.space = Space::kTrigger;
        name.what = "trigger";
        name.name = parts.back();
        name.table = parts[parts.size() - 2];
        if (parts.size() > 2) name.schema = parts[parts.size() - 3];
        Removes(name, cascade);
      } else if (type == "OBJECT_SCHEMA" || type == "OBJECT_EXTENSION") {
        Removes(Qualified(type == "OBJECT_SCHEMA" ? Space::kSchema : Space::kExtension,
                          type == "OBJECT_SCHEMA" ? "schema" : "extension",
                          {Text(Field(object, "String"), "sval")}),
                cascade);
      }
    }
    if (!missing_ok) Repeats("DROP without IF EXISTS fails when it is gone");
  }

  StatementEffects* out_;
};

// Where the statement's first token starts within [begin, begin + length).
size_t FirstToken(std::string_view text, size_t begin, size_t length) {
  std::vector<SqlToken> tokens = TokenizeSql(text.substr(begin, length));
  return tokens.empty() ? begin : begin + tokens.front().offset;
}

}  // namespace

Result<std::vector<StatementEffects>> AnalyseSection(std::string_view text) {
  const std::string input(text);
  PgQueryParseResult parsed = postgres::ParseTree(input);
  if (parsed.error != nullptr) {
    std::string message = parsed.error->message != nullptr ? parsed.error->message : "syntax error";
    pg_query_free_parse_result(parsed);
    return Status(Code::kInvalidSet, message);
  }
  std::vector<StatementEffects> out;
  if (postgres::JsonDepth(parsed.parse_tree) > postgres::kMaxAnalysedDepth) {
    // Too deep to walk: nothing is known of what it does, so nothing is
    // claimed (the loader has split and classified it already).
    pg_query_free_parse_result(parsed);
    return out;
  }
  Status status;
  try {
    const json tree = json::parse(parsed.parse_tree);
    for (const json& raw : Field(tree, "stmts")) {
      size_t begin = raw.value("stmt_location", size_t{0});
      size_t length = raw.value("stmt_len", size_t{0});
      if (begin > text.size()) begin = text.size();
      if (length == 0 || begin + length > text.size()) length = text.size() - begin;
      StatementEffects effects;
      effects.offset = FirstToken(text, begin, length);
      effects.length = begin + length - effects.offset;
      const json& stmt = Field(raw, "stmt");
      if (stmt.is_object() && !stmt.empty()) {
        StatementReader(&effects).Read(stmt.begin().key(), stmt.begin().value());
      }
      out.push_back(std::move(effects));
    }
  } catch (const std::exception& e) {
    status =
        Status(Code::kInternal, std::string("cannot read libpg_query's parse tree: ") + e.what());
  }
  pg_query_free_parse_result(parsed);
  if (!status.ok()) return status;
  return out;
}

}  // namespace ratchet::postgres
