// Tests of splitting and classifying PostgreSQL scripts with libpg_query.
#include "engine/postgres/pg_parse.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/engine_driver.h"

namespace ratchet::postgres {
namespace {

std::vector<std::string> Texts(std::string_view script, const std::vector<Statement>& statements) {
  std::vector<std::string> texts;
  for (const Statement& s : statements) texts.emplace_back(script.substr(s.offset, s.length));
  return texts;
}

std::vector<Statement> MustSplit(std::string_view script) {
  std::vector<Statement> statements;
  Status status = SplitScript(script, &statements);
  EXPECT_TRUE(status.ok()) << status.message();
  return statements;
}

TEST(PostgresSplit, EmptyOrCommentOnlyTextHasNoStatements) {
  EXPECT_TRUE(MustSplit("").empty());
  EXPECT_TRUE(MustSplit("  \n-- nothing here\n/* nor /* nested */ here */\n;;\n").empty());
}

TEST(PostgresSplit, OffsetsPointAtEachStatementsFirstToken) {
  std::string script =
      "-- ratchet: requires V1\n"
      "CREATE TABLE a (id int);  /* a comment; with a semicolon */\n"
      "  -- the second one\n"
      "  INSERT INTO a VALUES (1)\n";
  std::vector<Statement> statements = MustSplit(script);
  EXPECT_EQ(Texts(script, statements),
            (std::vector<std::string>{"CREATE TABLE a (id int)", "INSERT INTO a VALUES (1)"}));
  EXPECT_EQ(statements[0].node, "CreateStmt");
  EXPECT_EQ(statements[1].node, "InsertStmt");
  EXPECT_EQ(statements[0].offset, script.find("CREATE"));
}

TEST(PostgresSplit, KeepsDollarQuotedBodyWhole) {
  std::string function =
      "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $body$\n"
      "BEGIN\n"
      "  NEW.updated := now(); -- a semicolon; and $$ inside\n"
      "  RETURN NEW;\n"
      "END\n"
      "$body$";
  std::string script = function + ";\nSELECT $$a;b$$, $tag$ ; $$ ; $tag$;\n";
  std::vector<Statement> statements = MustSplit(script);
  ASSERT_EQ(statements.size(), 2u);
  EXPECT_EQ(Texts(script, statements)[0], function);
  EXPECT_EQ(statements[0].node, "CreateFunctionStmt");
  EXPECT_EQ(Texts(script, statements)[1], "SELECT $$a;b$$, $tag$ ; $$ ; $tag$");
}

TEST(PostgresSplit, KeepsDoBlockWhole) {
  std::string block =
      "DO $$\nDECLARE n int;\nBEGIN\n  SELECT count(*) INTO n FROM pg_class;\n"
      "  RAISE NOTICE 'n=%; done', n;\nEND\n$$";
  std::string script = block + ";\nDO LANGUAGE plpgsql 'BEGIN PERFORM 1; END';";
  std::vector<Statement> statements = MustSplit(script);
  ASSERT_EQ(statements.size(), 2u);
  EXPECT_EQ(Texts(script, statements)[0], block);
  EXPECT_EQ(statements[0].node, "DoStmt");
  EXPECT_EQ(Texts(script, statements)[1], "DO LANGUAGE plpgsql 'BEGIN PERFORM 1; END'");
}

TEST(PostgresSplit, KeepsSemicolonsInsideStringsAndIdentifiers) {
  std::string script =
      "SELECT 'a;b', E'it\\'s; fine', U&'d\\0061t;a', \"odd;name\" FROM t;\n"
      "SELECT 'it''s; also fine';";
  std::vector<Statement> statements = MustSplit(script);
  EXPECT_EQ(Texts(script, statements),
            (std::vector<std::string>{
                "SELECT 'a;b', E'it\\'s; fine', U&'d\\0061t;a', \"odd;name\" FROM t",
                "SELECT 'it''s; also fine'"}));
}

TEST(PostgresSplit, MarksEachNonTransactionalKind) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"CREATE INDEX CONCURRENTLY i ON t (a)", "IndexStmt"},
      {"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a)", "IndexStmt"},
      {"DROP INDEX CONCURRENTLY i", "DropStmt"},
      {"REINDEX INDEX CONCURRENTLY i", "ReindexStmt"},
      {"REINDEX (VERBOSE) TABLE CONCURRENTLY t", "ReindexStmt"},
      {"REINDEX DATABASE shop", "ReindexStmt"},
      {"VACUUM t", "VacuumStmt"},
      {"VACUUM (ANALYZE) t", "VacuumStmt"},
      {"CREATE DATABASE d", "CreatedbStmt"},
      {"DROP DATABASE d", "DropdbStmt"},
      {"ALTER SYSTEM SET work_mem = '64MB'", "AlterSystemStmt"},
      {"CREATE TABLESPACE s LOCATION '/srv/s'", "CreateTableSpaceStmt"},
      {"DROP TABLESPACE s", "DropTableSpaceStmt"},
  };
  for (const auto& [sql, node] : cases) {
    std::vector<Statement> statements = MustSplit(sql + ";");
    ASSERT_EQ(statements.size(), 1u) << sql;
    EXPECT_TRUE(statements[0].non_transactional) << sql;
    EXPECT_FALSE(statements[0].transaction_control) << sql;
    EXPECT_EQ(statements[0].node, node) << sql;
  }
}

