// PostgreSQL-only upgrade behaviour through the tool: parse errors before any
// connection, passwords kept out of every output, error positions inside
// PL/pgSQL, CONCURRENTLY mixed with other statements, invalid indexes left
// by a killed build rebuilt, and lock_timeout retries.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/harness.h"

namespace ratchet::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class PostgresUpgrade : public EngineTest {};
INSTANTIATE_TEST_SUITE_P(Engines, PostgresUpgrade, ::testing::Values(EngineKind::kPostgres),
                         [](const auto&) { return std::string("Postgres"); });

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

TEST_P(PostgresUpgrade, SyntaxErrorIsFoundBeforeAnyConnection) {
  WriteSet({{"V1__1__ok.sql", "CREATE TABLE t (id integer);\n"},
            {"V2__2__typo.sql",
             "-- a typo on line 3\nCREATE TABLE u (id integer);\nCREATE TABLE (id integer);\n"}});
  // Nothing listens on port 1: reaching the database would fail differently.
  RunResult r = RunRatchet(
      {"upgrade", "--set", set_dir().string(), "--db", "host=127.0.0.1 port=1 dbname=nowhere"});
  EXPECT_EQ(r.exit_code, 2) << r.all();
  EXPECT_THAT(r.err, HasSubstr("items/V2__2__typo.sql:3:14"));
  EXPECT_THAT(r.err, HasSubstr("syntax error"));
  EXPECT_THAT(r.err, Not(HasSubstr("connect")));
}

TEST_P(PostgresUpgrade, PasswordNeverAppearsInOutputOrBookkeeping) {
  const std::string host = Env("RATCHET_TEST_PG_HOST"), port = Env("RATCHET_TEST_PG_PORT");
  // ratchet_pw may only log in with its password over TCP; give it this database.
  Rows("GRANT ALL ON SCHEMA public TO ratchet_pw");
  {
    auto conn = Open();
    auto owner = conn->Execute("ALTER DATABASE " + Value("SELECT current_database()") +
                               " OWNER TO ratchet_pw");
    ASSERT_TRUE(owner.ok()) << owner.message();
  }
  const std::string dbname = Value("SELECT current_database()");
  const std::string good = "postgresql://ratchet_pw:s3cret-pw@" + host + ":" + port + "/" + dbname;
  const std::string bad = "postgresql://ratchet_pw:wr0ng-pw@" + host + ":" + port + "/" + dbname;
  WriteSet({{"V1__1__ok.sql", "CREATE TABLE t (id integer);\n"},
            {"V2__2__fails.sql", "INSERT INTO nosuch VALUES (1);\n"}});

  RunResult wrong = RunRatchet({"upgrade", "--set", set_dir().string(), "--db", bad});
  EXPECT_EQ(wrong.exit_code, 2) << wrong.all();
  EXPECT_THAT(wrong.err, HasSubstr("password"));
  EXPECT_THAT(wrong.all(), Not(HasSubstr("wr0ng-pw")));

  RunResult run = RunRatchet({"upgrade", "--set", set_dir().string(), "--db", good});
  EXPECT_EQ(run.exit_code, 1) << run.all();
  RunResult status = RunRatchet({"status", "--set", set_dir().string(), "--db", good});
  RunResult json = RunRatchet({"status", "--json", "--set", set_dir().string(), "--db", good});
  RunResult plan = RunRatchet({"plan", "--set", set_dir().string(), "--db", good});
  for (const RunResult* r : {&run, &status, &json, &plan}) {
    EXPECT_THAT(r->all(), Not(HasSubstr("s3cret-pw"))) << r->all();
    EXPECT_THAT(r->all(), HasSubstr("ratchet_pw@"));  // the database is still named
  }
  // Every column of every bookkeeping row, the failure's included (a row
  // as text shows a NULL column as nothing, and the rest still).
  EXPECT_EQ(Value("SELECT status || ' ' || error_item FROM ratchet.state"), "failed-upgrade V2");
  std::vector<std::string> books;
  for (const char* table : {"state", "items", "events"}) {
    for (std::string& row : Rows(std::string("SELECT t::text FROM ratchet.") + table + " t")) {
      books.push_back(std::move(row));
    }
  }
  ASSERT_FALSE(books.empty());
  for (const std::string& row : books) EXPECT_THAT(row, Not(HasSubstr("s3cret-pw")));
  // The failure that was checked is the one recorded.
  EXPECT_THAT(Value("SELECT error_message FROM ratchet.state"), HasSubstr("nosuch"));
}

