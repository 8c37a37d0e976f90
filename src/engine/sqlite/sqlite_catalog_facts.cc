// What the pre-upgrade checks ask of a SQLite database: table sizes (from
// dbstat, where it is compiled in), pragmas as settings, the names already
// taken in sqlite_schema and what drops them. SQLite has no server version,
// extensions, routines or roles to ask about.
#include <fmt/format.h>

#include <filesystem>

#include "engine/sqlite/sqlite_engine.h"

namespace ratchet::sqlite {
namespace {

namespace fs = std::filesystem;
using Space = ObjectName::Space;

Result<std::optional<TableFacts>> SqliteTable(CatalogReader& c, const TableWork& work) {
  TableFacts facts;
  if (work.whole_database) {
    auto r = c.Query("SELECT page_count * page_size FROM pragma_page_count, pragma_page_size");
    if (!r.ok()) return r.status();
    facts.bytes = std::stoll(r->rows.at(0).at(0).value_or("-1"));
    return std::optional<TableFacts>(facts);
  }
  auto exists = c.Query(
      "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND lower(name) = "
      "lower($1)",
      {Value(work.table)});
  if (!exists.ok()) return exists.status();
  if (exists->rows.empty()) return std::optional<TableFacts>();
  // dbstat is compiled into most SQLite builds; without it the size is unknown.
  auto size = c.Query(
      "SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name IN (SELECT name "
      "FROM sqlite_schema WHERE lower(tbl_name) = lower($1))",
      {Value(work.table)});
  if (size.ok()) facts.bytes = std::stoll(size->rows.at(0).at(0).value_or("-1"));
  return std::optional<TableFacts>(facts);
}

Result<std::string> SqliteDataPath(CatalogReader& c) {
  auto r = c.Query("SELECT file FROM pragma_database_list WHERE name = 'main'");
  if (!r.ok() || r->rows.empty()) return std::string();
  return fs::path(r->rows[0][0].value_or("")).parent_path().string();
}

Result<std::string> ExistingSqlite(CatalogReader& c, const ObjectName& object) {
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

// SQLite: an index or trigger goes with its table.
Result<std::vector<DroppedWith>> SqliteAncestors(CatalogReader& c, const ObjectName& object) {
  std::vector<DroppedWith> out;
  if (object.space != Space::kRelation && object.space != Space::kTrigger) return out;
  auto r = c.Query(
      "SELECT lower(tbl_name) FROM sqlite_schema WHERE type IN ('index', 'trigger') AND "
      "lower(name) = lower($1)",
      {Value(object.name)});
  if (!r.ok()) return r.status();
  for (const Row& row : r->rows) {
    DroppedWith ancestor;
    ancestor.object.space = Space::kRelation;
    ancestor.object.what = "table";
    ancestor.object.name = row[0].value_or("");
    out.push_back(ancestor);
  }
  return out;
}

class SqliteCatalogFacts : public CatalogFacts {
 public:
  Result<std::string> DefaultSchema(CatalogReader&) const override { return std::string(); }

  Result<std::optional<TableFacts>> Table(CatalogReader& c, const TableWork& work) const override {
    return SqliteTable(c, work);
  }
  Result<bool> AvoidsWork(CatalogReader&, const TableWork&, const TableFacts&) const override {
    return false;
  }
  Result<std::string> DataPath(CatalogReader& c, const TableFacts&) const override {
    return SqliteDataPath(c);
  }

  Result<std::optional<Version>> ServerVersion(CatalogReader&) const override {
    return std::optional<Version>();
  }
  bool has_extensions() const override { return false; }
  Result<Extension> ExtensionOf(CatalogReader&, const std::string&) const override {
    return Extension{};
  }
  Result<std::optional<std::string>> Setting(CatalogReader& c,
                                             const std::string& name) const override {
    if (name.find('.') != std::string::npos) return std::optional<std::string>();
    auto r = c.Query("PRAGMA " + name);
    if (r.ok() && !r->rows.empty() && !r->rows[0].empty()) return r->rows[0][0];
    return std::optional<std::string>();
  }
  const char* settings_holder() const override { return "database"; }

  Status FindTaken(CatalogReader& c, const std::vector<ObjectName>& objects,
                   std::map<std::string, std::string>* taken) const override {
    for (const ObjectName& object : objects) {
      auto existing = ExistingSqlite(c, object);
      if (!existing.ok()) return existing.status();
      if (existing->empty()) continue;
      ObjectName probed = object;
      probed.schema = c.SchemaOf(probed.schema);
      (*taken)[probed.Key()] = *existing;
    }
    return Status::Ok();
  }
  Result<std::vector<DroppedWith>> DroppedAlongWith(CatalogReader& c,
                                                    const ObjectName& object) const override {
    return SqliteAncestors(c, object);
  }
  Result<std::map<std::string, Touches>> Routines(CatalogReader&,
                                                  const std::set<std::string>&) const override {
    return std::map<std::string, Touches>();
  }

  Result<std::optional<RoleFacts>> Role(CatalogReader&) const override {
    return std::optional<RoleFacts>();
  }
  Result<std::string> BookkeepingRefusal(CatalogReader&, const std::string&,
                                         const std::string&) const override {
    return std::string();
  }
  Result<bool> MayCreateIn(CatalogReader&, const std::string&) const override { return true; }
  Result<std::optional<ForeignOwner>> OwnerIfNotMine(CatalogReader&, const std::string&,
                                                     const std::string&) const override {
    return std::optional<ForeignOwner>();
  }
};

}  // namespace

const CatalogFacts& SqliteFacts() {
  static const SqliteCatalogFacts facts;
  return facts;
}

}  // namespace ratchet::sqlite
