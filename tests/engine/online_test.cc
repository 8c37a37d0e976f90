// The online path on both engines: prepare, finalize, rollback and freeze,
// on one database and on many, run through the ratchet binary.
#include <algorithm>
#include <atomic>
#include <fstream>
#include <thread>

#include "support/harness.h"

namespace ratchet::testing {
namespace {

#define EXPECT_CONTAINS(haystack, needle) \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << (haystack)

class Online : public EngineTest {
 protected:
  // Runs ratchet `command` with examples/bookshop against `db`.
  RunResult Shop(const std::string& command, const std::string& db,
                 const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {command, "--set", BookshopSet().string(), "--db", db};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunRatchet(args);
  }

  // Everything a user would compare: the schema and every user row.
  std::vector<std::string> Contents(const std::string& db) {
    std::vector<std::string> out = Catalog(db);
    std::vector<std::string> relations =
        is_sqlite() ? RowsOn(db,
                             "SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') "
                             "AND name NOT LIKE 'ratchet_%' AND name NOT LIKE 'sqlite_%'")
                    : RowsOn(db,
                             "SELECT table_name FROM information_schema.tables "
                             "WHERE table_schema = 'public'");
    for (const std::string& table : relations) {
      for (std::string& row : RowsOn(db, "SELECT * FROM " + table + " ORDER BY 1")) {
        out.push_back(table + ": " + row);
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  std::vector<std::string> Phases(const std::string& db) {
    return RowsOn(db, "SELECT version, phase FROM " + Books("items") + " ORDER BY major, minor");
  }

  std::string State(const std::string& db) {
    auto rows =
        RowsOn(db, "SELECT status, CASE WHEN pivoted THEN 1 ELSE 0 END FROM " + Books("state"));
    return rows.empty() ? "" : rows[0];
  }

  // PostgreSQL: a connection to the test's database as `ratchet_app`, an
  // ordinary role that may create tables in schema public, with `extra`
  // libpq keywords (e.g. options='-c name=value').
  std::unique_ptr<Connection> OpenAsApplication(const std::string& extra = "") {
    auto admin = Open();
    if (!admin) return nullptr;
    // Roles belong to the server, which the tests share: create it once.
    Status s = admin->Execute(
        "DO $$ BEGIN CREATE ROLE ratchet_app LOGIN; "
        "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$");
    EXPECT_TRUE(s.ok()) << s.message();
    for (const char* grant : {"GRANT ALL ON SCHEMA public TO ratchet_app",
                              "GRANT ALL ON ALL TABLES IN SCHEMA public TO ratchet_app"}) {
      s = admin->Execute(grant);
      EXPECT_TRUE(s.ok()) << s.message();
    }
    return OpenDb(db() + " user=ratchet_app " + extra);
  }

  // A --targets file naming `dbs`.
  std::string TargetsFile(const std::vector<std::string>& dbs) {
    std::string path = (dir() / "targets.txt").string();
    std::ofstream out(path);
    out << "# databases of this test\n";
    for (const std::string& db : dbs) out << db << "\n";
    return path;
  }
};

TEST_P(Online, PrepareThenFinalizeEndsWhereUpgradeEnds) {
  std::string online = db();
  std::string offline = ExtraDatabase();
  for (const std::string& d : {online, offline}) {
    ASSERT_EQ(Shop("upgrade", d, {"--to", "2.0"}).exit_code, 0);
  }
  RunResult prepared = Shop("prepare", online);
  ASSERT_EQ(prepared.exit_code, 0) << prepared.all();
  EXPECT_CONTAINS(prepared.out, "V10     authors_full_name_expand");
  EXPECT_EQ(State(online), "prepared|0");
  EXPECT_EQ(RowsOn(online, "SELECT count(*) FROM " + Books("items") + " WHERE phase = 'prepared'"),
            std::vector<std::string>{"3"});
  // The old application's view still works while prepared.
  EXPECT_EQ(RowsOn(online, "SELECT name FROM author_sales WHERE author_id = 1"),
            std::vector<std::string>{"Mary Shelley"});

  RunResult finalized = Shop("finalize", online);
  ASSERT_EQ(finalized.exit_code, 0) << finalized.all();
  EXPECT_CONTAINS(finalized.out, "pivoted database '");
  EXPECT_CONTAINS(finalized.out, "point of no return");
  ASSERT_EQ(Shop("upgrade", offline).exit_code, 0);

  EXPECT_EQ(Contents(online), Contents(offline));
  EXPECT_EQ(Phases(online), Phases(offline));
  EXPECT_EQ(State(online), "active|1");
  EXPECT_EQ(RowsOn(online, "SELECT full_name FROM author_sales WHERE author_id = 3"),
            std::vector<std::string>{"Jane Austen"});
}

TEST_P(Online, RollbackAfterPrepareRestoresCatalogAndKeepsTheApplicationsRows) {
  ASSERT_EQ(Shop("upgrade", db(), {"--to", "2.0"}).exit_code, 0);
  std::vector<std::string> before = Contents(db());
  ASSERT_EQ(Shop("prepare", db()).exit_code, 0);
  EXPECT_NE(Contents(db()), before);  // prepare changed the schema
  // The old application writes while prepared.
  auto conn = OpenDb(db());
  ASSERT_TRUE(conn->Execute("INSERT INTO authors (id, name) VALUES (7, 'Mark Twain')").ok());

  RunResult rolled = Shop("rollback", db());
  ASSERT_EQ(rolled.exit_code, 0) << rolled.all();
  EXPECT_CONTAINS(rolled.out, "3 item(s) undone");
  std::vector<std::string> expected = before;
  expected.push_back("authors: 7|Mark Twain");
  expected.push_back("author_sales: 7|Mark Twain|0|0");
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(Contents(db()), expected);
  EXPECT_EQ(State(db()), "active|0");
  EXPECT_EQ(RowsOn(db(), "SELECT count(*) FROM " + Books("items") + " WHERE phase <> 'applied'"),
            std::vector<std::string>{"0"});
  // A second rollback has nothing to do; prepare and finalize still work.
  RunResult again = Shop("rollback", db());
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_CONTAINS(again.out, "Nothing to roll back");
  ASSERT_EQ(Shop("prepare", db()).exit_code, 0);
  ASSERT_EQ(Shop("finalize", db()).exit_code, 0);
  EXPECT_EQ(RowsOn(db(), "SELECT full_name FROM authors WHERE id = 7"),
            std::vector<std::string>{"Mark Twain"});
}

TEST_P(Online, RollbackAfterAFailedPrepareUndoesWhatWasPrepared) {
  WriteSet({{"V1__1__create_t.sql",
             "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);\n"
             "INSERT INTO t (id, a) VALUES (1, 'x');\n"},
            {"V2__2__add_b.sql",
             "-- ratchet: prepare\n"
             "ALTER TABLE t ADD COLUMN b TEXT;\n"
             "CREATE INDEX t_b_idx ON t (b);\n"
             "-- ratchet: finalize\n"
             "UPDATE t SET b = a;\n"
             "-- ratchet: rollback\n"
             "DROP INDEX IF EXISTS t_b_idx;\n"
             "ALTER TABLE t DROP COLUMN b;\n"},
            {"V3__3__broken.sql",
             "-- ratchet: prepare\n"
             "CREATE TABLE u (id INTEGER PRIMARY KEY);\n"
             "INSERT INTO missing_table VALUES (1);\n"
             "-- ratchet: rollback\n"
             "DROP TABLE IF EXISTS u;\n"}});
  ASSERT_EQ(Ratchet("upgrade", {"--to", "V1"}).exit_code, 0);
  std::vector<std::string> before = Contents(db());
  RunResult prepared = Ratchet("prepare");
  EXPECT_EQ(prepared.exit_code, 1) << prepared.all();
  EXPECT_CONTAINS(prepared.err, "items/V3__3__broken.sql:3:");
  EXPECT_CONTAINS(prepared.err, "ratchet rollback");
  EXPECT_EQ(State(db()), "failed-prepare|0");
  EXPECT_EQ(Phases(db()), (std::vector<std::string>{"V1|applied", "V2|prepared"}));
  RunResult status = Ratchet("status");
  EXPECT_CONTAINS(status.out, "failed-prepare");

  // finalize refuses a half-prepared database and names the way out.
  RunResult finalized = Ratchet("finalize");
  EXPECT_EQ(finalized.exit_code, 5) << finalized.all();
  EXPECT_CONTAINS(finalized.err, "prepare did not finish");

  RunResult rolled = Ratchet("rollback");
  ASSERT_EQ(rolled.exit_code, 0) << rolled.all();
  EXPECT_EQ(Contents(db()), before);
  EXPECT_EQ(Phases(db()), std::vector<std::string>{"V1|applied"});
  EXPECT_EQ(State(db()), "active|0");
}

TEST_P(Online, RollbackIsRefusedAfterThePivotNamingTheDatabase) {
  ASSERT_EQ(Shop("upgrade", db(), {"--to", "2.0"}).exit_code, 0);
  ASSERT_EQ(Shop("prepare", db()).exit_code, 0);
  ASSERT_EQ(Shop("finalize", db()).exit_code, 0);
  std::vector<std::string> after = Contents(db());
  RunResult rolled = Shop("rollback", db());
  EXPECT_EQ(rolled.exit_code, 5) << rolled.all();
  EXPECT_CONTAINS(rolled.err, "has pivoted");
  EXPECT_CONTAINS(rolled.err, is_sqlite() ? db() : "/ratchet_e_");
  EXPECT_EQ(Contents(db()), after);
  // finalize again is a no-op.
  RunResult again = Shop("finalize", db());
  EXPECT_EQ(again.exit_code, 0) << again.all();
  EXPECT_CONTAINS(again.out, "Nothing to finalize");
}

TEST_P(Online, ADryRunFailureInOneDatabaseChangesNothingInAny) {
  WriteSet({{"V1__1__create_t.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER);\n"},
            {"V2__2__unique_a.sql", "CREATE UNIQUE INDEX t_a_key ON t (a);\n"}});
  std::string good = db();
  std::string bad = ExtraDatabase();
  for (const std::string& d : {good, bad}) {
    ASSERT_EQ(
        RunRatchet({"upgrade", "--set", set_dir().string(), "--db", d, "--to", "V1"}).exit_code, 0);
  }
  ASSERT_TRUE(OpenDb(bad)->Execute("INSERT INTO t (id, a) VALUES (1, 5), (2, 5)").ok());
  RunResult prepared =
      RunRatchet({"prepare", "--set", set_dir().string(), "--db", good, "--db", bad});
  ASSERT_EQ(prepared.exit_code, 0) << prepared.all();
  std::vector<std::string> good_before = Contents(good), bad_before = Contents(bad);

  RunResult finalized =
      RunRatchet({"finalize", "--set", set_dir().string(), "--db", good, "--db", bad});
  EXPECT_EQ(finalized.exit_code, 1) << finalized.all();
  EXPECT_CONTAINS(finalized.all(), "items/V2__2__unique_a.sql:1:");
  EXPECT_CONTAINS(finalized.all(), "nothing was changed on any database");
  EXPECT_EQ(finalized.all().find("pivoted database"), std::string::npos) << finalized.all();
  for (const std::string& d : {good, bad}) {
    EXPECT_EQ(State(d), "prepared|0");
    EXPECT_EQ(Phases(d), (std::vector<std::string>{"V1|applied", "V2|prepared"}));
  }
  EXPECT_EQ(Contents(good), good_before);
  EXPECT_EQ(Contents(bad), bad_before);
  // Rollback still works everywhere.
  RunResult rolled =
      RunRatchet({"rollback", "--set", set_dir().string(), "--db", good, "--db", bad});
  EXPECT_EQ(rolled.exit_code, 0) << rolled.all();
  EXPECT_EQ(State(bad), "active|0");
}

TEST_P(Online, OneDatabaseRunsItsFinalizeSectionsOnceAndAFailedPivotLeavesItPrepared) {
  // A sequence counts how often the finalize section runs: nextval is not
  // undone by a rollback, so a dry run would count too.
  const std::string counter = is_sqlite() ? "" : "CREATE SEQUENCE finalize_runs;\n";
  const std::string count_run = is_sqlite() ? "" : "SELECT nextval('finalize_runs');\n";
  WriteSet(
      {{"V1__1__create_t.sql", counter + "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER);\n"},
       {"V2__2__unique_a.sql", count_run + "CREATE UNIQUE INDEX t_a_key ON t (a);\n"}});
  std::string one = db();
  std::string two = ExtraDatabase();
  for (const std::string& d : {one, two}) {
    ASSERT_EQ(
        RunRatchet({"upgrade", "--set", set_dir().string(), "--db", d, "--to", "V1"}).exit_code, 0);
    ASSERT_EQ(RunRatchet({"prepare", "--set", set_dir().string(), "--db", d}).exit_code, 0);
  }
  // A duplicate makes the pivot of the first database fail: it stays
  // prepared, with nothing of the pivot kept, and rollback still works.
  ASSERT_TRUE(OpenDb(one)->Execute("INSERT INTO t (id, a) VALUES (1, 5), (2, 5)").ok());
  RunResult failed = RunRatchet({"finalize", "--set", set_dir().string(), "--db", one});
  EXPECT_EQ(failed.exit_code, 1) << failed.all();
  EXPECT_CONTAINS(failed.out, "no separate dry run");
  EXPECT_CONTAINS(failed.all(), "items/V2__2__unique_a.sql:");
  EXPECT_CONTAINS(failed.all(), "it is still prepared");
  EXPECT_EQ(State(one), "prepared|0");
  EXPECT_EQ(Phases(one), (std::vector<std::string>{"V1|applied", "V2|prepared"}));
  EXPECT_EQ(RunRatchet({"rollback", "--set", set_dir().string(), "--db", one}).exit_code, 0);
  EXPECT_EQ(State(one), "active|0");

  // SQLite has no counter that a rollback leaves alone: there the fault
  // trace counts the statements ratchet sends to the engine.
  const std::string trace = (dir() / "finalize.trace").string();
  RunResult finalized = RunRatchet({"finalize", "--set", set_dir().string(), "--db", two},
                                   {"RATCHET_FAULT_TRACE=" + trace});
  ASSERT_EQ(finalized.exit_code, 0) << finalized.all();
  EXPECT_CONTAINS(finalized.out, "pivoted database");
  EXPECT_EQ(State(two), "active|1");
  EXPECT_EQ(Phases(two), (std::vector<std::string>{"V1|applied", "V2|applied"}));
  // Once: the pivot alone ran the section.
  if (is_sqlite()) {
    std::ifstream in(trace);
    int sent = 0;
    for (std::string line; std::getline(in, line);) sent += line.rfind("statement.before ", 0) == 0;
    EXPECT_EQ(sent, 1) << "V2's finalize section holds one statement";
  } else {
    EXPECT_EQ(RowsOn(two, "SELECT last_value FROM finalize_runs"), (std::vector<std::string>{"1"}));
  }
}

TEST_P(Online, FinalizeRetriedAfterAnInterruptionSkipsPivotedDatabases) {
  std::string first = db();
  std::string second = ExtraDatabase();
  for (const std::string& d : {first, second}) {
    ASSERT_EQ(Shop("upgrade", d, {"--to", "2.0"}).exit_code, 0);
  }
  ASSERT_EQ(RunRatchet({"prepare", "--set", BookshopSet().string(), "--db", first, "--db", second})
                .exit_code,
            0);
  // An interrupted finalize: the first database pivoted, the second did not.
  ASSERT_EQ(Shop("finalize", first).exit_code, 0);
  EXPECT_EQ(State(first), "active|1");
  EXPECT_EQ(State(second), "prepared|0");
  // Rollback now refuses the pivoted one and would undo the other: the
  // operator goes forward instead.
  RunResult retry =
      RunRatchet({"finalize", "--set", BookshopSet().string(), "--db", first, "--db", second});
  ASSERT_EQ(retry.exit_code, 0) << retry.all();
  EXPECT_CONTAINS(retry.out, "pivoted earlier: skipped");
  EXPECT_EQ(State(second), "active|1");
  EXPECT_EQ(Contents(first), Contents(second));
}

TEST_P(Online, FiftyDatabasesWithFourJobsOneFailingIsReportedAndResumable) {
  WriteSet({{"V1__1__create_t.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);\n"},
            {"V2__2__seed.sql", "INSERT INTO t (id, a) VALUES (1, 'one');\n"},
            {"V3__3__index.sql", "CREATE INDEX t_a_idx ON t (a);\n"}});
  std::vector<std::string> dbs = {db()};
  while (dbs.size() < 50) dbs.push_back(ExtraDatabase());
  // One database already has a table in the way.
  const std::string& broken = dbs[17];
  ASSERT_TRUE(OpenDb(broken)->Execute("CREATE TABLE t (other INTEGER)").ok());
  std::string targets = TargetsFile(dbs);

  // The checks before an upgrade would catch the table in the way (exit 3,
  // nothing changed); skipped here, the upgrade meets it and fails.
  RunResult checked =
      RunRatchet({"upgrade", "--set", set_dir().string(), "--targets", targets, "--jobs", "4"});
  EXPECT_EQ(checked.exit_code, 3) << checked.all();
  EXPECT_CONTAINS(checked.out, "Summary of 50 databases: 1 problems, 49 upgraded.");
  RunResult first = RunRatchet({"upgrade", "--set", set_dir().string(), "--targets", targets,
                                "--jobs", "4", "--skip-check"});
  EXPECT_EQ(first.exit_code, 1) << first.all();
  EXPECT_CONTAINS(first.out, "Summary of 50 databases: 1 failed, 49 up to date.");
  EXPECT_CONTAINS(first.out, "1 of 50 databases did not finish");
  EXPECT_CONTAINS(first.out, "items/V1__1__create_t.sql:1:");
  for (size_t i = 0; i < dbs.size(); ++i) {
    if (i == 17) continue;
    EXPECT_EQ(RowsOn(dbs[i], "SELECT count(*) FROM " + Books("items")),
              std::vector<std::string>{"3"})
        << dbs[i];
  }
  EXPECT_EQ(State(broken), "failed-upgrade|0");

  ASSERT_TRUE(OpenDb(broken)->Execute("DROP TABLE t").ok());
  RunResult again =
      RunRatchet({"upgrade", "--set", set_dir().string(), "--targets", targets, "--jobs", "4"});
  EXPECT_EQ(again.exit_code, 0) << again.all();
  EXPECT_CONTAINS(again.out, "Summary of 50 databases: 49 up to date, 1 upgraded.");
  EXPECT_EQ(RowsOn(broken, "SELECT a FROM t"), std::vector<std::string>{"one"});

  RunResult status =
      RunRatchet({"status", "--set", set_dir().string(), "--targets", targets, "--jobs", "4"});
  EXPECT_EQ(status.exit_code, 0) << status.all();
  EXPECT_CONTAINS(status.out, "Summary of 50 databases: 50 active.");
}

TEST_P(Online, APatternNamesTheMatchingDatabasesOfTheServer) {
  if (is_sqlite()) GTEST_SKIP() << "a pattern names databases of a PostgreSQL server";
  WriteSet({{"V1__1__create_t.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);\n"}});
  std::vector<std::string> tenants;
  while (tenants.size() < 5) tenants.push_back(ExtraDatabase());
  ASSERT_EQ(RunRatchet({"upgrade", "--set", set_dir().string(), "--targets", TargetsFile(tenants),
                        "--jobs", "4"})
                .exit_code,
            0);
  // The test's own database matches no pattern below and stays new.
  std::string name = db().substr(db().find("dbname=") + 7);
  RunResult by_pattern = RunRatchet({"status", "--set", set_dir().string(), "--db", db(),
                                     "--databases", name + "\\_x%", "--jobs", "4"});
  EXPECT_EQ(by_pattern.exit_code, 0) << by_pattern.all();
  EXPECT_CONTAINS(by_pattern.out, "Summary of 5 databases: 5 active.");
  RunResult upgraded = RunRatchet(
      {"upgrade", "--set", set_dir().string(), "--db", db(), "--databases", name + "\\_x%"});
  EXPECT_EQ(upgraded.exit_code, 0) << upgraded.all();
  EXPECT_TRUE(Tables().empty());
  RunResult none = RunRatchet(
      {"status", "--set", set_dir().string(), "--db", db(), "--databases", "no\\_such\\_tenant%"});
  EXPECT_EQ(none.exit_code, 2) << none.all();
  EXPECT_CONTAINS(none.err, "no database on");
}

TEST_P(Online, WritersRunningThroughoutPrepareSeeNoError) {
  ASSERT_EQ(Shop("upgrade", db(), {"--to", "2.0"}).exit_code, 0);
  if (is_sqlite()) {
    // An application that writes while others work on the file uses WAL, so
    // readers and the writer do not block each other.
    ASSERT_TRUE(Open()->Query("PRAGMA journal_mode = WAL").ok());
  }
  std::atomic<bool> stop{false};
  std::atomic<int> writes{0};
  std::vector<std::string> errors;
  std::thread writer([&] {
    auto conn = OpenDb(db());
    for (int id = 1000; !stop; ++id) {
      Status s = conn->Execute("INSERT INTO authors (id, name) VALUES ($1, $2)",
                               {int64_t{id}, "Writer " + std::to_string(id)});
      if (s.ok())
        s = conn->Execute("UPDATE authors SET name = name || '!' WHERE id = $1", {int64_t{id - 1}});
      if (s.ok()) s = conn->Query("SELECT count(*) FROM author_sales").status();
      if (!s.ok()) errors.push_back(s.message());
      ++writes;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  while (writes < 20) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  RunResult prepared = Shop("prepare", db());
  int during = writes;
  while (writes < during + 20) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  stop = true;
  writer.join();
  ASSERT_EQ(prepared.exit_code, 0) << prepared.all();
  EXPECT_TRUE(errors.empty()) << errors.front();
  // Every row the old application wrote, before, during and after prepare,
  // has its full_name in step.
  EXPECT_EQ(RowsOn(db(),
                   "SELECT count(*) FROM authors WHERE full_name IS NULL OR "
                   "full_name <> name"),
            std::vector<std::string>{"0"});
  ASSERT_EQ(Shop("finalize", db()).exit_code, 0);
  EXPECT_EQ(RowsOn(db(), "SELECT full_name FROM authors WHERE id = 1000"),
            std::vector<std::string>{"Writer 1000!"});
}

// SQLite cannot refuse another process's DDL: freeze and prepare --freeze
// say so, and change nothing.
TEST_P(Online, FreezeOnSqliteSaysItDoesNotApplyAndChangesNothing) {
  if (!is_sqlite()) GTEST_SKIP() << "PostgreSQL's freeze is tested below";
  ASSERT_EQ(Shop("upgrade", db(), {"--to", "2.0"}).exit_code, 0);
  const std::vector<std::string> before = Contents(db());
  RunResult frozen = Shop("freeze", db());
  EXPECT_EQ(frozen.exit_code, 0) << frozen.all();
  EXPECT_CONTAINS(frozen.out, "does not apply");
  EXPECT_EQ(Contents(db()), before);
  RunResult status = Shop("status", db());
  EXPECT_EQ(status.out.find("Freeze:"), std::string::npos) << status.out;
  // The application's DDL still works.
  auto app = Open();
  ASSERT_TRUE(app->Execute("CREATE TABLE x (a INTEGER)").ok());
  ASSERT_TRUE(app->Execute("DROP TABLE x").ok());
  RunResult prepared = Shop("prepare", db(), {"--freeze"});
  EXPECT_EQ(prepared.exit_code, 0) << prepared.all();
  EXPECT_CONTAINS(prepared.out, "--freeze does not apply to SQLite");
  EXPECT_EQ(State(db()), "prepared|0");
  ASSERT_TRUE(app->Execute("CREATE TABLE x (a INTEGER)").ok());
}

TEST_P(Online, FreezeRefusesOtherSessionsDdlWhileWritesGoOn) {
  if (is_sqlite()) GTEST_SKIP() << "SQLite has no freeze (see FreezeOnSqliteSaysItDoesNotApply...)";
  WriteSet({{"V1__1__create_t.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);\n"},
            {"V2__2__add_b.sql", "ALTER TABLE t ADD COLUMN b TEXT;\n"}});
  ASSERT_EQ(Ratchet("upgrade", {"--to", "V1"}).exit_code, 0);
  RunResult frozen = Ratchet("freeze");
  ASSERT_EQ(frozen.exit_code, 0) << frozen.all();
  // The application connects as an ordinary role, as applications do.
  auto app = OpenAsApplication();
  ASSERT_TRUE(app);
  Status ddl = app->Execute("CREATE TABLE x (a INTEGER)");
  ASSERT_FALSE(ddl.ok());
  EXPECT_CONTAINS(ddl.message(), "ratchet: DDL is frozen in database");
  EXPECT_CONTAINS(ddl.message(), "CREATE TABLE refused");
  EXPECT_TRUE(app->Execute("INSERT INTO t (id, a) VALUES (1, 'x')").ok());
  EXPECT_TRUE(app->Execute("UPDATE t SET a = 'y' WHERE id = 1").ok());
  EXPECT_TRUE(app->Query("SELECT a FROM t").ok());
  RunResult status = Ratchet("status");
  EXPECT_CONTAINS(status.out, "DDL frozen");
  // ratchet's own sessions still change the schema.
  RunResult upgraded = Ratchet("upgrade");
  EXPECT_EQ(upgraded.exit_code, 0) << upgraded.all();
  EXPECT_EQ(Value("SELECT count(*) FROM information_schema.columns WHERE table_name = 't'"), "3");

  RunResult thawed = Ratchet("thaw");
  ASSERT_EQ(thawed.exit_code, 0) << thawed.all();
  EXPECT_TRUE(app->Execute("CREATE TABLE x (a INTEGER)").ok());
  EXPECT_EQ(Value("SELECT count(*) FROM pg_event_trigger"), "0");
}

TEST_P(Online, FreezeHoldsAgainstAnOrdinaryRoleTryingEveryWayIn) {
  if (is_sqlite()) GTEST_SKIP() << "SQLite has no freeze to get around";
  WriteSet({{"V1__1__create_t.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);\n"},
            {"V2__2__add_b.sql", "ALTER TABLE t ADD COLUMN b TEXT;\n"}});
  ASSERT_EQ(Ratchet("upgrade", {"--to", "V1"}).exit_code, 0);
  auto setup = OpenAsApplication();  // the role exists before the freeze
  ASSERT_TRUE(setup);
  RunResult frozen = Ratchet("freeze");
  ASSERT_EQ(frozen.exit_code, 0) << frozen.all();

  auto refused = [&](Connection& app, const std::string& how) {
    Status ddl = app.Execute("CREATE TABLE sneaked_in (a integer)");
    EXPECT_FALSE(ddl.ok()) << how << " got around the freeze";
    EXPECT_CONTAINS(ddl.message(), "DDL is frozen");
  };
  auto app = OpenAsApplication();
  ASSERT_TRUE(app);
  refused(*app, "nothing");
  // The setting earlier versions of ratchet trusted, every way it can be set.
  EXPECT_TRUE(app->Execute("SET ratchet.freeze_bypass = on").ok());
  refused(*app, "SET");
  EXPECT_TRUE(app->Query("SELECT set_config('ratchet.freeze_bypass', 'on', false)").ok());
  refused(*app, "set_config");
  auto with_options = OpenAsApplication("options='-c ratchet.freeze_bypass=on'");
  ASSERT_TRUE(with_options);
  refused(*with_options, "PGOPTIONS");
  // PostgreSQL lets an ordinary role keep a placeholder setting only where
  // it was granted SET on it; where that works, it changes nothing.
  if (app->Execute("ALTER ROLE ratchet_app SET ratchet.freeze_bypass = on").ok()) {
    auto with_role_setting = OpenAsApplication();
    ASSERT_TRUE(with_role_setting);
    refused(*with_role_setting, "ALTER ROLE ... SET");
    EXPECT_TRUE(app->Execute("ALTER ROLE ratchet_app RESET ALL").ok());
  }
  // Listing itself among ratchet's sessions, or replacing, disabling or
  // dropping the guard.
  Status s = app->Execute(
      "INSERT INTO ratchet.ddl_freeze_sessions SELECT pid, backend_start FROM pg_stat_activity "
      "WHERE pid = pg_backend_pid()");
  EXPECT_FALSE(s.ok());
  EXPECT_CONTAINS(s.message(), "permission denied");
  refused(*app, "INSERT into the session list");
  EXPECT_FALSE(app->Execute("CREATE OR REPLACE FUNCTION ratchet.ddl_freeze_guard() RETURNS "
                            "event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$")
                   .ok());
  EXPECT_FALSE(app->Execute("ALTER EVENT TRIGGER ratchet_ddl_freeze DISABLE").ok());
  EXPECT_FALSE(app->Execute("DROP EVENT TRIGGER ratchet_ddl_freeze").ok());
  EXPECT_FALSE(app->Execute("DROP FUNCTION ratchet.ddl_freeze_guard() CASCADE").ok());
  EXPECT_FALSE(app->Execute("DROP TABLE ratchet.ddl_freeze_sessions").ok());
  refused(*app, "tampering with the guard");
  EXPECT_EQ(Value("SELECT count(*) FROM pg_event_trigger WHERE evtenabled = 'O'"), "1");
  EXPECT_EQ(Value("SELECT count(*) FROM pg_class WHERE relname = 'sneaked_in'"), "0");

  // ratchet's own sessions still change the schema, and thaw lifts it.
  RunResult upgraded = Ratchet("upgrade");
  EXPECT_EQ(upgraded.exit_code, 0) << upgraded.all();
  EXPECT_EQ(Value("SELECT count(*) FROM information_schema.columns WHERE table_name = 't'"), "3");
  ASSERT_EQ(Ratchet("thaw").exit_code, 0);
  EXPECT_TRUE(app->Execute("CREATE TABLE sneaked_in (a integer)").ok());
  EXPECT_EQ(Value("SELECT count(*) FROM pg_class WHERE relname = 'ddl_freeze_sessions'"), "0");
}

TEST_P(Online, PrepareWithFreezeIsThawedByFinalizeAndByRollback) {
  if (is_sqlite()) GTEST_SKIP() << "SQLite has no freeze (see FreezeOnSqliteSaysItDoesNotApply...)";
  ASSERT_EQ(Shop("upgrade", db(), {"--to", "2.0"}).exit_code, 0);
  ASSERT_EQ(Shop("prepare", db(), {"--freeze"}).exit_code, 0);
  EXPECT_EQ(Value("SELECT count(*) FROM pg_event_trigger"), "1");
  ASSERT_EQ(Shop("rollback", db()).exit_code, 0);
  EXPECT_EQ(Value("SELECT count(*) FROM pg_event_trigger"), "0");
  ASSERT_EQ(Shop("prepare", db(), {"--freeze"}).exit_code, 0);
  ASSERT_EQ(Shop("finalize", db()).exit_code, 0);
  EXPECT_EQ(Value("SELECT count(*) FROM pg_event_trigger"), "0");
}

TEST_P(Online, RollbackRefusesToDropWhatTheApplicationBuiltOnIt) {
  ASSERT_EQ(Shop("upgrade", db(), {"--to", "2.0"}).exit_code, 0);
  ASSERT_EQ(Shop("prepare", db()).exit_code, 0);
  auto app = Open();
  ASSERT_TRUE(app->Execute("CREATE VIEW app_names AS SELECT full_name FROM authors").ok());
  std::vector<std::string> before = Contents(db());
  RunResult rolled = Shop("rollback", db());
  if (is_sqlite()) {
    // SQLite itself refuses to drop a column a view reads; the rollback
    // stops there, says why, and can be run again once the view is gone.
    EXPECT_EQ(rolled.exit_code, 1) << rolled.all();
    EXPECT_CONTAINS(rolled.err, "app_names");
    EXPECT_EQ(Phases(db()).back(), "V10|prepared");
  } else {
    // On PostgreSQL ratchet asks pg_depend before anything is dropped.
    EXPECT_EQ(rolled.exit_code, 5) << rolled.all();
    EXPECT_CONTAINS(rolled.err, "view app_names depends on authors.full_name");
    EXPECT_CONTAINS(rolled.err, "Nothing was rolled back");
    EXPECT_EQ(Contents(db()), before);
    EXPECT_EQ(State(db()), "prepared|0");
  }
  ASSERT_TRUE(app->Execute("DROP VIEW app_names").ok());
  RunResult again = Shop("rollback", db());
  EXPECT_EQ(again.exit_code, 0) << again.all();
  EXPECT_EQ(State(db()), "active|0");
  EXPECT_EQ(RowsOn(db(), "SELECT count(*) FROM " + Books("items") + " WHERE phase <> 'applied'"),
            std::vector<std::string>{"0"});
}

TEST_P(Online, AnItemThatCannotPivotIsRefusedBeforeAnythingRuns) {
  WriteSet({{"V1__1__create_t.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);\n"},
            {"V2__2__prepare_only.sql", "-- ratchet: prepare\nCREATE TABLE u (id INTEGER);\n"}});
  RunResult prepared = Ratchet("prepare");
  EXPECT_EQ(prepared.exit_code, 2) << prepared.all();
  EXPECT_CONTAINS(prepared.err,
                  "items/V2__2__prepare_only.sql: has a prepare section but no "
                  "rollback section");
  EXPECT_TRUE(Tables().empty());
}

RATCHET_ALL_ENGINES(Online);

}  // namespace
}  // namespace ratchet::testing

namespace ratchet::testing {
namespace {

class PreChecks : public EngineTest {};

TEST_P(PreChecks, UpgradeAndPrepareStopOnAProblemUnlessToldToSkipTheCheck) {
  WriteSet({{"V1__1__create_users.sql",
             "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);\n"
             "INSERT INTO users (id, email) VALUES (1, 'a@example.com'), (2, 'a@example.com');\n"},
            {"V2__2__unique_email.sql",
             "-- ratchet: check\n"
             "SELECT email, count(*) FROM users GROUP BY email HAVING count(*) > 1;\n"
             "-- ratchet: finalize\n"
             "CREATE UNIQUE INDEX users_email_key ON users (email);\n"}});
  ASSERT_EQ(Ratchet("upgrade", {"--to", "V1"}).exit_code, 0);
  for (const char* command : {"upgrade", "prepare"}) {
    RunResult r = Ratchet(command);
    EXPECT_EQ(r.exit_code, 3) << command << ": " << r.all();
    EXPECT_NE(r.all().find("V2"), std::string::npos) << r.all();
    EXPECT_NE(r.all().find("a@example.com"), std::string::npos) << r.all();
    EXPECT_NE(r.err.find("--skip-check"), std::string::npos) << r.err;
    EXPECT_EQ(Value("SELECT count(*) FROM " + Books("items")), "1");
    EXPECT_EQ(Value("SELECT status FROM " + Books("state")), "active");
  }
  // Skipping the check lets the upgrade meet the problem itself.
  RunResult skipped = Ratchet("upgrade", {"--skip-check"});
  EXPECT_EQ(skipped.exit_code, 1) << skipped.all();
  ASSERT_TRUE(Open()->Execute("DELETE FROM users WHERE id = 2").ok());
  RunResult clean = Ratchet("upgrade");
  EXPECT_EQ(clean.exit_code, 0) << clean.all();
}

RATCHET_ALL_ENGINES(PreChecks);

}  // namespace
}  // namespace ratchet::testing
