// The SQL lexer: which segments it reports, and that they cover the text.
#include "set/sql_lexer.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace ratchet {
namespace {

// Each segment as "<kind>:<text>".
std::vector<std::string> Segments(std::string_view text) {
  static const char* const kNames[] = {"code", "ws", "line", "block", "quoted"};
  std::vector<std::string> out;
  size_t covered = 0;
  ScanSql(text, [&](SqlSegment kind, size_t begin, size_t end) {
    EXPECT_EQ(begin, covered) << "segments must be consecutive";
    covered = end;
    out.push_back(std::string(kNames[static_cast<int>(kind)]) + ":" +
                  std::string(text.substr(begin, end - begin)));
  });
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
            (Names{"quoted:'-- ratchet: optional'", "ws: ", "quoted:\"a\"\"b\"", "ws: ",
                   "quoted:`c`", "ws: ", "quoted:[d e]"}));
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

}  // namespace
}  // namespace ratchet
