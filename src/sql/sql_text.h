// SQL text as tokens: normalising stored definitions so that two databases
// whose objects were written with different spacing, case or comments
// compare equal, and reading the names out of a statement.
#ifndef RATCHET_SRC_SQL_SQL_TEXT_H_
#define RATCHET_SRC_SQL_SQL_TEXT_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ratchet {

struct SqlToken {
  enum class Kind {
    kWord,         // a keyword, a bare identifier or a number
    kIdentifier,   // a quoted identifier: "x", `x` or [x]; text is unquoted
    kString,       // a string literal, verbatim with its quotes ('x', $$x$$)
    kPunctuation,  // an operator or punctuation: ( ) , ; . >= ...
  };
  Kind kind = Kind::kWord;
  std::string text;
  size_t offset = 0;  // byte offset in the text it came from
  size_t end = 0;     // byte offset just past it

  // True for a word equal to `upper_keyword` regardless of case.
  bool Is(std::string_view upper_keyword) const;
  // A word or quoted identifier: something that may name an object.
  bool IsName() const { return kind == Kind::kWord || kind == Kind::kIdentifier; }
};

// Splits `text` into tokens; whitespace and comments are dropped.
std::vector<SqlToken> TokenizeSql(std::string_view text);

// The tokens [begin, end) written back as one line with single spaces, no
// space inside parentheses or before a comma, and no space around a dot.
// With `fold_case`, words and quoted identifiers are lower-cased and quoted
// identifiers unquoted (SQLite, where names are case-insensitive); without
// it they are kept as written (quoted identifiers re-quoted).
std::string JoinTokens(const std::vector<SqlToken>& tokens, size_t begin, size_t end,
                       bool fold_case);

// TokenizeSql followed by JoinTokens over every token.
std::string NormaliseSql(std::string_view text, bool fold_case);

// Lower-cases, or upper-cases, ASCII letters.
std::string AsciiLower(std::string_view text);
std::string AsciiUpper(std::string_view text);

// `identifier` as SQL names it: as it is when it is a plain lower-case
// name, else in double quotes with inner quotes doubled.
std::string QuoteNameIfNeeded(const std::string& identifier);

}  // namespace ratchet

#endif  // RATCHET_SRC_SQL_SQL_TEXT_H_