TEST_P(PostgresUpgrade, ErrorInsideDoBlockAndFunctionBodyPointsAtItsLine) {
  WriteSet({{"V1__1__do_block.sql",
             "-- line 1\n"
             "CREATE TABLE t (id integer);\n"
             "DO $$\n"
             "BEGIN\n"
             "  INSERT INTO t VALUES (1);\n"
             "  PERFORM * FROM nosuch_in_do;\n"
             "END\n"
             "$$;\n"}});
  RunResult r = Ratchet("upgrade");
  EXPECT_EQ(r.exit_code, 1) << r.all();
  EXPECT_THAT(r.err, HasSubstr("items/V1__1__do_block.sql:6:"));
  EXPECT_THAT(r.err, HasSubstr("42P01"));
  EXPECT_THAT(r.err, HasSubstr("nosuch_in_do"));
  EXPECT_EQ(Value("SELECT error_line FROM ratchet.state"), "6");
  EXPECT_TRUE(Tables().empty());

  WriteSet({{"V1__1__function.sql",
             "CREATE FUNCTION f() RETURNS integer LANGUAGE plpgsql AS $body$\n"
             "BEGIN\n"
             "  RETURN 1;\n"
             "END;\n"
             "$body$;\n"
             "SELECT f() + nosuch_column FROM (SELECT 1) AS s;\n"}});
  RunResult f = Ratchet("upgrade");
  EXPECT_EQ(f.exit_code, 1) << f.all();
  EXPECT_THAT(f.err, HasSubstr("items/V1__1__function.sql:6:"));
  EXPECT_THAT(f.err, HasSubstr("nosuch_column"));
  EXPECT_EQ(Value("SELECT COUNT(*) FROM pg_proc WHERE proname = 'f'"), "0");
}

TEST_P(PostgresUpgrade, MixingConcurrentlyWithOtherStatementsIsALoadError) {
  WriteSet({{"V1__1__mixed.sql",
             "CREATE TABLE t (id integer);\nCREATE INDEX CONCURRENTLY t_id_idx ON t (id);\n"}});
  RunResult r = Ratchet("upgrade");
  EXPECT_EQ(r.exit_code, 2) << r.all();
  EXPECT_THAT(r.err, HasSubstr("items/V1__1__mixed.sql:2:1"));
  EXPECT_THAT(r.err, HasSubstr("item of its own"));
  EXPECT_TRUE(Tables().empty());
}

TEST_P(PostgresUpgrade, ItemWithItsOwnTransactionControlIsRefusedWithTheReason) {
  WriteSet({{"V1__1__own_txn.sql", "BEGIN;\nCREATE TABLE t (id integer);\nCOMMIT;\n"}});
  RunResult r = Ratchet("upgrade");
  EXPECT_EQ(r.exit_code, 2) << r.all();
  EXPECT_THAT(r.err, HasSubstr("items/V1__1__own_txn.sql:1:1"));
  EXPECT_THAT(r.err, HasSubstr("remove BEGIN/COMMIT"));
}

