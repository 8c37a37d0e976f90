// The SQL lexer behind directives, section markers and checksums: the parts
// of the scan that run only where a comment or a string begins.
#include "sql/sql_lexer.h"

#include <cctype>

namespace ratchet {
namespace {

bool IsWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// If a dollar-quote opener "$tag$" starts at `pos`, returns its length.
size_t DollarTagLength(std::string_view text, size_t pos) {
  if (pos > 0 && (IsWordChar(text[pos - 1]) || text[pos - 1] == '$')) return 0;
  size_t i = pos + 1;
  if (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) return 0;  // $1
  while (i < text.size() && IsWordChar(text[i])) ++i;
  if (i < text.size() && text[i] == '$') return i - pos + 1;
  return 0;
}

// Returns the end of the quoted string opened at `pos` by `quote`.
size_t EndOfQuoted(std::string_view text, size_t pos, char close, bool backslash_escapes) {
  size_t i = pos + 1;
  while (i < text.size()) {
    char c = text[i];
    if (backslash_escapes && c == '\\') {
      i += 2;
      continue;
    }
    if (c == close) {
      if (close != ']' && i + 1 < text.size() && text[i + 1] == close) {
        i += 2;  // doubled quote inside the string
        continue;
      }
      return i + 1;
    }
    ++i;
  }
  return text.size();
}

}  // namespace

namespace sql_lexer_internal {

size_t EndOfBlockComment(std::string_view text, size_t pos, SqlDialect dialect) {
  if (dialect == SqlDialect::kSqlite) {
    size_t close = text.find("*/", pos + 2);
    return close == std::string_view::npos ? text.size() : close + 2;
  }
  size_t j = pos + 2;
  int depth = 1;
  while (j < text.size() && depth > 0) {
    if (text[j] == '/' && j + 1 < text.size() && text[j + 1] == '*') {
      ++depth;
      j += 2;
    } else if (text[j] == '*' && j + 1 < text.size() && text[j + 1] == '/') {
      --depth;
      j += 2;
    } else {
      ++j;
    }
  }
  return j;
}

size_t EndOfQuotedAt(std::string_view text, size_t i, SqlDialect dialect) {
  char c = text[i];
  if (c == '\'') {
    bool escapes = dialect != SqlDialect::kSqlite && i > 0 &&
                   (text[i - 1] == 'E' || text[i - 1] == 'e') &&
                   (i < 2 || !IsWordChar(text[i - 2]));
    return EndOfQuoted(text, i, '\'', escapes);
  }
  if (c == '"') return EndOfQuoted(text, i, c, false);
  if (dialect == SqlDialect::kPostgres) {
    if (c == '`' || c == '[') return 0;  // ordinary characters to PostgreSQL
  } else {
    if (c == '`') return EndOfQuoted(text, i, c, false);
    if (c == '[') return EndOfQuoted(text, i, ']', false);  // SQLite's [quoted identifier]
    if (dialect == SqlDialect::kSqlite) return 0;           // $name is a parameter
  }
  if (c == '$') {
    size_t tag = DollarTagLength(text, i);
    if (tag == 0) return 0;
    size_t close = text.find(text.substr(i, tag), i + tag);
    return close == std::string_view::npos ? text.size() : close + tag;
  }
  return 0;
}

}  // namespace sql_lexer_internal

bool HasSqlCode(std::string_view text, SqlDialect dialect) {
  bool found = false;
  ScanSql(
      text,
      [&](SqlSegment kind, size_t, size_t) {
        if (kind == SqlSegment::kCode || kind == SqlSegment::kQuoted) found = true;
      },
      dialect);
  return found;
}

}  // namespace ratchet
