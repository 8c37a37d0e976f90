// Reading SQLite statements' effects from their text: SQLite has no parse
// tree to offer, but its DDL is regular enough that the first few tokens say
// what a statement creates, drops, rewrites or indexes.
#include <fmt/format.h>

#include <cctype>

#include "engine/sqlite/sqlite_engine.h"
#include "engine/statement_effects.h"
#include "sql/sql_text.h"

namespace ratchet::sqlite {
namespace {

using Space = ObjectName::Space;

constexpr const char* kDatabaseLock = "the database write lock";

class SqliteStatement {
 public:
  SqliteStatement(std::string_view text, StatementEffects* out)
      : t_(TokenizeSql(text)), out_(out) {}

  void Read() {
    if (t_.empty()) return;
    if (At(0, "CREATE")) {
      Create();
    } else if (At(0, "ALTER") && At(1, "TABLE")) {
      Alter();
    } else if (At(0, "DROP")) {
      Drop();
    } else if (At(0, "INSERT") || At(0, "REPLACE")) {
      Insert();
    } else if (At(0, "VACUUM")) {
      TableWork work;
      work.kind = TableWork::Kind::kRewrite;
      work.whole_database = true;
      work.lock = kDatabaseLock;
      work.reason = "VACUUM";
      out_->work.push_back(work);
    }
  }

 private:
  bool At(size_t i, std::string_view keyword) const { return i < t_.size() && t_[i].Is(keyword); }

  // Reads "[schema.]name" at `*i`, lower-cased; advances past it.
  std::pair<std::string, std::string> Name(size_t* i) const {
    std::string schema, name;
    if (*i < t_.size()) name = AsciiLower(t_[*i].text);
    if (*i + 2 < t_.size() && t_[*i + 1].text == "." &&
        t_[*i + 1].kind == SqlToken::Kind::kPunctuation) {
      schema = name;
      name = AsciiLower(t_[*i + 2].text);
      *i += 2;
    }
    ++*i;
    return {schema == "main" ? "" : schema, name};
  }

  bool IfExists(size_t* i, bool with_not) const {
    if (with_not && At(*i, "IF") && At(*i + 1, "NOT") && At(*i + 2, "EXISTS")) {
      *i += 3;
      return true;
    }
    if (!with_not && At(*i, "IF") && At(*i + 1, "EXISTS")) {
      *i += 2;
      return true;
    }
    return false;
  }

  void Change(CatalogChange::Kind kind, const ObjectName& object, const Creation& creation = {}) {
    CatalogChange change;
    change.kind = kind;
    change.object = object;
    change.creation = creation;
    out_->changes.push_back(change);
  }

  // The index of the first ON keyword at or after `from`, or t_.size().
  size_t FindOn(size_t from) const {
    for (size_t i = from; i < t_.size(); ++i) {
      if (t_[i].Is("ON")) return i;
    }
    return t_.size();
  }

  void Create() {
    size_t i = 1;
    while (At(i, "TEMP") || At(i, "TEMPORARY")) ++i;
    bool unique = At(i, "UNIQUE");
    if (unique || At(i, "VIRTUAL")) ++i;
    std::string kind = i < t_.size() ? AsciiLower(t_[i].text) : "";
    ++i;
    Creation c;
    c.if_not_exists = IfExists(&i, true);
    auto [schema, name] = Name(&i);
    c.object.schema = schema;
    c.object.name = name;
    c.object.what = kind;
    if (kind == "table" || kind == "view" || kind == "index") {
      c.object.space = Space::kRelation;
    } else if (kind == "trigger") {
      c.object.space = Space::kTrigger;  // one namespace per database, as in sqlite_schema
    } else {
      return;
    }
    if (kind == "index" || kind == "trigger") {
      // Both go with the table they are on.
      size_t on = FindOn(i);
      size_t at = on + 1;
      if (on + 1 < t_.size()) {
        auto [table_schema, table] = Name(&at);
        c.owner.space = Space::kRelation;
        c.owner.what = "table";
        c.owner.schema = table_schema;
        c.owner.name = table;
      }
    }
    out_->creates.push_back(c);
    Change(CatalogChange::Kind::kCreate, {}, c);
    if (!c.if_not_exists) {
      out_->not_idempotent.push_back(
          {fmt::format("CREATE {} without IF NOT EXISTS fails when it exists", AsciiUpper(kind)),
           c.object.Key()});
    }
    if (kind == "index") {
      size_t on = FindOn(i);
      if (on + 1 >= t_.size()) return;
      size_t at = on + 1;
      auto [table_schema, table] = Name(&at);
      TableWork work;
      work.kind = TableWork::Kind::kIndexBuild;
      work.schema = table_schema;
      work.table = table;
      work.lock = kDatabaseLock;
      work.reason = fmt::format("CREATE {}INDEX {}", unique ? "UNIQUE " : "", name);
      out_->work.push_back(work);
    }
  }

