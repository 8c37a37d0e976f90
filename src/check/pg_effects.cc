// Reading PostgreSQL statements' effects from libpg_query's parse tree: what
// they create and drop, which tables they rewrite, scan or index under a
// lock, and what would fail if they ran twice.
#include <fmt/format.h>
#include <pg_query.h>

#include <cctype>
#include <exception>
#include <map>
#include <nlohmann/json.hpp>

#include "check/statement_effects.h"
#include "engine/postgres/pg_tree.h"
#include "snapshot/sql_text.h"

namespace ratchet {
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
      Create(Relation(Field(node, "relation"), "table"), node);
    } else if (node_name == "CreateTableAsStmt") {
      bool matview = Text(node, "objtype") == "OBJECT_MATVIEW";
      Create(Relation(Field(Field(node, "into"), "rel"), matview ? "materialized view" : "table"),
             node);
    } else if (node_name == "ViewStmt") {
      Creation c;
      c.object = Relation(Field(node, "view"), "view");
      c.or_replace = Flag(node, "replace");
      Add(c, "CREATE VIEW without OR REPLACE fails when the view exists");
    } else if (node_name == "IndexStmt") {
      Index(node);
    } else if (node_name == "CreateSeqStmt") {
      Create(Relation(Field(node, "sequence"), "sequence"), node);
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
    }
  }

 private:
  void Add(const Creation& c, const std::string& not_idempotent) {
    if (c.object.name.empty()) return;
    out_->creates.push_back(c);
    if (!c.if_not_exists && !c.or_replace) {
      out_->not_idempotent.push_back({not_idempotent, c.object.Key()});
    }
  }

  void Repeats(std::string reason) { out_->not_idempotent.push_back({std::move(reason), ""}); }

  void Create(const ObjectName& object, const json& node) {
    Creation c;
    c.object = object;
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
      } else if (subtype == "AT_SetNotNull") {
        TableWork& w = Work(TableWork::Kind::kScan, relation, "ACCESS EXCLUSIVE",
                            fmt::format("ALTER COLUMN {} SET NOT NULL", name));
        w.not_null_column = name;
      } else if (subtype == "AT_AddConstraint") {
        AddConstraint(relation, Field(Field(cmd, "def"), "Constraint"));
      } else if (subtype == "AT_ValidateConstraint") {
        out_->validates.push_back(name);
      } else if (subtype == "AT_DropColumn") {
        out_->removes.push_back(Member(Space::kColumn, "column", relation, name));
        if (!Flag(cmd, "missing_ok")) {
          Repeats("DROP COLUMN without IF EXISTS fails when it is gone");
        }
      } else if (subtype == "AT_DropConstraint") {
        out_->removes.push_back(Member(Space::kConstraint, "constraint", relation, name));
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
    Add(c, "ADD COLUMN without IF NOT EXISTS fails when the column exists");
    std::vector<std::string> names = Strings(Field(Field(def, "typeName"), "names"));
    std::string type = names.empty() ? "" : names.back();
    std::string what = fmt::format("ADD COLUMN {}", column);
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

  void AddConstraint(const json& relation, const json& constraint) {
    std::string kind = Text(constraint, "contype");
    std::string name = Text(constraint, "conname");
    bool not_valid = Flag(constraint, "skip_validation");
    if (!name.empty()) {
      Creation c;
      c.object = Member(Space::kConstraint, "constraint", relation, name);
      Add(c, "ADD CONSTRAINT fails when the constraint exists (drop it IF EXISTS first)");
    } else {
      Repeats("ADD CONSTRAINT without a name adds another one each time");
    }
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
    Creation c;
    if (const char* what = RelationWhat(type)) {
      out_->removes.push_back(Relation(relation, what));
      c.object = Relation(relation, what);
      c.object.name = newname;
    } else if (type == "OBJECT_COLUMN") {
      out_->removes.push_back(Member(Space::kColumn, "column", relation, subname));
      c.object = Member(Space::kColumn, "column", relation, newname);
    } else if (type == "OBJECT_TABCONSTRAINT") {
      out_->removes.push_back(Member(Space::kConstraint, "constraint", relation, subname));
      c.object = Member(Space::kConstraint, "constraint", relation, newname);
    } else if (type == "OBJECT_TRIGGER") {
      out_->removes.push_back(Member(Space::kTrigger, "trigger", relation, subname));
      c.object = Member(Space::kTrigger, "trigger", relation, newname);
    } else if (type == "OBJECT_SCHEMA") {
      out_->removes.push_back(Qualified(Space::kSchema, "schema", {subname}));
      c.object = Qualified(Space::kSchema, "schema", {newname});
    } else {
      return;
    }
    out_->creates.push_back(c);
    Repeats("RENAME fails once the old name is gone");
  }

  void Drop(const json& node) {
    std::string type = Text(node, "removeType");
    bool missing_ok = Flag(node, "missing_ok");
    for (const json& object : Field(node, "objects")) {
      if (const char* what = RelationWhat(type)) {
        out_->removes.push_back(Qualified(Space::kRelation, what, ListStrings(object)));
      } else if (type == "OBJECT_TYPE" || type == "OBJECT_DOMAIN") {
        out_->removes.push_back(
            Qualified(Space::kType, "type", Strings(Field(Field(object, "TypeName"), "names"))));
      } else if (type == "OBJECT_FUNCTION" || type == "OBJECT_PROCEDURE") {
        const json& with_args = Field(object, "ObjectWithArgs");
        ObjectName name =
            Qualified(Space::kFunction, "function", Strings(Field(with_args, "objname")));
        std::string arguments;
        for (const json& arg : Field(with_args, "objargs")) {
          arguments += (arguments.empty() ? "" : ", ") + QuotedTypeName(Field(arg, "TypeName"));
        }
        name.arguments = "(" + arguments + ")";
        out_->removes.push_back(name);
      } else if (type == "OBJECT_TRIGGER") {
        std::vector<std::string> parts = ListStrings(object);
        if (parts.size() < 2) continue;
        ObjectName name;
        name.space = Space::kTrigger;
        name.what = "trigger";
        name.name = parts.back();
        name.table = parts[parts.size() - 2];
        if (parts.size() > 2) name.schema = parts[parts.size() - 3];
        out_->removes.push_back(name);
      } else if (type == "OBJECT_SCHEMA" || type == "OBJECT_EXTENSION") {
        out_->removes.push_back(
            Qualified(type == "OBJECT_SCHEMA" ? Space::kSchema : Space::kExtension,
                      type == "OBJECT_SCHEMA" ? "schema" : "extension",
                      {Text(Field(object, "String"), "sval")}));
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

Result<std::vector<StatementEffects>> AnalysePostgresSection(std::string_view text) {
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

}  // namespace ratchet
