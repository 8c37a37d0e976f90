// What every engine's statement analysis shares: object names and keys,
// and the names a function or DO body mentions.
#include "engine/statement_effects.h"

#include <fmt/format.h>

#include <cctype>

#include "sql/sql_lexer.h"
#include "sql/sql_text.h"

namespace ratchet {

std::string SchemaKey(const std::string& schema) {
  return schema == "public" || schema == "main" ? "" : schema;
}

std::string ObjectName::Key() const {
  return fmt::format("{}|{}|{}|{}{}", static_cast<int>(space), SchemaKey(schema), table, name,
                     arguments);
}

std::string ObjectName::Describe() const {
  std::string qualified = schema.empty() || SchemaKey(schema).empty() ? name : schema + "." + name;
  std::string owner = schema.empty() || SchemaKey(schema).empty() ? table : schema + "." + table;
  switch (space) {
    case Space::kColumn:
      return fmt::format("column {}.{}", owner, name);
    case Space::kConstraint:
    case Space::kTrigger:
      if (table.empty()) return fmt::format("{} {}", what, name);
      return fmt::format("{} {} on {}", what, name, owner);
    case Space::kFunction:
      return fmt::format("{} {}{}", what, qualified, arguments);
    case Space::kSchema:
    case Space::kExtension:
      return fmt::format("{} {}", what, name);
    default:
      return fmt::format("{} {}", what, qualified);
  }
}

Touches TouchesOfBody(std::string_view text) {
  Touches out;
  for (const SqlToken& token : TokenizeSql(text)) {
    if (token.Is("EXECUTE")) out.all = true;
    if (token.IsName()) {
      out.words.insert(AsciiLower(token.text));
      continue;
    }
    if (token.kind != SqlToken::Kind::kString) continue;
    // A name in a literal ('orders' in a catalog lookup) counts as well.
    std::string word;
    for (char c : token.text + " ") {
      if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
        word.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
      } else if (!word.empty()) {
        out.words.insert(word);
        word.clear();
      }
    }
  }
  if (out.words.count("execute")) out.all = true;  // dynamic SQL quoted inside the body
  return out;
}

}  // namespace ratchet
