// The rewrites and locks family: work on existing tables that holds a lock
// blocking their writers (rewrites, full scans, index builds), with each
// table's size and the free disk room a rewrite needs where it can be known.
#include <fmt/format.h>
#include <sys/statvfs.h>

#include <filesystem>
#include <regex>

#include "check/check_context.h"

namespace ratchet {
namespace {

namespace fs = std::filesystem;

struct TableFacts {
  std::string oid;         // PostgreSQL
  std::string tablespace;  // PostgreSQL: pg_class.reltablespace, "0" for the default
  int64_t bytes = -1;      // table, indexes and TOAST; -1 when unknown
};

// Free bytes on the file system holding `path`, or -1.
int64_t FreeBytes(const std::string& path) {
  struct statvfs fs_info {};
  if (path.empty() || statvfs(path.c_str(), &fs_info) != 0) return -1;
  return static_cast<int64_t>(fs_info.f_bavail) * static_cast<int64_t>(fs_info.f_frsize);
}

Result<std::optional<TableFacts>> PostgresTable(CheckContext& c, const TableWork& work) {
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

Result<std::optional<TableFacts>> SqliteTable(CheckContext& c, const TableWork& work) {
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

// Whether the catalog shows that `work` will not rewrite or scan after all.
Result<bool> PostgresAvoids(CheckContext& c, const TableWork& work, const TableFacts& facts) {
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
Result<std::string> PostgresDataPath(CheckContext& c, const TableFacts& facts) {
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

Result<std::string> SqliteDataPath(CheckContext& c) {
  auto r = c.Query("SELECT file FROM pragma_database_list WHERE name = 'main'");
  if (!r.ok() || r->rows.empty()) return std::string();
  return fs::path(r->rows[0][0].value_or("")).parent_path().string();
}

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

Status CheckRewritesAndLocks(CheckContext& c) {
  EffectsWalk walk;
  for (const PlannedStatement& s : c.statements) {
    for (const TableWork& work : walk.Next(s.effects)) {
      auto facts = c.postgres() ? PostgresTable(c, work) : SqliteTable(c, work);
      if (!facts.ok()) return facts.status();
      if (!facts->has_value()) continue;  // not there yet: new, or the statement fails anyway
      const TableFacts& table = **facts;
      if (c.postgres()) {
        auto avoided = PostgresAvoids(c, work, table);
        if (!avoided.ok()) return avoided.status();
        if (*avoided) continue;
      }
      if (table.bytes >= 0 && table.bytes < c.options.min_table_bytes) continue;

      std::string message = DescribeWork(work, HumanBytes(table.bytes));
      std::vector<std::string> details;
      Severity severity = Severity::kWarning;
      if (work.kind == TableWork::Kind::kRewrite && table.bytes >= 0) {
        // The new copy is written before the old one goes; SQLite's journal
        // keeps the old pages, and VACUUM builds a whole copy besides.
        int64_t needed = work.whole_database ? 2 * table.bytes : table.bytes;
        auto path = c.postgres() ? PostgresDataPath(c, table) : SqliteDataPath(c);
        if (!path.ok()) return path.status();
        int64_t free = FreeBytes(*path);
        if (free < 0) {
          details.push_back(
              fmt::format("needs about {} of free disk on the server (the free "
                          "room cannot be seen from here)",
                          HumanBytes(needed)));
        } else if (needed > free) {
          severity = Severity::kProblem;
          details.push_back(
              fmt::format("needs about {} of free disk, and {} has only {}: "
                          "make room first",
                          HumanBytes(needed), *path, HumanBytes(free)));
        } else {
          details.push_back(fmt::format("needs about {} of free disk; {} has {}",
                                        HumanBytes(needed), *path, HumanBytes(free)));
        }
      }
      std::string advice = WorkAdvice(work);
      if (!advice.empty()) details.push_back(advice);
      c.Add(severity, s.item->version.ToString(), s.Where(), message, details);
    }
  }
  return Status::Ok();
}

}  // namespace ratchet
