// Unit tests of reading a statement's effects: what it creates and removes,
// the work it does on tables under a lock, and why it is unsafe to repeat.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "check/effects_walk.h"
#include "engine/engine_driver.h"

namespace ratchet {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<StatementEffects> Analyse(EngineKind engine, const std::string& sql) {
  auto effects = AnalyseSection(engine, sql);
  EXPECT_TRUE(effects.ok()) << effects.status().message();
  return effects.ok() ? *effects : std::vector<StatementEffects>{};
}

std::vector<std::string> Created(const StatementEffects& e) {
  std::vector<std::string> out;
  for (const Creation& c : e.creates) out.push_back(c.object.Describe());
  return out;
}

std::vector<std::string> Reasons(const StatementEffects& e) {
  std::vector<std::string> out;
  for (const auto& r : e.not_idempotent) out.push_back(r.reason);
  return out;
}

TEST(PostgresEffects, ReadsWhatEachStatementCreatesAndRemoves) {
  auto e = Analyse(EngineKind::kPostgres,
                   "CREATE TABLE IF NOT EXISTS app.t (id int);\n"
                   "CREATE INDEX t_id_idx ON app.t (id);\n"
                   "CREATE OR REPLACE FUNCTION f(a int, b text[]) RETURNS int LANGUAGE sql AS "
                   "'select 1';\n"
                   "ALTER TABLE t RENAME COLUMN a TO b;\n"
                   "DROP VIEW IF EXISTS v, w;\n");
  ASSERT_EQ(e.size(), 5u);
  EXPECT_THAT(Created(e[0]), ElementsAre("table app.t"));
  EXPECT_TRUE(e[0].creates[0].if_not_exists);
  EXPECT_THAT(Reasons(e[0]), IsEmpty());
  EXPECT_THAT(Created(e[1]), ElementsAre("index app.t_id_idx"));
  EXPECT_EQ(e[1].offset, 43u);
  EXPECT_THAT(Created(e[2]), ElementsAre("function f(\"pg_catalog\".\"int4\", \"text\"[])"));
  EXPECT_TRUE(e[2].creates[0].or_replace);
  EXPECT_THAT(Created(e[3]), ElementsAre("column t.b"));
  EXPECT_EQ(e[3].removes[0].Describe(), "column t.a");
  EXPECT_EQ(e[4].removes.size(), 2u);
  EXPECT_THAT(Reasons(e[4]), IsEmpty());
}

TEST(PostgresEffects, ReadsTheWorkDoneUnderALock) {
  auto e = Analyse(EngineKind::kPostgres,
                   "ALTER TABLE t ALTER COLUMN c TYPE varchar(20), ALTER COLUMN d SET NOT NULL;\n"
                   "ALTER TABLE t ADD COLUMN s timestamptz DEFAULT clock_timestamp();\n"
                   "ALTER TABLE t ADD COLUMN k int DEFAULT 0;\n"
                   "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (x) REFERENCES u (id);\n"
                   "ALTER TABLE t ADD CONSTRAINT fk2 FOREIGN KEY (x) REFERENCES u (id) NOT VALID;\n"
                   "CREATE INDEX CONCURRENTLY i ON t (x);\n");
  ASSERT_EQ(e.size(), 6u);
  ASSERT_EQ(e[0].work.size(), 2u);
  EXPECT_EQ(e[0].work[0].kind, TableWork::Kind::kRewrite);
  EXPECT_EQ(e[0].work[0].new_type, "character varying(20)");
  EXPECT_EQ(e[0].work[1].kind, TableWork::Kind::kScan);
  EXPECT_EQ(e[0].work[1].not_null_column, "d");
  ASSERT_EQ(e[1].work.size(), 1u);
  EXPECT_THAT(e[1].work[0].default_functions, ElementsAre("clock_timestamp"));
  EXPECT_THAT(e[2].work, IsEmpty());  // a constant default rewrites nothing
  ASSERT_EQ(e[3].work.size(), 1u);
  EXPECT_EQ(e[3].work[0].lock, "SHARE ROW EXCLUSIVE");
  EXPECT_THAT(e[4].work, IsEmpty());
  EXPECT_THAT(e[5].work, IsEmpty());
}

TEST(PostgresEffects, AValidatedNotNullCheckSparesTheLaterScan) {
  EffectsWalk walk;
  auto e = Analyse(EngineKind::kPostgres,
                   "ALTER TABLE t ADD CONSTRAINT c CHECK (x IS NOT NULL) NOT VALID;\n"
                   "ALTER TABLE t VALIDATE CONSTRAINT c;\n"
                   "ALTER TABLE t ALTER COLUMN x SET NOT NULL;\n"
                   "ALTER TABLE t ALTER COLUMN y SET NOT NULL;\n");
  ASSERT_EQ(e.size(), 4u);
  EXPECT_THAT(walk.Next(e[0]), IsEmpty());
  EXPECT_THAT(walk.Next(e[1]), IsEmpty());
  EXPECT_THAT(walk.Next(e[2]), IsEmpty());
  ASSERT_EQ(walk.Next(e[3]).size(), 1u);
}

TEST(PostgresEffects, WorkOnATableMadeEarlierIsNoConcern) {
  EffectsWalk walk;
  auto e = Analyse(EngineKind::kPostgres,
                   "CREATE TABLE n (id int);\nCREATE INDEX n_id ON n (id);\nCREATE INDEX o_id ON "
                   "o (id);\n");
  walk.Next(e[0]);
  EXPECT_THAT(walk.Next(e[1]), IsEmpty());
  EXPECT_EQ(walk.Next(e[2]).size(), 1u);
}

// The changes of a statement as "create index t_pkey", "drop constraint
// c on t" ..., in the order they take effect.
std::vector<std::string> Changes(const StatementEffects& e) {
  std::vector<std::string> out;
  for (const CatalogChange& c : e.changes) {
    switch (c.kind) {
      case CatalogChange::Kind::kCreate:
        out.push_back((c.creation.implicit ? "implicit " : "create ") +
                      c.creation.object.Describe());
        break;
      case CatalogChange::Kind::kDrop:
        out.push_back((c.cascade ? "drop cascade " : "drop ") + c.object.Describe());
        break;
      case CatalogChange::Kind::kRename:
        out.push_back("rename " + c.object.Describe() + " to " + c.creation.object.Describe());
        break;
      case CatalogChange::Kind::kUncertain:
        out.push_back("uncertain " + c.reason + (c.touches.all ? " (all)" : ""));
        break;
      case CatalogChange::Kind::kCall:
        out.push_back("call " + c.object.name);
        break;
    }
  }
  return out;
}

TEST(PostgresEffects, ListsCatalogChangesInTheOrderTheyTakeEffect) {
  auto e = Analyse(EngineKind::kPostgres,
                   "CREATE TABLE t (id serial PRIMARY KEY, pid int REFERENCES p (id));\n"
                   "ALTER TABLE c DROP CONSTRAINT c_fk, ADD CONSTRAINT c_fk FOREIGN KEY (pid) "
                   "REFERENCES p (id);\n"
                   "DROP VIEW v CASCADE;\n"
                   "ALTER INDEX i RENAME TO j;\n"
                   "DO $$ BEGIN EXECUTE 'CREATE TABLE x ()'; END $$;\n"
                   "SELECT refresh_all();\n"
                   "CREATE VIEW w AS WITH q AS (SELECT 1) SELECT * FROM q, t;\n");
  ASSERT_EQ(e.size(), 7u);
  EXPECT_THAT(Changes(e[0]),
              ElementsAre("create table t", "implicit type t", "implicit column t.id",
                          "implicit constraint t_pkey on t", "implicit index t_pkey",
                          "implicit sequence t_id_seq", "implicit column t.pid",
                          "implicit constraint t_pid_fkey on t"));
  EXPECT_THAT(Changes(e[1]),
              ElementsAre("drop constraint c_fk on c", "create constraint c_fk on c"));
  EXPECT_THAT(Changes(e[2]), ElementsAre("drop cascade view v"));
  EXPECT_THAT(Changes(e[3]), ElementsAre("rename index i to index j"));
  EXPECT_THAT(Changes(e[4]), ElementsAre("uncertain a DO block (all)"));
  EXPECT_THAT(Changes(e[5]), ElementsAre("call refresh_all"));
  ASSERT_EQ(e[6].changes.size(), 2u);
  ASSERT_EQ(e[6].changes[0].creation.references.size(), 1u);  // t; q is the query's own
  EXPECT_EQ(e[6].changes[0].creation.references[0].name, "t");
}

TEST(SqliteEffects, ReadsDdlFromTheText) {
  auto e = Analyse(EngineKind::kSqlite,
                   "CREATE UNIQUE INDEX IF NOT EXISTS \"Books_Isbn\" ON books (isbn);\n"
                   "ALTER TABLE books ADD COLUMN slug TEXT;\n"
                   "ALTER TABLE books DROP COLUMN old;\n"
                   "ALTER TABLE books RENAME TO volumes;\n"
                   "CREATE TRIGGER t AFTER INSERT ON volumes BEGIN SELECT 1; END;\n"
                   "INSERT OR IGNORE INTO volumes (id) VALUES (1);\n"
                   "VACUUM;\n");
  ASSERT_EQ(e.size(), 7u);
  EXPECT_THAT(Created(e[0]), ElementsAre("index books_isbn"));
  ASSERT_EQ(e[0].work.size(), 1u);
  EXPECT_EQ(e[0].work[0].table, "books");
  EXPECT_THAT(Created(e[1]), ElementsAre("column books.slug"));
  EXPECT_THAT(Reasons(e[1]), ElementsAre(HasSubstr("ADD COLUMN fails when the column exists")));
  EXPECT_EQ(e[2].work[0].kind, TableWork::Kind::kRewrite);
  EXPECT_EQ(e[3].removes[0].Describe(), "table books");
  EXPECT_THAT(Created(e[3]), ElementsAre("table volumes"));
  EXPECT_THAT(Created(e[4]), ElementsAre("trigger t"));
  ASSERT_EQ(e[4].changes.size(), 1u);
  EXPECT_EQ(e[4].changes[0].creation.owner.name, "volumes");  // dropped with its table
  ASSERT_EQ(e[3].changes.size(), 1u);
  EXPECT_EQ(e[3].changes[0].kind, CatalogChange::Kind::kRename);
  EXPECT_THAT(Reasons(e[5]), IsEmpty());
  EXPECT_TRUE(e[6].work[0].whole_database);
}

}  // namespace
}  // namespace ratchet
