// Unit tests of the SQL normalisation behind snapshots, and of telling the
// names an engine makes up from the names a user chose.
#include "sql/sql_text.h"

#include <gtest/gtest.h>

#include "snapshot/snapshot_objects.h"

namespace ratchet {
namespace {

TEST(NormaliseSql, SpacingCaseAndCommentsDoNotMatterButStringsDo) {
  EXPECT_EQ(NormaliseSql("CREATE  INDEX i\n  ON T ( A , \"B\" ) -- why\n", true),
            NormaliseSql("create index i on t(a,b)", true));
  EXPECT_EQ(NormaliseSql("CHECK (price >= 0)", true), "check(price >= 0)");
  EXPECT_NE(NormaliseSql("DEFAULT 'New'", true), NormaliseSql("DEFAULT 'new'", true));
  EXPECT_EQ(NormaliseSql("x /* a\ncomment */ = 'a  b'", false), "x = 'a  b'");
}

TEST(NormaliseSql, WithoutFoldingCaseQuotedNamesStayQuoted) {
  EXPECT_EQ(NormaliseSql("SELECT \"Name\" FROM t", false), "SELECT \"Name\" FROM t");
  EXPECT_EQ(NormaliseSql("0 :: bigint", false), "0::bigint");
}

TEST(TokenizeSql, KeepsOperatorsAndLiteralsWhole) {
  std::vector<SqlToken> tokens = TokenizeSql("a->>'k' >= $$x; y$$");
  ASSERT_EQ(tokens.size(), 5u);
  EXPECT_EQ(tokens[1].text, "->>");
  EXPECT_EQ(tokens[2].kind, SqlToken::Kind::kString);
  EXPECT_EQ(tokens[3].text, ">=");
  EXPECT_EQ(tokens[4].text, "$$x; y$$");
}

TEST(IsGeneratedName, KnowsPostgresAndSqliteNames) {
  EXPECT_TRUE(IsGeneratedName("books_pkey", "books"));
  EXPECT_TRUE(IsGeneratedName("books_title_key1", "books"));
  EXPECT_TRUE(IsGeneratedName("orders_customer_id_fkey", "orders"));
  EXPECT_TRUE(IsGeneratedName("books_price_cents_check", "books"));
  EXPECT_TRUE(IsGeneratedName("sqlite_autoindex_books_1", "books"));
  EXPECT_FALSE(IsGeneratedName("price_positive", "books"));
  EXPECT_FALSE(IsGeneratedName("authors_pkey", "books"));
  EXPECT_FALSE(IsGeneratedName("books_by_title", "books"));
}

}  // namespace
}  // namespace ratchet
