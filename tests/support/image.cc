// Reading a database's image from the engines' own catalogs.
#include "support/image.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace ratchet::testing {
namespace {

// Schemas that are the server's or ratchet's, not the user's.
constexpr char kSystemSchemas[] = "('pg_catalog', 'information_schema', 'pg_toast', 'ratchet')";

// The rows of `sql`, columns joined with '|' and NULL as "NULL".
std::vector<std::string> Lines(Connection& conn, const std::string& sql) {
  std::vector<std::string> out;
  auto r = conn.Query(sql);
  if (!r.ok()) {
    ADD_FAILURE() << sql << ": " << r.status().message();
    return out;
  }
  for (const Row& row : r->rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) line += (i ? "|" : "") + row[i].value_or("NULL");
    out.push_back(std::move(line));
  }
  return out;
}

void Append(std::vector<std::string>* to, std::vector<std::string> lines) {
  to->insert(to->end(), std::make_move_iterator(lines.begin()),
             std::make_move_iterator(lines.end()));
}

std::string QuoteIdentifier(const std::string& name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

void ReadPostgresCatalog(Connection& conn, DatabaseImage* image, bool with_rows) {
  const std::string user_ns = std::string("n.nspname NOT IN ") + kSystemSchemas +
                              " AND n.nspname NOT LIKE 'pg_temp%'" +
                              " AND n.nspname NOT LIKE 'pg_toast_temp%'";
  auto& c = image->catalog;
  Append(&c, Lines(conn, "SELECT 'schema ' || n.nspname FROM pg_namespace n WHERE " + user_ns));
  Append(&c,
         Lines(conn,
               "SELECT 'relation ' || n.nspname || '.' || c.relname || ' kind ' || c.relkind::text "
               "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
               "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'i', 'I') AND " +
                   user_ns));
  Append(&c, Lines(conn,
                   "SELECT 'column ' || n.nspname || '.' || c.relname || '.' || a.attname || ' #' "
                   "|| row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum) || ' ' || "
                   "format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN "
                   "' not null' ELSE '' END || COALESCE(' default ' || pg_get_expr(d.adbin, "
                   "d.adrelid), '') FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                   "JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_attrdef d ON "
                   "d.adrelid = a.attrelid AND d.adnum = a.attnum WHERE a.attnum > 0 AND NOT "
                   "a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND " +
                       user_ns));
  Append(&c, Lines(conn,
                   "SELECT 'constraint ' || n.nspname || '.' || c.relname || ' ' || k.conname || "
                   "' ' || pg_get_constraintdef(k.oid) FROM pg_constraint k JOIN pg_class c ON "
                   "c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE " +
                       user_ns));
  Append(&c, Lines(conn,
                   "SELECT 'index ' || pg_get_indexdef(i.indexrelid) || CASE WHEN i.indisvalid "
                   "THEN '' ELSE ' INVALID' END || CASE WHEN i.indisready THEN '' ELSE "
                   "' NOT READY' END FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                   "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE " +
                       user_ns));
  Append(&c, Lines(conn,
                   "SELECT 'view ' || n.nspname || '.' || c.relname || ' ' || "
                   "pg_get_viewdef(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = "
                   "c.relnamespace WHERE c.relkind IN ('v', 'm') AND " +
                       user_ns));
  Append(&c, Lines(conn,
                   "SELECT 'function ' || pg_get_functiondef(p.oid) FROM pg_proc p JOIN "
                   "pg_namespace n ON n.oid = p.pronamespace WHERE p.prokind IN ('f', 'p') AND " +
                       user_ns));
  Append(&c, Lines(conn,
                   "SELECT 'trigger ' || pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN "
                   "pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = "
                   "c.relnamespace WHERE NOT t.tgisinternal AND " +
                       user_ns));
  Append(&c, Lines(conn,
                   "SELECT 'sequence ' || n.nspname || '.' || c.relname || ' ' || "
                   "format_type(s.seqtypid, NULL) || ' start ' || s.seqstart || ' increment ' || "
                   "s.seqincrement FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN "
                   "pg_namespace n ON n.oid = c.relnamespace WHERE " +
                       user_ns));
  if (!with_rows) return;
  for (const std::string& table :
       Lines(conn,
             "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class "
             "c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', "
             "'p') AND " +
                 user_ns)) {
    Append(&image->rows, Lines(conn, "SELECT '" + table + " ' || t::text FROM " + table + " t"));
  }
}

void ReadSqliteCatalog(Connection& conn, DatabaseImage* image, bool with_rows) {
  Append(&image->catalog,
         Lines(conn,
               "SELECT type || ' ' || name || ' on ' || tbl_name || ' ' || COALESCE(sql, '') "
               "FROM sqlite_schema WHERE name NOT LIKE 'ratchet\\_%' ESCAPE '\\' "
               "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"));
  if (!with_rows) return;
  for (const std::string& table :
       Lines(conn,
             "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE "
             "'ratchet\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")) {
    for (std::string& row : Lines(conn, "SELECT * FROM " + QuoteIdentifier(table))) {
      image->rows.push_back(table + " " + row);
    }
  }
}

// Kinds of event a resumed run records again on its way: a run's start
// and a journaled item's start. They must be there; how often depends on
// where the run was stopped.
constexpr char kRepeatedOnResume[] =
    "('upgrade-started', 'prepare-started', 'prepare-resumed', 'rollback-started', "
    "'item-started')";
// Kinds whose detail depends on the run that wrote it (counts of what that
// run did, the tool's version), not on what it did to the database.
constexpr char kRunDetail[] =
    "('upgrade-done', 'prepare-done', 'rollback-done', 'pivoted', 'bookkeeping-created')";

void ReadBookkeeping(Connection& conn, DatabaseImage* image) {
  const std::string items = conn.BookkeepingTable("items");
  const std::string state = conn.BookkeepingTable("state");
  const std::string events = conn.BookkeepingTable("events");
  image->items = Lines(conn,
                       "SELECT version, major, minor, description, ticket, file, checksum, phase, "
                       "optional, tool_version, error FROM " +
                           items);
  image->state = Lines(conn,
                       "SELECT 'status ' || status, 'release ' || COALESCE(to_release, ''), "
                       "'in flight ' || COALESCE(in_flight, ''), 'error ' || COALESCE(error_item, "
                       "''), error_file, error_line, error_column, error_statement, "
                       "error_sqlstate, error_message, CASE WHEN started_at IS NULL THEN 'never "
                       "started' ELSE 'started' END, CASE WHEN prepared_at IS NULL THEN '' ELSE "
                       "'prepared' END, CASE WHEN finalized_at IS NULL THEN '' ELSE 'finalized' "
                       "END, 'pivoted ' || pivoted FROM " +
                           state);
  Append(&image->events,
         Lines(conn, std::string("SELECT event, COALESCE(version, ''), CASE WHEN event IN ") +
                         kRunDetail + " THEN '' ELSE COALESCE(detail, '') END, 'x' || COUNT(*) " +
                         "FROM " + events + " WHERE event NOT IN " + kRepeatedOnResume +
                         " GROUP BY 1, 2, 3"));
  Append(&image->events,
         Lines(conn,
               "SELECT DISTINCT CASE WHEN event = 'prepare-resumed' THEN 'prepare-started' "
               "ELSE event END, COALESCE(version, ''), 'recorded' FROM " +
                   events + " WHERE event IN " + kRepeatedOnResume));
  Append(&image->events,
         Lines(conn,
               "SELECT 'row of ' || i.version || ' names a run that recorded no event for "
               "it' FROM " +
                   items + " i WHERE NOT EXISTS (SELECT 1 FROM " + events +
                   " e WHERE e.upgrade_id = i.upgrade_id AND ((e.version = i.version AND "
                   "e.event IN ('item-applied', 'item-prepared', 'item-finalized', "
                   "'optional-item-failed')) OR e.event = 'baseline'))"));
}

}  // namespace

