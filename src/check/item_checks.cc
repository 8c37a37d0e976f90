// The item checks family: each pending item's check section, run against the
// database as it is; every row a check query returns is a problem.
#include <fmt/format.h>

#include "check/check_context.h"

namespace ratchet {
namespace {

// The statement on one line, shortened for a message.
std::string OneLine(const std::string& sql) {
  std::string out;
  bool space = false;
  for (char c : sql) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out.size() > 200 ? out.substr(0, 197) + "..." : out;
}

std::string FormatRow(const QueryResult& result, const Row& row) {
  std::string out;
  for (size_t i = 0; i < row.size(); ++i) {
    std::string column = i < result.columns.size() ? result.columns[i] : "?";
    out += fmt::format("{}{}={}", i == 0 ? "" : ", ", column, row[i].value_or("NULL"));
  }
  return out;
}

}  // namespace

Status CheckItemQueries(CheckContext& c) {
  for (const Item* item : c.items) {
    const Section* section = item->section(SectionKind::kCheck);
    if (section == nullptr) continue;
    for (const Statement& statement : section->statements) {
      std::string sql = section->text.substr(statement.offset, statement.length);
      std::string where = item->Position(section->offset + statement.offset);
      std::string version = item->version.ToString();
      auto result = c.Query(sql);
      if (!result.ok()) {
        std::string message = fmt::format("the check query failed: {}", result.status().message());
        std::vector<std::string> details = {"query: " + OneLine(sql)};
        if (result.status().message().find("read-only") != std::string::npos ||
            result.status().message().find("READONLY") != std::string::npos ||
            result.status().message().find("readonly") != std::string::npos) {
          details.push_back(
              "a check section only reads: it runs in a read-only transaction before anything "
              "changes; move what it writes to the prepare or finalize section");
        } else {
          details.push_back(
              "check queries run against the database as it is now, before any pending item");
        }
        c.Add(Severity::kProblem, version, where, message, details);
        continue;
      }
      if (result->rows.empty()) continue;
      std::vector<std::string> details = {"query: " + OneLine(sql)};
      for (size_t i = 0; i < result->rows.size() && i < c.options.rows_shown; ++i) {
        details.push_back("row: " + FormatRow(*result, result->rows[i]));
      }
      if (result->rows.size() > c.options.rows_shown) {
        details.push_back(
            fmt::format("... and {} more row(s)", result->rows.size() - c.options.rows_shown));
      }
      c.Add(Severity::kProblem, version, where,
            fmt::format("the item's check found {} row(s): fix them before upgrading",
                        result->rows.size()),
            details);
    }
  }
  return Status::Ok();
}

}  // namespace ratchet
