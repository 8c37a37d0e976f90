// `ratchet check` on SQLite and PostgreSQL: each kind of problem is reported
// with the item that causes it, a clean database gets nothing, and nothing
// is ever written.
#include "ratchet/check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "check/check_context.h"
#include "ratchet/runner.h"
#include "ratchet/snapshot.h"
#include "snapshot/checks_fixture.h"

namespace ratchet::testing {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

class Check : public ChecksTest {
 protected:
  // Everything a check could have changed: the schema, the bookkeeping,
  // and (SQLite) the file's bytes.
  std::string State() {
    auto conn = Open();
    auto snapshot = TakeSnapshot(*conn);
    EXPECT_TRUE(snapshot.ok()) << snapshot.status().message();
    std::string state = snapshot.ok() ? FormatSnapshot(*snapshot) : "";
    if (conn->HasBookkeeping().value()) {
      for (const char* table : {"items", "state", "events"}) {
        for (const std::string& row : Rows("SELECT * FROM " + Books(table))) state += row + "\n";
      }
    } else {
      state += "no bookkeeping\n";
    }
    conn.reset();
    if (is_sqlite()) {
      std::ifstream in(db().substr(7), std::ios::binary);
      std::ostringstream bytes;
      bytes << in.rdbuf();
      state += bytes.str();
    }
    return state;
  }

