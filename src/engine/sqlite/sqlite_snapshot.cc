// The SQLite catalog as a snapshot: sqlite_schema for what exists, the
// table_xinfo, index_list, index_xinfo and foreign_key_list pragmas for
// structure, and the stored CREATE text (normalised) for what only it holds:
// CHECK constraints, collations, generated columns, views and triggers.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <string>

#include "engine/sqlite/sqlite_engine.h"
#include "snapshot/snapshot_objects.h"
#include "sql/sql_text.h"

namespace ratchet::sqlite {
namespace {

using Props = std::vector<std::pair<std::string, std::string>>;

// Returns the index of the token just past the object name of a CREATE
// statement ("CREATE [TEMP] [UNIQUE|VIRTUAL] <kind> [IF NOT EXISTS]
// [schema.]name"), or tokens.size() if it is not one.
size_t AfterCreatedName(const std::vector<SqlToken>& tokens) {
  size_t i = 0;
  if (i >= tokens.size() || !tokens[i].Is("CREATE")) return tokens.size();
  ++i;
  while (i < tokens.size() && (tokens[i].Is("TEMP") || tokens[i].Is("TEMPORARY") ||
                               tokens[i].Is("UNIQUE") || tokens[i].Is("VIRTUAL"))) {
    ++i;
  }
  ++i;  // TABLE, INDEX, VIEW or TRIGGER
  if (i + 2 < tokens.size() && tokens[i].Is("IF") && tokens[i + 1].Is("NOT") &&
      tokens[i + 2].Is("EXISTS")) {
    i += 3;
  }
  if (i + 2 < tokens.size() && tokens[i + 1].text == "." &&
      tokens[i + 1].kind == SqlToken::Kind::kPunctuation) {
    i += 2;  // schema.
  }
  return std::min(i + 1, tokens.size());
}

// Returns the index of the ")" that closes the "(" at `open`.
size_t Closing(const std::vector<SqlToken>& tokens, size_t open) {
  int depth = 0;
  for (size_t i = open; i < tokens.size(); ++i) {
    if (tokens[i].kind != SqlToken::Kind::kPunctuation) continue;
    if (tokens[i].text == "(") ++depth;
    if (tokens[i].text == ")" && --depth == 0) return i;
  }
  return tokens.size();
}

// What only a table's CREATE text says.
struct TableText {
  struct Column {
    std::string collation;
    std::string generated;  // "ALWAYS AS (expr) STORED|VIRTUAL"
  };
  std::map<std::string, Column> columns;  // by lower-case name
  // CHECK expressions (normalised) and the name given with CONSTRAINT, if any.
  std::vector<std::pair<std::string, std::string>> checks;
  bool without_rowid = false;
  bool strict = false;
  bool autoincrement = false;
};

// Reads the CHECKs, COLLATEs and generated columns of one column definition
// or table constraint, tokens [begin, end).
void ReadElement(const std::vector<SqlToken>& t, size_t begin, size_t end, TableText* out) {
  bool is_column = !(t[begin].Is("CONSTRAINT") || t[begin].Is("PRIMARY") || t[begin].Is("UNIQUE") ||
                     t[begin].Is("CHECK") || t[begin].Is("FOREIGN"));
  TableText::Column* column = nullptr;
  if (is_column) column = &out->columns[AsciiLower(t[begin].text)];
  std::string constraint_name;
  for (size_t i = begin; i < end; ++i) {
    if (t[i].Is("CONSTRAINT") && i + 1 < end) {
      constraint_name = AsciiLower(t[++i].text);
    } else if (t[i].Is("CHECK") && i + 1 < end && t[i + 1].text == "(") {
      size_t close = std::min(Closing(t, i + 1), end);
      out->checks.emplace_back(JoinTokens(t, i + 2, close, true), constraint_name);
      constraint_name.clear();
      i = close;
    } else if (t[i].Is("COLLATE") && i + 1 < end && column != nullptr) {
      column->collation = AsciiLower(t[++i].text);
    } else if (t[i].Is("AS") && i + 1 < end && t[i + 1].text == "(" && column != nullptr) {
      size_t close = std::min(Closing(t, i + 1), end);
      bool stored = close + 1 < end && t[close + 1].Is("STORED");
      column->generated = fmt::format("ALWAYS AS ({}) {}", JoinTokens(t, i + 2, close, true),
                                      stored ? "STORED" : "VIRTUAL");
      i = close;
    } else if (t[i].Is("AUTOINCREMENT")) {
      out->autoincrement = true;
    } else if (t[i].text == "(") {
      i = std::min(Closing(t, i), end);  // a type's size, a default: nothing to read
    }
  }
}

TableText ReadTableText(const std::string& sql) {
  TableText out;
  std::vector<SqlToken> t = TokenizeSql(sql);
  size_t open = AfterCreatedName(t);
  if (open >= t.size() || t[open].text != "(") return out;  // CREATE TABLE ... AS SELECT
  size_t close = Closing(t, open);
  size_t element = open + 1;
  int depth = 0;
  for (size_t i = open + 1; i <= close && i < t.size(); ++i) {
    bool punctuation = t[i].kind == SqlToken::Kind::kPunctuation;
    if (punctuation && t[i].text == "(") ++depth;
    if (punctuation && t[i].text == ")" && depth > 0 && i != close) --depth;
    if ((punctuation && t[i].text == "," && depth == 0) || i == close) {
      if (i > element) ReadElement(t, element, i, &out);
      element = i + 1;
    }
  }
  for (size_t i = close + 1; i < t.size(); ++i) {
    if (t[i].Is("ROWID")) out.without_rowid = true;
    if (t[i].Is("STRICT")) out.strict = true;
  }
  return out;
}

class SqliteCatalog {
 public:
  SqliteCatalog(Connection& conn, const SnapshotOptions& options, Snapshot* out)
      : conn_(conn), prefix_(AsciiLower(options.history_schema) + "_"), out_(out) {}

