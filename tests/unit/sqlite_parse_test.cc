// SQLite script splitting: statement spans and their classification.
#include "engine/sqlite/sqlite_parse.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ratchet::sqlite {
namespace {

// The text of each statement of `script`; fails the test if splitting fails.
std::vector<std::string> Split(const std::string& script, std::vector<Statement>* out) {
  Status status = SplitScript(script, out);
  EXPECT_TRUE(status.ok()) << status.message();
  std::vector<std::string> texts;
  for (const Statement& s : *out) texts.push_back(script.substr(s.offset, s.length));
  return texts;
}

TEST(SqliteSplit, KeepsTriggerBodyInOneStatement) {
  const std::string trigger =
      "CREATE TRIGGER t_log AFTER INSERT ON t BEGIN\n"
      "  INSERT INTO log VALUES (new.a);\n"
      "  UPDATE log SET n = n + 1;\n"
      "END;";
  const std::string script =
      "CREATE TABLE t (a int);\n" + trigger + "\nINSERT INTO t VALUES (1);\n";
  std::vector<Statement> statements;
  std::vector<std::string> texts = Split(script, &statements);
  EXPECT_EQ(texts, (std::vector<std::string>{"CREATE TABLE t (a int);", trigger,
                                             "INSERT INTO t VALUES (1);"}));
  ASSERT_EQ(statements.size(), 3u);
  EXPECT_FALSE(statements[1].transaction_control);
  EXPECT_FALSE(statements[1].non_transactional);
  EXPECT_EQ(statements[1].node, "CREATE");
}

TEST(SqliteSplit, DoesNotSplitAtSemicolonsInStringsAndComments) {
  const std::string script =
      "INSERT INTO t VALUES ('a;b', \"c;d\"); -- e;f\n"
      "/* g;h */ SELECT `i;j` FROM t;";
  std::vector<Statement> statements;
  std::vector<std::string> texts = Split(script, &statements);
  EXPECT_EQ(texts, (std::vector<std::string>{"INSERT INTO t VALUES ('a;b', \"c;d\");",
                                             "SELECT `i;j` FROM t;"}));
}

TEST(SqliteSplit, DoesNotSplitInsideBracketIdentifierHoldingDashes) {
  const std::string script = "CREATE TABLE t ([a--b] int);\nVACUUM;\n";
  std::vector<Statement> statements;
  std::vector<std::string> texts = Split(script, &statements);
  EXPECT_EQ(texts, (std::vector<std::string>{"CREATE TABLE t ([a--b] int);", "VACUUM;"}));
  ASSERT_EQ(statements.size(), 2u);
  EXPECT_TRUE(statements[1].non_transactional);
}

TEST(SqliteSplit, OffsetsPointAtFirstCharacterOfEachStatement) {
  const std::string script = "  SELECT 1;\n\n-- two\n\tSELECT 2;SELECT 3;\n/* last */ SELECT 4";
  std::vector<Statement> statements;
  std::vector<std::string> texts = Split(script, &statements);
  ASSERT_EQ(statements.size(), 4u);
  EXPECT_EQ(statements[0].offset, 2u);
  EXPECT_EQ(statements[1].offset, script.find("SELECT 2"));
  EXPECT_EQ(statements[2].offset, script.find("SELECT 3"));
  EXPECT_EQ(statements[3].offset, script.find("SELECT 4"));
  // A last statement without ';' runs to the end of the text.
  EXPECT_EQ(texts[3], "SELECT 4");
  EXPECT_EQ(texts[0], "SELECT 1;");
}

TEST(SqliteSplit, SkipsEmptyStatements) {
  std::vector<Statement> statements;
  std::vector<std::string> texts = Split(";; SELECT 1;;\n;", &statements);
  EXPECT_EQ(texts, (std::vector<std::string>{"SELECT 1;"}));
}

TEST(SqliteSplit, ReturnsNoStatementsForCommentsOnly) {
  std::vector<Statement> statements{Statement{}};
  EXPECT_TRUE(SplitScript("-- nothing\n/* here */\n", &statements).ok());
  EXPECT_TRUE(statements.empty());
}

TEST(SqliteSplit, ClassifiesVacuumAsNonTransactional) {
  std::vector<Statement> statements;
  Split("DELETE FROM t;\nvacuum;\n", &statements);
  ASSERT_EQ(statements.size(), 2u);
  EXPECT_FALSE(statements[0].non_transactional);
  EXPECT_TRUE(statements[1].non_transactional);
  EXPECT_FALSE(statements[1].transaction_control);
  EXPECT_EQ(statements[1].node, "VACUUM");
}

TEST(SqliteSplit, ClassifiesTransactionControl) {
  std::vector<Statement> statements;
  Split(
      "BEGIN TRANSACTION;\nSAVEPOINT sp;\nINSERT INTO t VALUES (1);\nRELEASE sp;\n"
      "ROLLBACK TO sp;\nCOMMIT;\nEND;\n",
      &statements);
  ASSERT_EQ(statements.size(), 7u);
  std::vector<bool> control;
  for (const Statement& s : statements) control.push_back(s.transaction_control);
  EXPECT_EQ(control, (std::vector<bool>{true, true, false, true, true, true, true}));
  EXPECT_EQ(statements[0].node, "BEGIN");
  EXPECT_EQ(statements[5].node, "COMMIT");
}

TEST(SqliteSplit, RejectsTriggerWithoutEnd) {
  const std::string script =
      "CREATE TABLE t (a int);\n"
      "CREATE TRIGGER t_log AFTER INSERT ON t BEGIN\n"
      "  INSERT INTO log VALUES (new.a);\n";
  std::vector<Statement> statements;
  Status status = SplitScript(script, &statements);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), Code::kInvalidSet);
  EXPECT_NE(status.message().find("incomplete"), std::string::npos) << status.message();
  ASSERT_NE(status.db_error(), nullptr);
  EXPECT_EQ(status.db_error()->statement_offset, script.find("CREATE TRIGGER"));
}