std::vector<std::string> ReadCatalog(Connection& conn) {
  DatabaseImage image;
  if (conn.kind() == EngineKind::kPostgres) {
    ReadPostgresCatalog(conn, &image, /*with_rows=*/false);
  } else {
    ReadSqliteCatalog(conn, &image, /*with_rows=*/false);
  }
  std::sort(image.catalog.begin(), image.catalog.end());
  return image.catalog;
}

DatabaseImage TakeImage(Connection& conn) {
  DatabaseImage image;
  if (conn.kind() == EngineKind::kPostgres) {
    ReadPostgresCatalog(conn, &image, /*with_rows=*/true);
  } else {
    ReadSqliteCatalog(conn, &image, /*with_rows=*/true);
  }
  auto has = conn.HasBookkeeping();
  EXPECT_TRUE(has.ok()) << has.status().message();
  if (has.ok() && *has) ReadBookkeeping(conn, &image);
  for (auto* part : {&image.catalog, &image.rows, &image.items, &image.state, &image.events}) {
    std::sort(part->begin(), part->end());
  }
  return image;
}

DatabaseImage TakeImage(const std::string& db) {
  auto target = ParseTarget(db);
  EXPECT_TRUE(target.ok()) << target.status().message();
  if (!target.ok()) return {};
  ConnectOptions options;
  options.create_if_missing = false;
  auto conn = Connect(*target, options);
  EXPECT_TRUE(conn.ok()) << conn.status().message();
  if (!conn.ok()) return {};
  return TakeImage(**conn);
}

std::string DescribeDifference(const DatabaseImage& expected, const DatabaseImage& actual) {
  std::string out;
  auto compare = [&](const char* part, const std::vector<std::string>& want,
                     const std::vector<std::string>& got) {
    std::multiset<std::string> b(got.begin(), got.end());
    for (const std::string& line : want) {
      auto it = b.find(line);
      if (it != b.end()) {
        b.erase(it);
      } else {
        out += std::string(part) + " missing: " + line + "\n";
      }
    }
    for (const std::string& line : b) out += std::string(part) + " extra:   " + line + "\n";
  };
  compare("catalog", expected.catalog, actual.catalog);
  compare("rows", expected.rows, actual.rows);
  compare("items", expected.items, actual.items);
  compare("state", expected.state, actual.state);
  compare("events", expected.events, actual.events);
  return out;
}

}  // namespace ratchet::testing
