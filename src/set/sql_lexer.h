// A small SQL lexer shared by the loader and the checksum: it knows where
// comments, quoted strings and dollar-quoted bodies begin and end, so that a
// directive inside a string is never read as one.
#ifndef RATCHET_SRC_SET_SQL_LEXER_H_
#define RATCHET_SRC_SET_SQL_LEXER_H_

#include <cstddef>
#include <functional>
#include <string_view>

namespace ratchet {

enum class SqlSegment {
  kCode,          // anything that is not one of the below
  kWhitespace,
  kLineComment,   // from "--" to the end of the line, newline excluded
  kBlockComment,  // "/* ... */", nesting as PostgreSQL does
  kQuoted,        // '...', E'...', "...", `...`, [...], $tag$...$tag$
};

// Calls `emit(kind, begin, end)` for consecutive segments covering `text`.
// An unterminated string or comment runs to the end of the text.
void ScanSql(std::string_view text,
             const std::function<void(SqlSegment, size_t, size_t)>& emit);

// Returns true if `text` holds anything besides whitespace and comments.
bool HasSqlCode(std::string_view text);

}  // namespace ratchet

#endif  // RATCHET_SRC_SET_SQL_LEXER_H_