TEST(SqliteSplit, RejectsUnterminatedString) {
  std::vector<Statement> statements;
  Status status = SplitScript("SELECT 1;\nINSERT INTO t VALUES ('abc);\n", &statements);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), Code::kInvalidSet);
  ASSERT_NE(status.db_error(), nullptr);
  EXPECT_EQ(status.db_error()->statement_offset, 10u);
}

// Every semicolon of a long trigger body is looked at once: a body of
// 30,000 statements and a trigger header followed by 100,000 semicolons
// split in one pass (each took tens of seconds when every semicolon
// rescanned the statement so far).
TEST(SqliteSplit, SplitsLongTriggerBodiesInOnePass) {
  std::string body = "CREATE TRIGGER t_log AFTER INSERT ON t BEGIN\n";
  for (int i = 0; i < 30000; ++i) body += "  INSERT INTO log VALUES (new.a);\n";
  body += "END;";
  std::vector<Statement> statements;
  std::vector<std::string> texts = Split(body + "\nSELECT 1;", &statements);
  ASSERT_EQ(texts.size(), 2u);
  EXPECT_EQ(texts[0], body);
  EXPECT_EQ(texts[1], "SELECT 1;");

  std::string semicolons = "CREATE TRIGGER a" + std::string(100000, ';');
  Status status = SplitScript(semicolons, &statements);
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.code(), Code::kInvalidSet);
  EXPECT_NE(status.message().find("the last statement is incomplete"), std::string::npos);
}

// Splitting follows SQLite's own reading: block comments do not nest, so
// the statement after "/* /* */" is found and runs.
TEST(SqliteSplit, FindsTheStatementAfterACommentThatLooksNested) {
  std::vector<Statement> statements;
  std::vector<std::string> texts =
      Split("/* /* */ CREATE TABLE hidden (y int); -- */\n", &statements);
  EXPECT_EQ(texts, (std::vector<std::string>{"CREATE TABLE hidden (y int);"}));
}

// For random scripts, the statements the splitter finds are those SQLite
// runs: sqlite3_prepare_v2 stepping through the same text by its tails
// ends each statement where the splitter does.
TEST(SqliteSplit, EndsStatementsWhereSqliteDoesForRandomScripts) {
  const char* const kPieces[] = {"SELECT 1",  ";",        " ",       "\n",     "/*",
                                 "*/",        "--",       "'",       "\"",     "[",
                                 "]",         "`",        "/* ; */", "-- ;\n", "SELECT 'a;b'",
                                 " AS [a;b]", " AS `c;`", "$a$",     "E'\\'",  " AS \"d;\""};
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
  uint32_t seed = 12345;
  auto next = [&] { return (seed = seed * 1103515245u + 12345u) >> 8; };
  int compared = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string script;
    int pieces = 1 + static_cast<int>(next() % 10);
    for (int k = 0; k < pieces; ++k)
      script += kPieces[next() % (sizeof(kPieces) / sizeof(*kPieces))];
    std::vector<Statement> ours;
    if (!SplitScript(script, &ours).ok()) continue;
    std::vector<size_t> theirs;
    const char* cursor = script.c_str();
    bool prepared = true;
    while (*cursor != '\0') {
      sqlite3_stmt* stmt = nullptr;
      const char* tail = nullptr;
      if (sqlite3_prepare_v2(db, cursor, -1, &stmt, &tail) != SQLITE_OK) {
        prepared = false;  // a syntax error: nothing to compare
        break;
      }
      if (stmt != nullptr) theirs.push_back(static_cast<size_t>(tail - script.c_str()));
      sqlite3_finalize(stmt);
      if (tail == cursor) break;
      cursor = tail;
    }
    if (!prepared) continue;
    std::vector<size_t> mine;
    for (const Statement& s : ours) mine.push_back(s.offset + s.length);
    EXPECT_EQ(mine, theirs) << "script: " << script;
    ++compared;
  }
  sqlite3_close(db);
  EXPECT_GT(compared, 1000);
}

}  // namespace
}  // namespace ratchet::sqlite