  // A set whose V2..V7 each bring one kind of problem to a database at V1.
  void WriteTroubledSet() {
    std::string rewrite = is_sqlite() ? "ALTER TABLE users DROP COLUMN note;\n"
                                      : "ALTER TABLE users ALTER COLUMN note TYPE integer USING "
                                        "length(note);\n";
    std::string requirements = is_sqlite()
                                   ? "[requirements.settings]\njournal_mode = \"wal\"\n"
                                   : "[requirements]\nserver-version = \"99\"\nextensions = "
                                     "[\"ratchet_no_such_extension\"]\n[requirements.settings]\n"
                                     "max_connections = \">= 100000\"\n";
    WriteSet({{"V1__1__users.sql",
               "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, note TEXT);\n"},
              {"V2__2__unique_email.sql",
               "-- ratchet: check\n"
               "SELECT email, count(*) AS copies FROM users GROUP BY email HAVING count(*) > 1;\n"
               "-- ratchet: finalize\n"
               "CREATE UNIQUE INDEX users_email_key ON users (email);\n"},
              {"V3__3__audit.sql", "CREATE TABLE audit (id INTEGER PRIMARY KEY);\n"},
              {"V4__4__drop_note.sql", "-- Notes go.\n" + rewrite},
              {"V5__5__email_again.sql", "ALTER TABLE users ADD COLUMN email TEXT;\n"},
              {"V6__6__writing_check.sql",
               "-- ratchet: check\n"
               "INSERT INTO users (id, email) VALUES (999, 'written@by.check');\n"
               "-- ratchet: finalize\n"
               "CREATE TABLE later (id INTEGER);\n"}},
             requirements);
  }
};
RATCHET_ALL_ENGINES(Check);

TEST_P(Check, ReportsEachKindOfProblemWithTheRightItemAndWritesNothing) {
  WriteTroubledSet();
  ASSERT_EQ(Ratchet("upgrade", {"--to", "V1", "--skip-check"}).exit_code, 0);
  Load(
      "INSERT INTO users (id, email, note) VALUES (1, 'ann@shop', 'a'), (2, 'bob@shop', 'b'), "
      "(3, 'ann@shop', 'c');\n"
      "CREATE TABLE audit (id INTEGER);\n");
  const std::string before = State();

  RunResult r = Ratchet("check", {"--min-table-size", "0"});
  EXPECT_EQ(r.exit_code, 3) << r.all();
  // The item check, with its query and the rows it found.
  EXPECT_THAT(r.out, HasSubstr("problem  V2 items/V2__2__unique_email.sql:2:1: the item's check "
                               "found 1 row(s)"));
  EXPECT_THAT(r.out, HasSubstr("query: SELECT email, count(*) AS copies FROM users"));
  EXPECT_THAT(r.out, HasSubstr("row: email=ann@shop, copies=2"));
  // Name conflicts: a table and a column that exist already.
  EXPECT_THAT(r.out, HasSubstr("problem  V3 items/V3__3__audit.sql:1:1: table audit cannot be "
                               "created: a table of that name exists already"));
  EXPECT_THAT(r.out, HasSubstr("problem  V5 items/V5__5__email_again.sql:1:1: column users.email "
                               "cannot be created: a column of that name exists already"));
  // The index build and the rewrite, with the table's size.
  EXPECT_THAT(r.out, ContainsRegex("warning  V2 items/V2__2__unique_email.sql:4:1: CREATE UNIQUE "
                                   "INDEX users_email_key .*builds an index on users \\([0-9.]+ "
                                   "(bytes|kB)\\)"));
  EXPECT_THAT(r.out, ContainsRegex("warning  V4 items/V4__4__drop_note.sql:2:1: .* rewrites users "
                                   "\\([0-9.]+ (bytes|kB)\\) holding "));
  EXPECT_THAT(r.out, HasSubstr("of free disk"));
  // A check section that writes fails: it runs read-only.
  EXPECT_THAT(r.out, HasSubstr("problem  V6 items/V6__6__writing_check.sql:2:1: the check query "
                               "failed"));
  EXPECT_THAT(r.out, HasSubstr("a check section only reads"));
  // Requirements.
  if (is_sqlite()) {
    EXPECT_THAT(r.out, HasSubstr("problem  ratchet.toml: setting journal_mode is delete, and the "
                                 "set requires wal"));
  } else {
    EXPECT_THAT(r.out, HasSubstr("problem  ratchet.toml: the server is PostgreSQL"));
    EXPECT_THAT(r.out, HasSubstr("the set requires 99 or later"));
    EXPECT_THAT(r.out, HasSubstr("extension ratchet_no_such_extension is not available"));
    EXPECT_THAT(r.out, HasSubstr("setting max_connections is"));
  }
  EXPECT_THAT(r.out, ContainsRegex("requirements +[0-9] problem"));
  EXPECT_THAT(r.out, ContainsRegex("item checks +2 problem\\(s\\)\n"));
  EXPECT_THAT(r.out, ContainsRegex("name conflicts +2 problem\\(s\\)\n"));
  EXPECT_THAT(r.out, ContainsRegex("rewrites and locks +2 warning\\(s\\)\n"));

  // Nothing was written: not the check's INSERT, not a byte of the file.
  EXPECT_EQ(State(), before);
  EXPECT_EQ(Value("SELECT count(*) FROM users WHERE id = 999"), "0");

  // The read-only mode ends with the check, also when it found problems:
  // upgrade runs its items on the connection its checks ran on.
  auto set = LoadUpgradeSet(set_dir(), {});
  ASSERT_TRUE(set.ok()) << set.status().message();
  auto conn = Open();
  ASSERT_NE(conn, nullptr);
  auto status = ReadStatus(*conn, *set);
  ASSERT_TRUE(status.ok()) << status.status().message();
  CheckOptions options;
  options.min_table_bytes = 0;
  auto report = CheckDatabase(*conn, *set, status->plan, options);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_GT(report->problems(), 0u);
  EXPECT_FALSE(conn->InTransaction());
  if (is_sqlite()) {
    auto query_only = conn->Query("PRAGMA query_only");
    ASSERT_TRUE(query_only.ok()) << query_only.status().message();
    EXPECT_EQ(query_only->rows[0][0], "0");
  }
  Status written = conn->Execute("INSERT INTO users (id, email) VALUES (998, 'after@check')");
  EXPECT_TRUE(written.ok()) << written.message();
  conn.reset();
  EXPECT_EQ(Value("SELECT email FROM users WHERE id = 998"), "after@check");
}

TEST_P(Check, ReportsNothingOnACleanDatabaseAndWritesNothing) {
  CopyBookshop();
  ASSERT_EQ(Ratchet("upgrade", {"--to", "1.0"}).exit_code, 0);
  const std::string before = State();
  RunResult r = Ratchet("check");
  EXPECT_EQ(r.exit_code, 0) << r.all();
  EXPECT_THAT(r.out, HasSubstr("(9 pending item(s))"));
  EXPECT_THAT(r.out, ContainsRegex("requirements +ok\n +item checks +ok\n +name conflicts +ok\n "
                                   "+privileges +ok\n +rewrites and locks +ok\n"));
  EXPECT_THAT(r.out, HasSubstr("check: no problems found.\n"));
  EXPECT_THAT(r.out, Not(HasSubstr("warning")));
  EXPECT_EQ(State(), before);
}

TEST_P(Check, ADatabaseThatPredatesRatchetGetsNoBookkeepingFromACheck) {
  CopyBookshop();
  Load(BookshopSchema("1.0"));
  const std::string before = State();
  RunResult r = Ratchet("check");
  EXPECT_EQ(r.exit_code, 3) << r.all();
  // Every item is pending, and V1's tables exist already.
  EXPECT_THAT(r.out, HasSubstr("problem  V1 items/V1__100__create_authors_and_books.sql:2:1: "
                               "table authors cannot be created"));
  EXPECT_THAT(r.out, HasSubstr("record the item with 'ratchet baseline'"));
  EXPECT_FALSE(Open()->HasBookkeeping().value());
  EXPECT_EQ(State(), before);
}

TEST_P(Check, NamesAreJudgedInPlanOrder) {
  WriteSet({{"V1__1__legacy.sql", "CREATE TABLE legacy (id INTEGER);\n"},
            {"V2__2__drop_legacy.sql", "DROP TABLE legacy;\n"},
            {"V3__3__new_legacy.sql", "CREATE TABLE legacy (id INTEGER, name TEXT);\n"},
            {"V4__4__twice.sql", "CREATE TABLE twice (id INTEGER);\n"},
            {"V5__5__twice_again.sql", "CREATE TABLE twice (id INTEGER);\n"},
            {"V6__6__kept.sql", "CREATE TABLE IF NOT EXISTS kept (id INTEGER);\n"}});
  ASSERT_EQ(Ratchet("upgrade", {"--to", "V1", "--skip-check"}).exit_code, 0);
  Load("CREATE TABLE kept (other TEXT);\n");
  RunResult r = Ratchet("check");
  EXPECT_EQ(r.exit_code, 3) << r.all();
  EXPECT_THAT(r.out, Not(HasSubstr("V3 items")));  // V2 drops legacy first
  EXPECT_THAT(r.out, HasSubstr("problem  V5 items/V5__5__twice_again.sql:1:1: table twice is "
                               "created twice in this upgrade: V4 (items/V4__4__twice.sql:1:1) "
                               "creates it already"));
  EXPECT_THAT(r.out, HasSubstr("warning  V6 items/V6__6__kept.sql:1:1: table kept exists already: "
                               "IF NOT EXISTS keeps the existing one"));
}

TEST_P(Check, JsonListsEveryFinding) {
  WriteTroubledSet();
  ASSERT_EQ(Ratchet("upgrade", {"--to", "V1", "--skip-check"}).exit_code, 0);
  Load("CREATE TABLE audit (id INTEGER);\n");
  RunResult r = Ratchet("check", {"--json"});
  EXPECT_EQ(r.exit_code, 3) << r.all();
  auto json = nlohmann::json::parse(r.out);
  EXPECT_EQ(json["pending"], 5);
  bool found = false;
  for (const auto& f : json["findings"]) {
    if (f["family"] == "name conflicts" && f["item"] == "V3") {
      found = true;
      EXPECT_EQ(f["where"], "items/V3__3__audit.sql:1:1");
      EXPECT_EQ(f["severity"], "problem");
    }
  }
  EXPECT_TRUE(found) << r.out;
}

TEST_P(Check, StrictCountsWarningsAndTheLibraryLeavesTheConnectionUsable) {
  WriteSet({{"V1__1__t.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);\n"},
            {"V2__2__index.sql", "CREATE INDEX t_name_idx ON t (name);\n"}});
  ASSERT_EQ(Ratchet("upgrade", {"--to", "V1", "--skip-check"}).exit_code, 0);
  EXPECT_EQ(Ratchet("check", {"--min-table-size", "0"}).exit_code, 0);
  EXPECT_EQ(Ratchet("check", {"--min-table-size", "0", "--strict"}).exit_code, 3);
  EXPECT_EQ(Ratchet("check", {"--min-table-size", "big"}).exit_code, 2);

  // Through the library, as upgrade calls it before its first item.
  auto set = LoadUpgradeSet(set_dir(), {});
  ASSERT_TRUE(set.ok()) << set.status().message();
  auto conn = Open();
  auto status = ReadStatus(*conn, *set);
  ASSERT_TRUE(status.ok()) << status.status().message();
  CheckOptions options;
  options.min_table_bytes = 0;
  auto report = CheckDatabase(*conn, *set, status->plan, options);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->pending, 1u);
  EXPECT_EQ(report->problems(), 0u);
  ASSERT_EQ(report->warnings(), 1u);
  EXPECT_EQ(report->findings[0].item, "V2");
  EXPECT_EQ(report->findings[0].family, "rewrites and locks");
  // No transaction is left open and the session may write again.
  ASSERT_TRUE(conn->Begin().ok());
  EXPECT_TRUE(conn->Execute("INSERT INTO t (id, name) VALUES (1, 'x')").ok());
  EXPECT_TRUE(conn->Commit().ok());
  EXPECT_EQ(Value("SELECT count(*) FROM t"), "1");
}