  Status Read() {
    auto schema = conn_.Query(
        "SELECT type, name, tbl_name, sql FROM sqlite_schema "
        "WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type, name");
    if (!schema.ok()) return schema.status();
    for (const Row& row : schema->rows) {
      std::string type = row[0].value_or("");
      std::string name = row[1].value_or("");
      std::string table = row[2].value_or("");
      std::string sql = row[3].value_or("");
      if (IsBookkeeping(name) || IsBookkeeping(table)) continue;
      if (type == "table") {
        RATCHET_RETURN_IF_ERROR(Table(name, sql));
      } else if (type == "index") {
        Index(name, table, sql);
      } else if (type == "view") {
        Named("view", name, sql, "");
      } else if (type == "trigger") {
        Named("trigger", name, sql, table);
      }
    }
    return Status::Ok();
  }

 private:
  bool IsBookkeeping(const std::string& name) const {
    return AsciiLower(name).compare(0, prefix_.size(), prefix_) == 0;
  }

  SchemaObject& Add(std::string kind, std::string key, std::string name) {
    return AddObject(out_, std::move(kind), std::move(key), std::move(name));
  }

  Result<QueryResult> Pragma(const char* pragma, const std::string& name) {
    return conn_.Query(fmt::format("SELECT * FROM pragma_{}($1)", pragma), {Value(name)});
  }

  Status Table(const std::string& name, const std::string& sql) {
    const std::string table = AsciiLower(name);
    TableText text = ReadTableText(sql);
    auto columns = Pragma("table_xinfo", name);
    if (!columns.ok()) return columns.status();

    // cid, name, type, notnull, dflt_value, pk, hidden
    std::string order;
    std::vector<std::pair<int, std::string>> primary_key;
    for (const Row& c : columns->rows) {
      std::string column = c[1].value_or("");
      std::string hidden = c[6].value_or("0");
      if (hidden == "1") continue;  // a virtual table's hidden column
      order += (order.empty() ? "" : ", ") + column;
      std::string key = table + "." + AsciiLower(column);
      SchemaObject& o = Add("column", key, name + "." + column);
      o.properties.emplace_back("type", AsciiUpper(NormaliseSql(c[2].value_or(""), true)));
      o.properties.emplace_back("nullable", c[3] == "1" ? "no" : "yes");
      if (c[4].has_value()) o.properties.emplace_back("default", NormaliseSql(*c[4], true));
      const TableText::Column& extra = text.columns[AsciiLower(column)];
      if (!extra.generated.empty()) o.properties.emplace_back("generated", extra.generated);
      if (!extra.collation.empty()) o.properties.emplace_back("collation", extra.collation);
      int pk = std::stoi(c[5].value_or("0"));
      if (pk > 0) primary_key.emplace_back(pk, column);
    }

    SchemaObject& t = Add("table", table, name);
    if (AsciiUpper(sql).rfind("CREATE VIRTUAL", 0) == 0) {
      std::vector<SqlToken> tokens = TokenizeSql(sql);
      t.properties.emplace_back("virtual",
                                JoinTokens(tokens, AfterCreatedName(tokens), tokens.size(), true));
    }
    t.properties.emplace_back("column order", order);
    if (text.without_rowid) t.properties.emplace_back("without rowid", "yes");
    if (text.strict) t.properties.emplace_back("strict", "yes");
    if (text.autoincrement) t.properties.emplace_back("autoincrement", "yes");

    if (!primary_key.empty()) {
      std::sort(primary_key.begin(), primary_key.end());
      std::string cols;
      for (const auto& [position, column] : primary_key) {
        cols += (cols.empty() ? "" : ", ") + AsciiLower(column);
      }
      Constraint(table, name, fmt::format("PRIMARY KEY ({})", cols), "");
    }
    for (const auto& [expression, constraint_name] : text.checks) {
      Constraint(table, name, fmt::format("CHECK ({})", expression), constraint_name);
    }
    RATCHET_RETURN_IF_ERROR(UniqueConstraints(table, name));
    return ForeignKeys(table, name);
  }

