// A small SQL lexer shared by the loader, the checksum and the SQLite
// splitter: it knows where comments, quoted strings and dollar-quoted bodies
// begin and end, so that a directive inside a string is never read as one.
// Each engine reads comments and quotes by rules of its own; the dialect says
// whose rules a scan follows.
#ifndef RATCHET_SRC_SQL_SQL_LEXER_H_
#define RATCHET_SRC_SQL_SQL_LEXER_H_

#include <cstddef>
#include <string_view>

namespace ratchet {

enum class SqlSegment {
  kCode,  // anything that is not one of the below
  kWhitespace,
  kLineComment,   // from "--" to the end of the line, newline excluded
  kBlockComment,  // "/* ... */", nesting as PostgreSQL does
  kQuoted,        // '...', E'...', "...", `...`, [...], $tag$...$tag$
};

// Whose rules a scan follows.
//   kAny:      the union ratchet's loader has always used, for files that
//              serve every engine: nested block comments, '...' with E''
//              escapes, "...", `...`, [...] and $tag$...$tag$.
//   kPostgres: PostgreSQL's: nested block comments, E'' escapes, "..." and
//              $tag$ bodies; `[` and `` ` `` are ordinary characters.
//   kSqlite:   SQLite's: block comments do not nest, no escapes in '...',
//              "...", `...` and [...] quote identifiers; `$` starts a
//              parameter, never a quoted body.
enum class SqlDialect { kAny, kPostgres, kSqlite };

namespace sql_lexer_internal {

// SQL's blanks, whatever the C locale says about other bytes. SQLite's
// tokenizer takes a vertical tab for an illegal character, not a blank (and
// sqlite3_complete for part of a statement), so its dialect does too.
inline bool IsBlank(char c, SqlDialect dialect = SqlDialect::kAny) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
         (c == '\v' && dialect != SqlDialect::kSqlite);
}

// Returns the end of the block comment opened at `pos`.
size_t EndOfBlockComment(std::string_view text, size_t pos, SqlDialect dialect);

// If a quoted string or dollar-quoted body starts at `pos`, returns its end;
// else 0.
size_t EndOfQuotedAt(std::string_view text, size_t pos, SqlDialect dialect);

}  // namespace sql_lexer_internal

// Calls `emit(kind, begin, end)` for consecutive segments covering `text`.
// An unterminated string or comment runs to the end of the text.
// `emit` is a template parameter so that the scan, run for every item file
// on every command, calls it directly rather than through a std::function.
template <typename Emit>
void ScanSql(std::string_view text, Emit&& emit, SqlDialect dialect = SqlDialect::kAny) {
  using sql_lexer_internal::IsBlank;
  size_t i = 0;
  size_t code_start = std::string_view::npos;
  auto flush_code = [&](size_t end) {
    if (code_start != std::string_view::npos && end > code_start) {
      emit(SqlSegment::kCode, code_start, end);
    }
    code_start = std::string_view::npos;
  };
  while (i < text.size()) {
    char c = text[i];
    char next = i + 1 < text.size() ? text[i + 1] : '\0';
    if (IsBlank(c, dialect)) {
      flush_code(i);
      size_t j = i;
      while (j < text.size() && IsBlank(text[j], dialect)) ++j;
      emit(SqlSegment::kWhitespace, i, j);
      i = j;
      continue;
    }
    if (c == '-' && next == '-') {
      flush_code(i);
      size_t j = text.find('\n', i);
      if (j == std::string_view::npos) j = text.size();
      emit(SqlSegment::kLineComment, i, j);
      i = j;
      continue;
    }
    if (c == '/' && next == '*') {
      flush_code(i);
      size_t j = sql_lexer_internal::EndOfBlockComment(text, i, dialect);
      emit(SqlSegment::kBlockComment, i, j);
      i = j;
      continue;
    }
    size_t end = 0;
    if (c == '\'' || c == '"' || c == '`' || c == '[' || c == '$') {
      end = sql_lexer_internal::EndOfQuotedAt(text, i, dialect);
    }
    if (end > 0) {
      // An E prefix belongs to the string; keep it with the code before it.
      flush_code(i);
      emit(SqlSegment::kQuoted, i, end);
      i = end;
      continue;
    }
    if (code_start == std::string_view::npos) code_start = i;
    ++i;
  }
  flush_code(text.size());
}

// Returns true if `text` holds anything besides whitespace and comments.
bool HasSqlCode(std::string_view text, SqlDialect dialect = SqlDialect::kAny);

}  // namespace ratchet

#endif  // RATCHET_SRC_SQL_SQL_LEXER_H_