TEST_P(Check, PostgresAsksTheCatalogWhetherALockReallyRewritesOrScans) {
  if (is_sqlite()) GTEST_SKIP() << "these refinements are PostgreSQL's";
  WriteSet(
      {{"V1__1__t.sql",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, code VARCHAR(10), x INTEGER, y INTEGER);\n"},
       {"V2__2__prove_x.sql",
        "ALTER TABLE t ADD CONSTRAINT t_x_present CHECK (x IS NOT NULL) NOT VALID;\n"},
       {"V3__3__validate_x.sql", "ALTER TABLE t VALIDATE CONSTRAINT t_x_present;\n"},
       {"V4__4__x_not_null.sql", "ALTER TABLE t ALTER COLUMN x SET NOT NULL;\n"},
       {"V5__5__y_not_null.sql", "ALTER TABLE t ALTER COLUMN y SET NOT NULL;\n"},
       {"V6__6__wider_code.sql", "ALTER TABLE t ALTER COLUMN code TYPE VARCHAR(20);\n"},
       {"V7__7__numeric_code.sql", "ALTER TABLE t ALTER COLUMN id TYPE BIGINT;\n"},
       {"V8__8__stamped.sql", "ALTER TABLE t ADD COLUMN added TIMESTAMPTZ DEFAULT now();\n"},
       {"V9__9__uuid.sql", "ALTER TABLE t ADD COLUMN token TEXT DEFAULT md5(random()::text);\n"}});
  ASSERT_EQ(Ratchet("upgrade", {"--to", "V1", "--skip-check"}).exit_code, 0);
  Load("INSERT INTO t SELECT g, 'c', g, g FROM generate_series(1, 100) g;\n");
  RunResult r = Ratchet("check", {"--min-table-size", "0"});
  EXPECT_EQ(r.exit_code, 0) << r.all();
  EXPECT_THAT(r.out, Not(HasSubstr(" V4 ")));  // proven by V2 and V3
  EXPECT_THAT(r.out, HasSubstr("warning  V5 items/V5__5__y_not_null.sql:1:1: ALTER COLUMN y SET "
                               "NOT NULL reads every row of t"));
  EXPECT_THAT(r.out, HasSubstr("CHECK (y IS NOT NULL) NOT VALID"));
  EXPECT_THAT(r.out, Not(HasSubstr(" V6 ")));  // varchar(10) to varchar(20): no rewrite
  EXPECT_THAT(r.out, HasSubstr("warning  V7 items/V7__7__numeric_code.sql:1:1: ALTER COLUMN id "
                               "TYPE bigint rewrites t"));
  EXPECT_THAT(r.out, Not(HasSubstr(" V8 ")));  // now() is stable: stored once
  EXPECT_THAT(r.out, HasSubstr("warning  V9 items/V9__9__uuid.sql:1:1: ADD COLUMN token with a "
                               "default that calls md5(), random() rewrites t"));
}