TEST(PostgresSplit, LeavesTransactionalStatementsTransactional) {
  for (const char* sql : {"ANALYZE t", "CREATE INDEX i ON t (a)", "DROP INDEX i", "REINDEX TABLE t",
                          "ALTER TYPE mood ADD VALUE 'meh'", "CREATE TABLE t (a int)",
                          "ALTER DATABASE d SET x = 1", "SELECT 'VACUUM'", "CLUSTER t USING i"}) {
    std::vector<Statement> statements = MustSplit(sql);
    ASSERT_EQ(statements.size(), 1u) << sql;
    EXPECT_FALSE(statements[0].non_transactional) << sql;
    EXPECT_FALSE(statements[0].transaction_control) << sql;
  }
}

TEST(PostgresSplit, MarksTransactionControl) {
  std::string script =
      "BEGIN; SAVEPOINT s; ROLLBACK TO SAVEPOINT s; RELEASE s; COMMIT; START TRANSACTION; "
      "ROLLBACK; SELECT 1;";
  std::vector<Statement> statements = MustSplit(script);
  ASSERT_EQ(statements.size(), 8u);
  for (size_t i = 0; i < 7; ++i) {
    EXPECT_TRUE(statements[i].transaction_control) << Texts(script, statements)[i];
    EXPECT_EQ(statements[i].node, "TransactionStmt");
  }
  EXPECT_FALSE(statements[7].transaction_control);
}

// Every statement kind Classify tells apart, with the field it reads, both
// ways where the field decides.
TEST(PostgresSplit, ClassifiesEveryKindByTheNodesOwnFields) {
  struct Case {
    const char* sql;
    const char* node;
    bool non_transactional;
  };
  const std::vector<Case> cases = {
      {"CREATE INDEX CONCURRENTLY i ON t (a)", "IndexStmt", true},
      {"CREATE INDEX i ON t (a) WHERE a > 0", "IndexStmt", false},
      {"DROP INDEX CONCURRENTLY IF EXISTS i", "DropStmt", true},
      {"DROP TABLE t", "DropStmt", false},
      {"REINDEX TABLE CONCURRENTLY t", "ReindexStmt", true},
      {"REINDEX (CONCURRENTLY) INDEX i", "ReindexStmt", true},
      {"REINDEX (VERBOSE) INDEX i", "ReindexStmt", false},
      {"REINDEX SYSTEM shop", "ReindexStmt", true},
      {"REINDEX DATABASE shop", "ReindexStmt", true},
      {"REINDEX SCHEMA s", "ReindexStmt", false},
      {"VACUUM (FULL, ANALYZE) t", "VacuumStmt", true},
      {"ANALYZE t (a)", "VacuumStmt", false},
      {"CREATE DATABASE d", "CreatedbStmt", true},
      {"DROP DATABASE IF EXISTS d", "DropdbStmt", true},
      {"ALTER SYSTEM RESET ALL", "AlterSystemStmt", true},
      {"CREATE TABLESPACE s LOCATION '/srv/s'", "CreateTableSpaceStmt", true},
      {"DROP TABLESPACE s", "DropTableSpaceStmt", true},
      {"CREATE SUBSCRIPTION s CONNECTION 'host=h' PUBLICATION p", "CreateSubscriptionStmt", true},
      {"DROP SUBSCRIPTION s", "DropSubscriptionStmt", true},
      {"ALTER DATABASE d SET TABLESPACE s", "AlterDatabaseStmt", true},
      {"ALTER DATABASE d WITH CONNECTION LIMIT 5", "AlterDatabaseStmt", false},
      {"CLUSTER", "ClusterStmt", true},
      {"CLUSTER VERBOSE", "ClusterStmt", true},
      {"CLUSTER (VERBOSE) t USING i", "ClusterStmt", false},
      {"CLUSTER t", "ClusterStmt", false},
      {"DISCARD ALL", "DiscardStmt", true},
      {"DISCARD PLANS", "DiscardStmt", false},
      {"COPY t FROM '/srv/t.csv'", "CopyStmt", false},
      {"COPY t TO PROGRAM 'gzip > /srv/t.gz'", "CopyStmt", false},
      {"COPY (SELECT * FROM t) TO '/srv/t.csv' (FORMAT csv)", "CopyStmt", false},
      {"CHECKPOINT", "CheckPointStmt", false},
      {"SELECT 1", "SelectStmt", false},
  };
  for (const Case& c : cases) {
    std::vector<Statement> statements = MustSplit(c.sql);
    ASSERT_EQ(statements.size(), 1u) << c.sql;
    EXPECT_EQ(statements[0].node, c.node) << c.sql;
    EXPECT_EQ(statements[0].non_transactional, c.non_transactional) << c.sql;
    EXPECT_FALSE(statements[0].transaction_control) << c.sql;
  }
  for (const char* sql : {"COPY t TO STDOUT", "COPY (SELECT 1) TO STDOUT WITH (FORMAT csv)",
                          "COPY (INSERT INTO t VALUES (1) RETURNING *) TO STDOUT"}) {
    std::vector<Statement> statements;
    Status status = SplitScript(sql, &statements);
    EXPECT_EQ(status.code(), Code::kInvalidSet) << sql;
    EXPECT_NE(status.message().find("TO STDOUT"), std::string::npos) << status.message();
  }
}

