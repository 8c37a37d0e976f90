// The SQL lexer: which segments it reports, and that they cover the text.
#include "sql/sql_lexer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ratchet {
namespace {

// Each segment as "<kind>:<text>".
std::vector<std::string> Segments(std::string_view text, SqlDialect dialect = SqlDialect::kAny) {
  static const char* const kNames[] = {"code", "ws", "line", "block", "quoted"};
  std::vector<std::string> out;
  size_t covered = 0;
  ScanSql(
      text,
      [&](SqlSegment kind, size_t begin, size_t end) {
        EXPECT_EQ(begin, covered) << "segments must be consecutive";
        covered = end;
        out.push_back(std::string(kNames[static_cast<int>(kind)]) + ":" +
                      std::string(text.substr(begin, end - begin)));
      },
      dialect);
  EXPECT_EQ(covered, text.size()) << "segments must cover the text";
  return out;
}

using Names = std::vector<std::string>;

TEST(SqlLexer, SplitsCodeBlanksAndComments) {
  EXPECT_EQ(Segments("SELECT 1; -- done\n/* a /* nested */ b */x"),
            (Names{"code:SELECT", "ws: ", "code:1;", "ws: ", "line:-- done", "ws:\n",
                   "block:/* a /* nested */ b */", "code:x"}));
}

TEST(SqlLexer, QuotedTextHidesCommentsAndDirectives) {
  EXPECT_EQ(Segments("'-- ratchet: optional' \"a\"\"b\" `c` [d e]"),
            (Names{"quoted:'-- ratchet: optional'", "ws: ", "quoted:\"a\"\"b\"",
                   "ws: ", "quoted:`c`", "ws: ", "quoted:[d e]"}));
}

TEST(SqlLexer, EscapeStringKeepsItsPrefixWithTheCode) {
  EXPECT_EQ(Segments("x=E'it\\'s'"), (Names{"code:x=E", "quoted:'it\\'s'"}));
  // Without the E prefix a backslash is an ordinary character.
  EXPECT_EQ(Segments("e2'a\\'"), (Names{"code:e2", "quoted:'a\\'"}));
}

TEST(SqlLexer, DollarQuotesNeedATagAndNotAParameter) {
  EXPECT_EQ(Segments("AS $fn$ -- no $x$ $fn$ $1"),
            (Names{"code:AS", "ws: ", "quoted:$fn$ -- no $x$ $fn$", "ws: ", "code:$1"}));
  EXPECT_EQ(Segments("a$b$c"), (Names{"code:a$b$c"}));
}

TEST(SqlLexer, UnterminatedStringOrCommentRunsToTheEnd) {
  EXPECT_EQ(Segments("x 'open"), (Names{"code:x", "ws: ", "quoted:'open"}));
  EXPECT_EQ(Segments("/* open"), (Names{"block:/* open"}));
  EXPECT_EQ(Segments("$$ body"), (Names{"quoted:$$ body"}));
}

TEST(SqlLexer, HasSqlCodeIgnoresBlanksAndComments) {
  EXPECT_FALSE(HasSqlCode(" -- c\n/* d */\t"));
  EXPECT_TRUE(HasSqlCode("-- c\n''"));
  EXPECT_TRUE(HasSqlCode("x"));
}

// SQLite's block comments do not nest: what looks nested to PostgreSQL is
// code to SQLite, and runs.
TEST(SqlLexer, SqliteBlockCommentsEndAtTheFirstClose) {
  const char* text = "/* /* */ CREATE TABLE hidden (y int); -- */";
  EXPECT_EQ(Segments(text, SqlDialect::kSqlite),
            (Names{"block:/* /* */", "ws: ", "code:CREATE", "ws: ", "code:TABLE", "ws: ",
                   "code:hidden", "ws: ", "code:(y", "ws: ", "code:int);", "ws: ", "line:-- */"}));
  EXPECT_EQ(Segments(text, SqlDialect::kPostgres),
            (Names{"block:/* /* */ CREATE TABLE hidden (y int); -- */"}));
  EXPECT_TRUE(HasSqlCode(text, SqlDialect::kSqlite));
  EXPECT_FALSE(HasSqlCode(text, SqlDialect::kPostgres));
}

// To PostgreSQL, [ and ` are ordinary characters: a comment inside an
// array subscript is a comment.
TEST(SqlLexer, PostgresHasNoBracketOrBacktickQuoting) {
  EXPECT_EQ(Segments("SELECT (ARRAY[1,2])[1 -- ] /*\n]", SqlDialect::kPostgres),
            (Names{"code:SELECT", "ws: ", "code:(ARRAY[1,2])[1", "ws: ", "line:-- ] /*", "ws:\n",
                   "code:]"}));
  EXPECT_EQ(Segments("a `-- b`", SqlDialect::kPostgres),
            (Names{"code:a", "ws: ", "code:`", "line:-- b`"}));
  EXPECT_EQ(Segments("a `-- b` [c -- d]", SqlDialect::kSqlite),
            (Names{"code:a", "ws: ", "quoted:`-- b`", "ws: ", "quoted:[c -- d]"}));
}

TEST(SqlLexer, SqliteHasNoEscapeStringsOrDollarQuotes) {
  EXPECT_EQ(Segments("x=E'a\\' -- c", SqlDialect::kSqlite),
            (Names{"code:x=E", "quoted:'a\\'", "ws: ", "line:-- c"}));
  EXPECT_EQ(Segments("x=E'a\\' -- c'", SqlDialect::kPostgres),
            (Names{"code:x=E", "quoted:'a\\' -- c'"}));
  EXPECT_EQ(Segments("SELECT $a$ -- $a$", SqlDialect::kSqlite),
            (Names{"code:SELECT", "ws: ", "code:$a$", "ws: ", "line:-- $a$"}));
}

}  // namespace
}  // namespace ratchet