TEST_P(Check, PostgresFindsTakenNamesOfEveryKindInOneLookup) {
  if (is_sqlite()) GTEST_SKIP() << "these name spaces are PostgreSQL's";
  WriteSet({{"V1__1__base.sql", "CREATE TABLE base (id INTEGER PRIMARY KEY);\n"},
            {"V2__2__kinds.sql",
             "CREATE SCHEMA reports;\n"
             "CREATE TYPE mood AS ENUM ('ok', 'sad');\n"
             "CREATE FUNCTION twice(n integer) RETURNS integer LANGUAGE sql AS 'SELECT 2 * n';\n"
             "CREATE FUNCTION twice(n text) RETURNS text LANGUAGE sql AS 'SELECT n || n';\n"
             "CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS "
             "'BEGIN RETURN NEW; END';\n"
             "CREATE TRIGGER base_stamp BEFORE INSERT ON base FOR EACH ROW EXECUTE FUNCTION "
             "stamp();\n"
             "ALTER TABLE base ADD CONSTRAINT base_positive CHECK (id > 0);\n"
             "CREATE INDEX base_id_idx ON base (id);\n"
             "CREATE VIEW \"Base View\" AS SELECT id FROM base;\n"}});
  ASSERT_EQ(Ratchet("upgrade", {"--to", "V1", "--skip-check"}).exit_code, 0);
  // Everything V2 creates exists already, but for twice(text) and the index.
  Load(
      "CREATE SCHEMA reports;\n"
      "CREATE TYPE mood AS ENUM ('ok');\n"
      "CREATE FUNCTION twice(n integer) RETURNS integer LANGUAGE sql AS 'SELECT n + n';\n"
      "CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';\n"
      "CREATE TRIGGER base_stamp BEFORE INSERT ON base FOR EACH ROW EXECUTE FUNCTION stamp();\n"
      "ALTER TABLE base ADD CONSTRAINT base_positive CHECK (id > 0);\n"
      "CREATE VIEW \"Base View\" AS SELECT id FROM base;\n");
  RunResult r = Ratchet("check");
  EXPECT_EQ(r.exit_code, 3) << r.all();
  for (const char* taken :
       {"a schema", "a type", "a function", "a trigger", "a constraint", "a view"}) {
    EXPECT_THAT(r.out, HasSubstr(std::string(taken) + " of that name exists already")) << taken;
  }
  EXPECT_THAT(r.out, HasSubstr("V2__2__kinds.sql:3:1: function twice"));
  EXPECT_THAT(r.out, Not(HasSubstr("V2__2__kinds.sql:4:1")));  // twice(text) is new
  EXPECT_THAT(r.out, Not(HasSubstr("base_id_idx")));
  EXPECT_THAT(r.out, HasSubstr("V2__2__kinds.sql:9:1: view Base View"));
}

