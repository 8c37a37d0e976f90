// The index name of a concurrent index build, from libpg_query's parse tree.
#include "engine/postgres/pg_index.h"

#include <pg_query.h>

#include <nlohmann/json.hpp>

#include "engine/postgres/pg_tree.h"

namespace ratchet::postgres {
namespace {

std::string QuoteIdentifier(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string ConcurrentIndexName(std::string_view statement) {
  std::string text(statement);
  PgQueryParseResult result = ParseTree(text);
  std::string name;
  if (!result.error && JsonDepth(result.parse_tree) <= kMaxAnalysedDepth) {
    try {
      auto tree = nlohmann::json::parse(result.parse_tree);
      const auto& stmts = tree.at("stmts");
      if (stmts.size() == 1 && stmts[0].at("stmt").contains("IndexStmt")) {
        const auto& index = stmts[0]["stmt"]["IndexStmt"];
        if (index.value("concurrent", false) && index.contains("idxname")) {
          name = QuoteIdentifier(index["idxname"].get<std::string>());
          const auto& relation = index.value("relation", nlohmann::json::object());
          if (relation.contains("schemaname")) {
            name = QuoteIdentifier(relation["schemaname"].get<std::string>()) + "." + name;
          }
        }
      }
    } catch (const nlohmann::json::exception&) {
      name.clear();
    }
  }
  pg_query_free_parse_result(result);
  return name;
}

}  // namespace ratchet::postgres