// A statement's fields are its own: the next statement, or a node nested in
// it, does not lend it one.
TEST(PostgresSplit, ReadsEachStatementsFieldsApart) {
  std::string script =
      "CREATE INDEX CONCURRENTLY i ON t (a);\nCREATE INDEX j ON t (a);\n"
      "CLUSTER t;\nCLUSTER;\nREINDEX (CONCURRENTLY) TABLE t;\nREINDEX TABLE t;\n"
      "CREATE TABLE c (a int) WITH (fillfactor = 70) TABLESPACE s;\n"
      "ALTER DATABASE d WITH ALLOW_CONNECTIONS true;\n"
      "DROP INDEX CONCURRENTLY i;\nDROP INDEX i;\nDISCARD ALL;\nDISCARD TEMP;\n"
      "COPY (SELECT * FROM t) TO '/srv/t.csv';\nBEGIN;\nVACUUM t;\nANALYZE t;";
  std::vector<Statement> statements = MustSplit(script);
  std::vector<bool> non_transactional;
  for (const Statement& s : statements) non_transactional.push_back(s.non_transactional);
  EXPECT_EQ(non_transactional,
            (std::vector<bool>{true, false, false, true, true, false, false, false, true, false,
                               true, false, false, false, true, false}));
  ASSERT_EQ(statements.size(), 16u);
  EXPECT_EQ(statements[13].node, "TransactionStmt");
  for (size_t i = 0; i < statements.size(); ++i) {
    EXPECT_EQ(statements[i].transaction_control, i == 13) << i;
  }
  EXPECT_EQ(Texts(script, statements)[6],
            "CREATE TABLE c (a int) WITH (fillfactor = 70) TABLESPACE s");
  EXPECT_EQ(statements.back().offset, script.rfind("ANALYZE"));
}

TEST(PostgresSplit, ReportsSyntaxErrorAtTheTokenEvenAfterMultibyteText) {
  std::string script =
      "INSERT INTO t VALUES ('héllo wörld; ünïcode');\n"
      "-- comment\n"
      "SELECT 'ü' FROMM t;\n"
      "SELECT 3;";
  std::vector<Statement> statements;
  Status status = SplitScript(script, &statements);
  ASSERT_EQ(status.code(), Code::kInvalidSet);
  ASSERT_NE(status.db_error(), nullptr);
  const DbError& error = *status.db_error();
  EXPECT_NE(status.message().find("syntax error at or near \"t\""), std::string::npos)
      << status.message();
  EXPECT_EQ(error.sqlstate, "42601");
  EXPECT_EQ(error.statement_offset, script.find("SELECT 'ü'"));
  EXPECT_EQ(error.statement_offset + error.error_offset, script.find("t;\nSELECT 3"));
  EXPECT_TRUE(statements.empty());
}