TEST_P(PostgresUpgrade, InvalidIndexLeftByAKilledConcurrentBuildIsDroppedAndRebuilt) {
  WriteSet({{"V1__1__t.sql",
             "CREATE TABLE t (id integer, name text);\nINSERT INTO t SELECT g, 'n' || g FROM "
             "generate_series(1, 1000) g;\n"}});
  ASSERT_EQ(Ratchet("upgrade").exit_code, 0);
  WriteSet({{"V1__1__t.sql",
             "CREATE TABLE t (id integer, name text);\nINSERT INTO t SELECT g, 'n' || g FROM "
             "generate_series(1, 1000) g;\n"},
            {"V2__2__index_t.sql", "CREATE UNIQUE INDEX CONCURRENTLY t_name_key ON t (name);\n"}});

  // An open transaction that has read t makes the concurrent build wait
  // after it has created the (still invalid) index.
  auto blocker = Open();
  ASSERT_TRUE(blocker->Begin().ok());
  ASSERT_TRUE(blocker->Query("SELECT COUNT(*) FROM t").ok());
  BackgroundRun run({"upgrade", "--set", set_dir().string(), "--db", db()});
  std::string backend;
  for (int i = 0; i < 100 && backend.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto rows = Rows(
        "SELECT pid FROM pg_stat_activity WHERE application_name = 'ratchet' AND "
        "query LIKE 'CREATE UNIQUE INDEX CONCURRENTLY%' AND datname = current_database()");
    if (!rows.empty()) backend = rows[0];
  }
  ASSERT_FALSE(backend.empty()) << "the concurrent build never started";
  // kill -9 of ratchet, and its backend gone with it.
  kill(run.pid(), SIGKILL);
  run.Wait();
  Rows("SELECT pg_terminate_backend(" + backend + ")");
  blocker->Rollback();
  blocker.reset();
  for (int i = 0; i < 50; ++i) {
    if (Value("SELECT COUNT(*) FROM pg_stat_activity WHERE pid = " + backend) == "0") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(Value("SELECT indisvalid FROM pg_index WHERE indexrelid = 't_name_key'::regclass"),
            "f");

  RunResult status = Ratchet("status");
  EXPECT_THAT(status.out, HasSubstr("V2 (items/V2__2__index_t.sql), journaled"));
  EXPECT_THAT(status.out, HasSubstr("will re-run on resume"));

  RunResult resumed = Ratchet("upgrade");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.all();
  EXPECT_EQ(Value("SELECT indisvalid FROM pg_index WHERE indexrelid = 't_name_key'::regclass"),
            "t");
  EXPECT_EQ(Value("SELECT COUNT(*) FROM ratchet.items WHERE version = 'V2' AND phase = 'applied'"),
            "1");
}

TEST_P(PostgresUpgrade, LockTimeoutIsRetriedWithBackoffUntilTheLockIsFree) {
  WriteSet({{"V1__1__t.sql", "CREATE TABLE t (id integer);\n"}});
  ASSERT_EQ(Ratchet("upgrade").exit_code, 0);
  WriteSet({{"V1__1__t.sql", "CREATE TABLE t (id integer);\n"},
            {"V2__2__add_column.sql",
             "-- ratchet: lock-timeout 100ms\nALTER TABLE t ADD COLUMN name text;\n"}});
  auto holder = Open();
  ASSERT_TRUE(holder->Begin().ok());
  ASSERT_TRUE(holder->Execute("LOCK TABLE t IN ACCESS SHARE MODE").ok());
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(900));
    holder->Rollback();
  });
  RunResult r = Ratchet("upgrade");
  release.join();
  EXPECT_EQ(r.exit_code, 0) << r.all();
  // Each wait twice the one before: 200 ms, then 400 ms.
  EXPECT_THAT(r.out, HasSubstr("; retry 1/5 in 200 ms"));
  EXPECT_THAT(r.out, HasSubstr("; retry 2/5 in 400 ms"));
  EXPECT_EQ(Value("SELECT COUNT(*) FROM information_schema.columns WHERE table_name = 't' AND "
                  "column_name = 'name'"),
            "1");
}

// When the lock never comes, the run names the sessions holding table locks
// in open transactions, and says to run again when they end, not to fix the
// item.
TEST_P(PostgresUpgrade, ALockThatNeverComesNamesTheSessionsHoldingIt) {
  WriteSet({{"V1__1__t.sql", "CREATE TABLE t (id integer);\n"}});
  ASSERT_EQ(Ratchet("upgrade").exit_code, 0);
  WriteSet({{"V1__1__t.sql", "CREATE TABLE t (id integer);\n"},
            {"V2__2__add_column.sql",
             "-- ratchet: lock-timeout 50ms\nALTER TABLE t ADD COLUMN name text;\n"}});
  auto holder = OpenDb(db() + " application_name=nightly_report");
  ASSERT_TRUE(holder);
  auto pid = holder->Query("SELECT pg_backend_pid()");
  ASSERT_TRUE(pid.ok());
  ASSERT_TRUE(holder->Begin().ok());
  ASSERT_TRUE(holder->Execute("LOCK TABLE t IN ACCESS SHARE MODE").ok());
  RunResult r = Ratchet("upgrade");
  holder->Rollback();
  EXPECT_EQ(r.exit_code, 1) << r.all();
  EXPECT_THAT(r.err, HasSubstr("gave up; nothing of it stays"));
  EXPECT_THAT(r.err,
              HasSubstr("pid " + pid->rows[0][0].value_or("?") + " (application 'nightly_report'"));
  EXPECT_THAT(r.err, HasSubstr("idle in transaction): LOCK TABLE t IN ACCESS SHARE MODE"));
  EXPECT_THAT(r.err, HasSubstr("the item is not at fault"));
  EXPECT_THAT(r.err, Not(HasSubstr("Next: fix")));
  EXPECT_EQ(Value("SELECT count(*) FROM information_schema.columns WHERE table_name = 't' AND "
                  "column_name = 'name'"),
            "0");
}