  void Alter() {
    size_t i = 2;
    // Named, not bound: clang 14 lets no lambda capture a structured binding.
    auto qualified = Name(&i);
    const std::string& schema = qualified.first;
    const std::string& table = qualified.second;
    auto member = [&](Space space, const char* what, const std::string& name) {
      ObjectName object;
      object.space = space;
      object.what = what;
      object.schema = schema;
      object.table = table;
      object.name = name;
      return object;
    };
    if (At(i, "ADD")) {
      ++i;
      if (At(i, "COLUMN")) ++i;
      if (i >= t_.size()) return;
      Creation c;
      c.object = member(Space::kColumn, "column", AsciiLower(t_[i].text));
      out_->creates.push_back(c);
      Change(CatalogChange::Kind::kCreate, {}, c);
      out_->not_idempotent.push_back(
          {"ADD COLUMN fails when the column exists, and SQLite has no IF NOT EXISTS for it", ""});
    } else if (At(i, "RENAME") && At(i + 1, "TO")) {
      size_t at = i + 2;
      ObjectName old_name;
      old_name.space = Space::kRelation;
      old_name.what = "table";
      old_name.schema = schema;
      old_name.name = table;
      out_->removes.push_back(old_name);
      Creation c;
      c.object = old_name;
      c.object.name = Name(&at).second;
      out_->creates.push_back(c);
      Change(CatalogChange::Kind::kRename, old_name, c);
      out_->not_idempotent.push_back({"RENAME fails once the old name is gone", ""});
    } else if (At(i, "RENAME")) {
      ++i;
      if (At(i, "COLUMN")) ++i;
      if (i + 2 >= t_.size() || !t_[i + 1].Is("TO")) return;
      ObjectName old_name = member(Space::kColumn, "column", AsciiLower(t_[i].text));
      out_->removes.push_back(old_name);
      Creation c;
      c.object = member(Space::kColumn, "column", AsciiLower(t_[i + 2].text));
      out_->creates.push_back(c);
      Change(CatalogChange::Kind::kRename, old_name, c);
      out_->not_idempotent.push_back({"RENAME COLUMN fails once the old name is gone", ""});
    } else if (At(i, "DROP")) {
      ++i;
      if (At(i, "COLUMN")) ++i;
      if (i >= t_.size()) return;
      std::string column = AsciiLower(t_[i].text);
      out_->removes.push_back(member(Space::kColumn, "column", column));
      Change(CatalogChange::Kind::kDrop, member(Space::kColumn, "column", column));
      out_->not_idempotent.push_back(
          {"DROP COLUMN fails when the column is gone, and SQLite has no IF EXISTS for it", ""});
      TableWork work;
      work.kind = TableWork::Kind::kRewrite;
      work.schema = schema;
      work.table = table;
      work.lock = kDatabaseLock;
      work.reason = "DROP COLUMN " + column;
      out_->work.push_back(work);
    }
  }

  void Drop() {
    size_t i = 1;
    std::string kind = i < t_.size() ? AsciiLower(t_[i].text) : "";
    ++i;
    bool if_exists = IfExists(&i, false);
    auto [schema, name] = Name(&i);
    ObjectName object;
    object.space = kind == "trigger" ? Space::kTrigger : Space::kRelation;
    object.what = kind;
    object.schema = schema;
    object.name = name;
    if (kind != "table" && kind != "view" && kind != "index" && kind != "trigger") return;
    out_->removes.push_back(object);
    Change(CatalogChange::Kind::kDrop, object);
    if (!if_exists) {
      out_->not_idempotent.push_back({"DROP without IF EXISTS fails when it is gone", ""});
    }
  }

  void Insert() {
    if (At(0, "REPLACE") || (At(1, "OR") && (At(2, "IGNORE") || At(2, "REPLACE")))) return;
    for (size_t i = 0; i < t_.size(); ++i) {
      if ((t_[i].Is("ON") && At(i + 1, "CONFLICT")) || t_[i].Is("WHERE")) return;
    }
    out_->not_idempotent.push_back(
        {"INSERT without ON CONFLICT or a WHERE NOT EXISTS inserts its rows again", ""});
  }

  std::vector<SqlToken> t_;
  StatementEffects* out_;
};

}  // namespace

Result<std::vector<StatementEffects>> AnalyseSection(std::string_view text) {
  std::vector<Statement> statements;
  RATCHET_RETURN_IF_ERROR(sqlite::SplitScript(text, &statements));
  std::vector<StatementEffects> out;
  for (const Statement& statement : statements) {
    StatementEffects effects;
    effects.offset = statement.offset;
    effects.length = statement.length;
    SqliteStatement(text.substr(statement.offset, statement.length), &effects).Read();
    out.push_back(std::move(effects));
  }
  return out;
}

}  // namespace ratchet::sqlite