TEST(PostgresSplit, RefusesCopyFromStdin) {
  std::string script = "CREATE TABLE t (a int);\nCOPY t (a) FROM stdin;\n1\n2\n\\.\n";
  std::vector<Statement> statements;
  Status status = SplitScript("CREATE TABLE t (a int);\ncopy t (a) from STDIN;", &statements);
  ASSERT_EQ(status.code(), Code::kInvalidSet);
  ASSERT_NE(status.db_error(), nullptr);
  EXPECT_NE(status.message().find("cannot feed stdin data"), std::string::npos);
  EXPECT_NE(status.message().find("INSERT"), std::string::npos);
  EXPECT_EQ(status.db_error()->statement_offset, 24u);
  EXPECT_EQ(status.db_error()->error_offset, 0u);

  // With the data lines psql would read, the \. line is refused first or the
  // COPY is: either way the item does not load.
  EXPECT_EQ(SplitScript(script, &statements).code(), Code::kInvalidSet);
  // COPY from a server file is fine.
  EXPECT_TRUE(SplitScript("COPY t FROM '/srv/data.csv' (FORMAT csv);", &statements).ok());
}

TEST(PostgresSplit, RefusesPsqlMetaCommands) {
  for (const std::string script :
       {"\\i other.sql\n", "SELECT 1;\n   \\set ON_ERROR_STOP on\nSELECT 2;",
        "CREATE TABLE t (a int);\n\t\\connect other\n"}) {
    std::vector<Statement> statements;
    Status status = SplitScript(script, &statements);
    ASSERT_EQ(status.code(), Code::kInvalidSet) << script;
    EXPECT_NE(status.message().find("psql meta-commands"), std::string::npos);
    EXPECT_NE(status.message().find("without psql"), std::string::npos);
    ASSERT_NE(status.db_error(), nullptr);
    EXPECT_EQ(status.db_error()->statement_offset, script.find('\\')) << script;
  }
}

TEST(PostgresSplit, AcceptsBackslashesAtLineStartInsideQuotes) {
  std::string script =
      "SELECT 'first line\n\\i is data here';\n"
      "SELECT E'x\\'\n\\set y';\n"
      "CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $$\n\\connect not meta\n$$;\n"
      "/* \n\\i in a comment */ SELECT \"\n\\ident\";";
  std::vector<Statement> statements = MustSplit(script);
  EXPECT_EQ(statements.size(), 4u);
}

// A chain of 100,000 operators is split and classified without
// overflowing the stack (libpg_query recurses once per operator writing its
// tree); a chain too long even for a large stack is refused at its line.
TEST(PostgresSplit, SurvivesAnExpressionChainOfAHundredThousandTerms) {
  std::string chain = "SELECT 1";
  for (int i = 0; i < 100000; ++i) chain += "+1";
  std::string script = "CREATE TABLE t (a int);\n" + chain + ";\n";
  std::vector<Statement> statements = MustSplit(script);
  ASSERT_EQ(statements.size(), 2u);
  EXPECT_EQ(statements[1].offset, script.find("SELECT"));

  std::string endless = "CREATE TABLE t (a int);\nSELECT 1";
  for (int i = 0; i < 1100000; ++i) endless += "+1";
  endless += ";\n";
  std::vector<Statement> none;
  Status status = SplitScript(endless, &none);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), Code::kInvalidSet);
  EXPECT_NE(status.message().find("nests too deeply"), std::string::npos) << status.message();
  ASSERT_NE(status.db_error(), nullptr);
  EXPECT_EQ(status.db_error()->statement_offset, endless.find("SELECT"));
}

// The checks walk the parse tree recursively: a tree too deep to walk is
// left unanalysed (nothing is claimed about it) instead of crashing them.
TEST(PostgresSplit, ChecksLeaveATreeTooDeepToWalkUnanalysed) {
  std::string chain = "SELECT 1";
  for (int i = 0; i < 100000; ++i) chain += "+1";
  auto deep = AnalyseSection(EngineKind::kPostgres, chain + ";\n");
  ASSERT_TRUE(deep.ok()) << deep.status().message();
  EXPECT_TRUE(deep->empty());
  auto shallow = AnalyseSection(EngineKind::kPostgres, "CREATE TABLE t (a int);\n");
  ASSERT_TRUE(shallow.ok()) << shallow.status().message();
  ASSERT_EQ(shallow->size(), 1u);
  ASSERT_EQ((*shallow)[0].creates.size(), 1u);
  EXPECT_EQ((*shallow)[0].creates[0].object.name, "t");
}

}  // namespace
}  // namespace ratchet::postgres