  void Constraint(const std::string& table, const std::string& shown_table,
                  const std::string& definition, const std::string& name) {
    SchemaObject& o = Add("constraint", table + ": " + definition,
                          (name.empty() ? definition : name) + " on " + shown_table);
    o.properties.emplace_back("definition", definition);
    if (!name.empty()) o.properties.emplace_back("name", name);
  }

  // The columns of index `index`, lower-cased, in order.
  Result<std::string> IndexColumns(const std::string& index) {
    auto info = Pragma("index_info", index);  // seqno, cid, name
    if (!info.ok()) return info.status();
    std::string cols;
    for (const Row& r : info->rows) {
      cols += (cols.empty() ? "" : ", ") + AsciiLower(r[2].value_or("<expression>"));
    }
    return cols;
  }

  // UNIQUE constraints: the automatic indexes SQLite made for them.
  Status UniqueConstraints(const std::string& table, const std::string& shown) {
    auto list = Pragma("index_list", shown);  // seq, name, unique, origin, partial
    if (!list.ok()) return list.status();
    for (const Row& r : list->rows) {
      if (r[3] != "u") continue;
      auto cols = IndexColumns(r[1].value_or(""));
      if (!cols.ok()) return cols.status();
      Constraint(table, shown, fmt::format("UNIQUE ({})", *cols), "");
    }
    return Status::Ok();
  }

  Status ForeignKeys(const std::string& table, const std::string& shown) {
    // id, seq, table, from, to, on_update, on_delete, match
    auto keys = Pragma("foreign_key_list", shown);
    if (!keys.ok()) return keys.status();
    std::map<std::string, std::vector<const Row*>> by_id;
    for (const Row& r : keys->rows) by_id[r[0].value_or("")].push_back(&r);
    for (const auto& [id, rows] : by_id) {
      const Row& first = *rows.front();
      std::string parent = first[2].value_or("");
      std::string from, to;
      bool implicit = false;
      for (const Row* r : rows) {
        from += (from.empty() ? "" : ", ") + AsciiLower((*r)[3].value_or(""));
        if (!(*r)[4].has_value()) implicit = true;
        to += (to.empty() ? "" : ", ") + AsciiLower((*r)[4].value_or(""));
      }
      if (implicit) {
        // REFERENCES parent without columns means the parent's primary key.
        auto parent_columns = Pragma("table_info", parent);
        if (!parent_columns.ok()) return parent_columns.status();
        std::vector<std::pair<int, std::string>> pk;
        for (const Row& c : parent_columns->rows) {
          int position = std::stoi(c[5].value_or("0"));
          if (position > 0) pk.emplace_back(position, AsciiLower(c[1].value_or("")));
        }
        std::sort(pk.begin(), pk.end());
        to.clear();
        for (const auto& [position, column] : pk) to += (to.empty() ? "" : ", ") + column;
      }
      std::string definition =
          fmt::format("FOREIGN KEY ({}) REFERENCES {} ({})", from, AsciiLower(parent), to);
      if (first[5] != "NO ACTION") definition += " ON UPDATE " + first[5].value_or("");
      if (first[6] != "NO ACTION") definition += " ON DELETE " + first[6].value_or("");
      if (first[7] != "NONE") definition += " MATCH " + first[7].value_or("");
      Constraint(table, shown, definition, "");
    }
    return Status::Ok();
  }

  // Indexes created with CREATE INDEX (automatic ones belong to constraints).
  void Index(const std::string& name, const std::string& table, const std::string& sql) {
    if (sql.empty()) return;
    std::vector<SqlToken> tokens = TokenizeSql(sql);
    bool unique = tokens.size() > 1 && tokens[1].Is("UNIQUE");
    size_t on = AfterCreatedName(tokens);
    if (on < tokens.size() && tokens[on].Is("ON")) ++on;
    std::string definition = fmt::format("{}INDEX ON {}", unique ? "UNIQUE " : "",
                                         JoinTokens(tokens, on, tokens.size(), true));
    SchemaObject& o = Add("index", definition, name + " on " + table);
    o.properties.emplace_back("definition", definition);
    if (!IsGeneratedName(name, table)) o.properties.emplace_back("name", AsciiLower(name));
  }

  // Views and triggers: what follows the name, normalised.
  void Named(const char* kind, const std::string& name, const std::string& sql,
             const std::string& table) {
    std::vector<SqlToken> tokens = TokenizeSql(sql);
    SchemaObject& o = Add(kind, AsciiLower(name), table.empty() ? name : name + " on " + table);
    o.properties.emplace_back("definition",
                              JoinTokens(tokens, AfterCreatedName(tokens), tokens.size(), true));
  }

  Connection& conn_;
  std::string prefix_;
  Snapshot* out_;
};

}  // namespace

Result<Snapshot> ReadCatalog(Connection& conn, const SnapshotOptions& options) {
  Snapshot snapshot;
  SqliteCatalog catalog(conn, options, &snapshot);
  RATCHET_RETURN_IF_ERROR(catalog.Read());
  return snapshot;
}

}  // namespace ratchet::sqlite