TEST_P(Check, AMissingSqliteFileHasNothingToCheck) {
  if (!is_sqlite()) GTEST_SKIP() << "a PostgreSQL database must exist to be named";
  CopyBookshop();
  RunResult r = Ratchet("check");
  EXPECT_EQ(r.exit_code, 0) << r.all();
  EXPECT_THAT(r.out, HasSubstr("does not exist yet"));
  EXPECT_FALSE(std::filesystem::exists(db().substr(7)));
}

TEST(BinaryCoercible, KnowsWhichTypeChangesRewriteNothing) {
  const EngineDriver& postgres = DriverFor(EngineKind::kPostgres);
  EXPECT_TRUE(postgres.BinaryCoercible("character varying(10)", "character varying(20)"));
  EXPECT_TRUE(postgres.BinaryCoercible("character varying(10)", "text"));
  EXPECT_TRUE(postgres.BinaryCoercible("text", "character varying"));
  EXPECT_TRUE(postgres.BinaryCoercible("numeric(10,2)", "numeric(12,2)"));
  EXPECT_FALSE(postgres.BinaryCoercible("character varying(20)", "character varying(10)"));
  EXPECT_FALSE(postgres.BinaryCoercible("numeric(10,2)", "numeric(12,3)"));
  EXPECT_FALSE(postgres.BinaryCoercible("integer", "bigint"));
  // SQLite has no type change that keeps the table.
  EXPECT_FALSE(DriverFor(EngineKind::kSqlite).BinaryCoercible("text", "integer"));
}

}  // namespace
}  // namespace ratchet::testing