// The same on the online path: prepare that never gets its lock reads the
// state back and does not blame the item.
TEST_P(PostgresUpgrade, APrepareWhoseLockNeverComesDoesNotBlameTheItem) {
  WriteSet({{"V1__1__t.sql", "CREATE TABLE t (id integer);\n"}});
  ASSERT_EQ(Ratchet("upgrade").exit_code, 0);
  WriteSet({{"V1__1__t.sql", "CREATE TABLE t (id integer);\n"},
            {"V2__2__add_column.sql",
             "-- ratchet: lock-timeout 50ms\n-- ratchet: prepare\nALTER TABLE t ADD COLUMN name "
             "text;\n-- ratchet: finalize\nSELECT 1;\n-- ratchet: rollback\nALTER TABLE t DROP "
             "COLUMN name;\n"}});
  auto holder = OpenDb(db() + " application_name=nightly_report");
  ASSERT_TRUE(holder);
  ASSERT_TRUE(holder->Begin().ok());
  ASSERT_TRUE(holder->Execute("LOCK TABLE t IN ACCESS SHARE MODE").ok());
  RunResult r = Ratchet("prepare");
  holder->Rollback();
  EXPECT_EQ(r.exit_code, 1) << r.all();
  EXPECT_THAT(r.err, HasSubstr("(application 'nightly_report'"));
  EXPECT_THAT(r.err, HasSubstr("The database is marked failed-prepare."));
  EXPECT_THAT(r.err, HasSubstr("the item is not at fault"));
  EXPECT_THAT(r.err, HasSubstr("ratchet prepare --set"));
  EXPECT_THAT(r.err, Not(HasSubstr("Next: fix")));
  EXPECT_EQ(Value("SELECT count(*) FROM information_schema.columns WHERE table_name = 't' AND "
                  "column_name = 'name'"),
            "0");
}

TEST_P(PostgresUpgrade, StatusJsonMatchesSqliteForTheBookshop) {
  ScratchDir sqlite_dir;
  std::string sqlite_db = "sqlite:" + (sqlite_dir.path() / "shop.db").string();
  for (const std::string& target : {db(), sqlite_db}) {
    RunResult r = RunRatchet({"upgrade", "--set", BookshopSet().string(), "--db", target});
    ASSERT_EQ(r.exit_code, 0) << r.all();
  }
  auto summarise = [](const std::string& out) {
    auto j = nlohmann::json::parse(out);
    std::string s = j["status"].get<std::string>() + " " + j["release"].get<std::string>();
    for (const auto& item : j["items"]) {
      s += " " + item["version"].get<std::string>() + ":" + item["phase"].get<std::string>();
    }
    return s;
  };
  RunResult pg = RunRatchet({"status", "--json", "--set", BookshopSet().string(), "--db", db()});
  RunResult lite =
      RunRatchet({"status", "--json", "--set", BookshopSet().string(), "--db", sqlite_db});
  EXPECT_EQ(summarise(pg.out), summarise(lite.out));
  EXPECT_EQ(summarise(pg.out),
            "active 3.0 V1:applied V2:applied V3:applied V3.1:applied V4:applied V6:applied "
            "V7:applied V8:applied V9:applied V10:applied V11:applied V12:applied");
}

// A role that owns only ratchet's schema, and may create tables in public
// but not schemas in the database, upgrades its database: ratchet looks for
// its schema before it would create one.
TEST_P(PostgresUpgrade, ARoleThatOwnsOnlyItsSchemaCanUpgrade) {
  auto admin = Open();
  ASSERT_TRUE(admin);
  for (const char* sql :
       {"DO $$ BEGIN CREATE ROLE ratchet_schema_owner LOGIN; EXCEPTION WHEN duplicate_object OR "
        "unique_violation THEN NULL; END $$",
        "CREATE SCHEMA ratchet AUTHORIZATION ratchet_schema_owner",
        "GRANT CREATE, USAGE ON SCHEMA public TO ratchet_schema_owner"}) {
    Status s = admin->Execute(sql);
    ASSERT_TRUE(s.ok()) << sql << ": " << s.message();
  }
  WriteSet({{"V1__1__create_t.sql", "CREATE TABLE t (id integer PRIMARY KEY);\n"}});
  RunResult r = RunRatchet(
      {"upgrade", "--set", set_dir().string(), "--db", db() + " user=ratchet_schema_owner"});
  EXPECT_EQ(r.exit_code, 0) << r.all();
  EXPECT_EQ(Value("SELECT tableowner FROM pg_tables WHERE tablename = 't'"),
            "ratchet_schema_owner");
  EXPECT_EQ(Value("SELECT count(*) FROM ratchet.items"), "1");
}

}  // namespace
}  // namespace ratchet::testing
