// `ratchet verify` on SQLite and PostgreSQL: the bookshop reaches its fresh
// install from every release and from empty; a missing default, an extra
// index and items that are not idempotent are caught and named; scratch
// databases never outlive the run.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "snapshot/checks_fixture.h"

namespace ratchet::testing {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

class Verify : public ChecksTest {
 protected:
  // A two-release set: 1.0 creates tickets, 2.0 (V2) adds a priority column.
  void WriteTicketSet(const std::string& v2, const std::string& fresh_2_0) {
    WriteSet({{"V1__1__create_tickets.sql", kTickets}, {"V2__2__add_priority.sql", v2}},
             "[[release]]\nname = \"1.0\"\nhead = \"V1\"\n"
             "[[release]]\nname = \"2.0\"\nhead = \"V2\"\n");
    WriteSchema("1.0", kTickets);
    WriteSchema("2.0", fresh_2_0);
  }

  static constexpr const char* kTickets =
      "CREATE TABLE tickets (id INTEGER PRIMARY KEY, status TEXT NOT NULL DEFAULT 'open');\n";

  // How many scratch databases of the ratchet process `pid` are left on the
  // test server.
  static std::string LeftOnServer(int pid) {
    auto admin = Connect(*ParseTarget(std::getenv("RATCHET_TEST_PG")), {});
    EXPECT_TRUE(admin.ok());
    auto r =
        (*admin)->Query("SELECT count(*) FROM pg_database WHERE datname LIKE $1",
                        {ratchet::Value("ratchet\\_scratch\\_" + std::to_string(pid) + "\\_%")});
    EXPECT_TRUE(r.ok());
    return r.ok() ? r->rows[0][0].value_or("") : "?";
  }
};
RATCHET_ALL_ENGINES(Verify);

TEST_P(Verify, BookshopReachesItsFreshInstallFromEveryReleaseAndFromEmpty) {
  CopyBookshop();
  RunResult r = RatchetWithScratch("verify");
  ASSERT_EQ(r.exit_code, 0) << r.all();
  for (const char* from : {"empty", "1.0", "1.1", "2.0", "3.0"}) {
    EXPECT_THAT(r.out, ContainsRegex(std::string("from ") + from + " +by upgrade +ok\n")) << from;
    EXPECT_THAT(r.out,
                ContainsRegex(std::string("from ") + from + " +by prepare \\+ finalize +ok\n"))
        << from;
  }
  EXPECT_THAT(r.out, HasSubstr("all 10 run(s) reach exactly the fresh install of 3.0"));
}

// Real sets have releases that changed nothing for an engine (two releases
// with one head) and items written after the newest release: both paths
// treat the empty step as nothing to do, and verify says which items no
// release covers instead of failing.
TEST_P(Verify, ReleasesSharingAHeadAndItemsBeyondTheNewestReleaseVerify) {
  WriteSet({{"V1__1__create_tickets.sql", kTickets},
            {"V2__2__add_priority.sql", "ALTER TABLE tickets ADD COLUMN priority INTEGER;\n"},
            {"V3__3__not_released_yet.sql", "CREATE TABLE drafts (id INTEGER PRIMARY KEY);\n"}},
           "[[release]]\nname = \"1.0\"\nhead = \"V1\"\n"
           "[[release]]\nname = \"1.1\"\nhead = \"V1\"\n"
           "[[release]]\nname = \"2.0\"\nhead = \"V2\"\n");
  WriteSchema("1.0", kTickets);
  WriteSchema("1.1", kTickets);
  WriteSchema("2.0",
              "CREATE TABLE tickets (id INTEGER PRIMARY KEY, status TEXT NOT NULL DEFAULT "
              "'open', priority INTEGER);\n");
  RunResult r = RatchetWithScratch("verify");
  EXPECT_EQ(r.exit_code, 0) << r.all();
  for (const char* from : {"empty", "1.0", "1.1", "2.0"}) {
    EXPECT_THAT(r.out,
                ContainsRegex(std::string("from ") + from + " +by prepare \\+ finalize +ok\n"))
        << from;
  }
  EXPECT_THAT(r.out, HasSubstr("1 item(s) lie beyond release 2.0, the newest: V3"));
  EXPECT_THAT(r.out, HasSubstr("declare a [[release]] whose head is V3"));
  EXPECT_THAT(r.out, HasSubstr("all 8 run(s) reach exactly the fresh install of 2.0"));
}

TEST_P(Verify, AnItemThatLeavesOutAColumnDefaultIsCaughtAndNamed) {
  WriteTicketSet("ALTER TABLE tickets ADD COLUMN priority INTEGER;\n",
                 "CREATE TABLE tickets (id INTEGER PRIMARY KEY, status TEXT NOT NULL DEFAULT "
                 "'open', priority INTEGER DEFAULT 3);\n");
  RunResult r = RatchetWithScratch("verify");
  EXPECT_EQ(r.exit_code, 3) << r.all();
  EXPECT_THAT(r.out, ContainsRegex("from empty +by upgrade +1 difference\\(s\\)\n +column "
                                   "tickets.priority: default 3 → \\(none\\)\n"));
  EXPECT_THAT(r.out, ContainsRegex("from 1.0 +by upgrade +1 difference\\(s\\)\n +column "
                                   "tickets.priority: default 3 → \\(none\\)\n"));
  EXPECT_THAT(r.out,
              ContainsRegex("from 1.0 +by prepare \\+ finalize +1 difference\\(s\\)\n +column "
                            "tickets.priority: default 3 → \\(none\\)\n"));
  EXPECT_THAT(r.out, ContainsRegex("from 2.0 +by upgrade +ok\n"));
  EXPECT_THAT(r.out, HasSubstr("4 of 6 run(s) do not reach the fresh install of 2.0"));
}

TEST_P(Verify, AnIndexTheFreshSchemaDoesNotHaveIsCaughtAndNamed) {
  WriteTicketSet(
      "ALTER TABLE tickets ADD COLUMN priority INTEGER;\n"
      "CREATE INDEX tickets_status_idx ON tickets (status);\n",
      "CREATE TABLE tickets (id INTEGER PRIMARY KEY, status TEXT NOT NULL DEFAULT 'open', "
      "priority INTEGER);\n");
  RunResult r = RatchetWithScratch("verify");
  EXPECT_EQ(r.exit_code, 3) << r.all();
  EXPECT_THAT(r.out, ContainsRegex("from 1.0 +by upgrade +1 difference\\(s\\)\n +index "
                                   "tickets_status_idx on tickets: only in the upgraded database"));
  EXPECT_THAT(r.out, ContainsRegex("from empty +by upgrade +1 difference"));
}

TEST_P(Verify, ItemsThatAreNotIdempotentAreCaughtAndNamed) {
  const char* fresh =
      "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, note TEXT);\n"
      "CREATE VIEW v AS SELECT id, name FROM t;\n"
      "CREATE INDEX t_name_idx ON t (name);\n";
  WriteSet(
      {{"V1__1__create_t.sql",
        "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, "
        "name TEXT);\n"},
       {"V2__2__add_note.sql", "ALTER TABLE t ADD COLUMN note TEXT;\n"},
       {"V3__3__first_view.sql", "DROP VIEW IF EXISTS v;\nCREATE VIEW v AS SELECT id FROM t;\n"},
       {"V4__4__wider_view.sql",
        "DROP VIEW IF EXISTS v;\nCREATE VIEW v AS SELECT id, name FROM t;\n"},
       // PostgreSQL names an unnamed index itself, again on each run.
       {"V5__5__index_names.postgresql.sql", "CREATE INDEX ON t (name);\n"},
       {"V5__5__index_names.sqlite.sql", "CREATE INDEX IF NOT EXISTS t_name_idx ON t (name);\n"}},
      "[[release]]\nname = \"1.0\"\nhead = \"V5\"\n");
  WriteSchema("1.0", fresh);
  RunResult r = RatchetWithScratch("verify", {"--idempotent"});
  EXPECT_EQ(r.exit_code, 3) << r.all();
  EXPECT_THAT(r.out, ContainsRegex("from empty +by upgrade +ok\n"));
  EXPECT_THAT(r.out, HasSubstr("V1      items/V1__1__create_t.sql: idempotent\n"));
  EXPECT_THAT(r.out, HasSubstr("V2      items/V2__2__add_note.sql: fails when applied again\n"));
  EXPECT_THAT(r.out, HasSubstr("items/V2__2__add_note.sql:1:1: "));
  EXPECT_THAT(r.out, HasSubstr("V3      items/V3__3__first_view.sql: changes the schema when "
                               "applied again\n"));
  EXPECT_THAT(r.out, HasSubstr("      view v: definition "));
  // V4 only puts back what V3's second run changed.
  EXPECT_THAT(r.out, HasSubstr("V4      items/V4__4__wider_view.sql: idempotent\n"));
  if (is_sqlite()) {
    EXPECT_THAT(r.out, HasSubstr("V5__5__index_names.sqlite.sql: idempotent\n"));
    EXPECT_THAT(r.out, HasSubstr("2 of 5 item(s) are not idempotent"));
  } else {
    EXPECT_THAT(r.out, HasSubstr("V5__5__index_names.postgresql.sql: changes the schema when "
                                 "applied again\n"));
    EXPECT_THAT(r.out, HasSubstr("      index t_name_idx1 on t: only in the second run"));
    EXPECT_THAT(r.out, HasSubstr("3 of 5 item(s) are not idempotent"));
  }
}

TEST_P(Verify, ScratchDatabasesAreRemovedAlsoWhenARunFails) {
  WriteTicketSet("ALTER TABLE tickets ADD COLUMN priority INTEGER;\n",
                 "CREATE TABLE tickets (id INTEGER PRIMARY KEY, status TEXT NOT NULL DEFAULT "
                 "'open', priority INTEGER);\n");
  WriteSchema("1.0", "CREATE TABLE tickets (id INTEGER PRIMARY KEY);\n\nCREATE TABLE broken (;\n");
  std::vector<std::string> args = {"verify", "--set", set_dir().string(), "--db", db()};
  for (const std::string& a : ScratchArgs()) args.push_back(a);
  RunResult r;
  if (is_sqlite()) {
    ScratchDir tmp;
    r = RunRatchet(args, {"TMPDIR=" + tmp.path().string()});
    EXPECT_TRUE(std::filesystem::is_empty(tmp.path())) << "scratch files were left behind";
  } else {
    BackgroundRun run(args);
    r = run.Wait();
    EXPECT_EQ(LeftOnServer(run.pid()), "0") << "scratch databases were left behind";
  }
  EXPECT_EQ(r.exit_code, 3) << r.all();
  EXPECT_THAT(r.out, ContainsRegex("from 1.0 +by upgrade +failed\n +schema/1.0.sql:3:"));
  EXPECT_THAT(r.out, ContainsRegex("from empty +by upgrade +ok\n"));
}

// What a verify that was killed left behind is removed by the next one, and
// said; what a live run holds is left alone.
TEST_P(Verify, ScratchLeftByADeadRunIsReclaimedAndALiveRunsIsNot) {
  WriteTicketSet("ALTER TABLE tickets ADD COLUMN priority INTEGER;\n",
                 "CREATE TABLE tickets (id INTEGER PRIMARY KEY, status TEXT NOT NULL DEFAULT "
                 "'open', priority INTEGER);\n");
  std::string dead;
  std::unique_ptr<Connection> live_owner;
  std::unique_ptr<Connection> live_elsewhere;
  if (is_sqlite()) {
    // A process that is gone: a child that exited.
    pid_t child = fork();
    if (child == 0) _exit(0);
    waitpid(child, nullptr, 0);
    dead = (std::filesystem::temp_directory_path() /
            ("ratchet-scratch-" + std::to_string(child) + "-abcdef"))
               .string();
    std::filesystem::create_directories(dead);
    WriteFile(std::filesystem::path(dead) / "scratch-1.db", "");
  } else {
    auto admin = AdminConnection();
    dead = "ratchet_scratch_999999_dead_1";
    ASSERT_TRUE(admin->Execute("DROP DATABASE IF EXISTS " + dead).ok());
    ASSERT_TRUE(admin->Execute("CREATE DATABASE " + dead).ok());
    // A live run's database: its lease is held.
    live_owner = AdminConnection();
    ASSERT_TRUE(live_owner->Execute("DROP DATABASE IF EXISTS ratchet_scratch_888888_live_1").ok());
    ASSERT_TRUE(live_owner->Execute("CREATE DATABASE ratchet_scratch_888888_live_1").ok());
    ASSERT_TRUE(
        live_owner->Query("SELECT pg_advisory_lock(hashtext('ratchet_scratch_888888_live'))").ok());
    // A live run whose admin session is on another database of the server,
    // where its advisory lock is out of this run's sight: its session is not.
    live_elsewhere = OpenDb(ExtraDatabase());
    ASSERT_TRUE(live_elsewhere);
    ASSERT_TRUE(admin->Execute("DROP DATABASE IF EXISTS ratchet_scratch_777777_live_1").ok());
    ASSERT_TRUE(admin->Execute("CREATE DATABASE ratchet_scratch_777777_live_1").ok());
    ASSERT_TRUE(live_elsewhere
                    ->Query("SELECT pg_advisory_lock(hashtext('ratchet_scratch_777777_live')), "
                            "set_config('application_name', 'ratchet scratch lease "
                            "ratchet_scratch_777777_live', false)")
                    .ok());
  }
  RunResult r = RatchetWithScratch("verify");
  EXPECT_EQ(r.exit_code, 0) << r.all();
  // Another verify of the test run, in parallel, may have reclaimed it
  // first; when this one did, it says so.
  if (r.out.find(dead) != std::string::npos) {
    EXPECT_THAT(r.out, HasSubstr("scratch database(s) left by a verify that died"));
  }
  if (is_sqlite()) {
    EXPECT_FALSE(std::filesystem::exists(dead));
  } else {
    auto admin = AdminConnection();
    auto left = admin->Query(
        "SELECT datname FROM pg_database WHERE datname IN ('ratchet_scratch_999999_dead_1', "
        "'ratchet_scratch_888888_live_1', 'ratchet_scratch_777777_live_1') ORDER BY 1");
    ASSERT_TRUE(left.ok());
    ASSERT_EQ(left->rows.size(), 2u);
    EXPECT_EQ(left->rows[0][0].value_or(""), "ratchet_scratch_777777_live_1");
    EXPECT_EQ(left->rows[1][0].value_or(""), "ratchet_scratch_888888_live_1");
    EXPECT_THAT(r.out, Not(HasSubstr("ratchet_scratch_888888_live_1")));
    live_owner.reset();
    live_elsewhere.reset();
    EXPECT_TRUE(admin->Execute("DROP DATABASE ratchet_scratch_888888_live_1").ok());
    EXPECT_TRUE(admin->Execute("DROP DATABASE ratchet_scratch_777777_live_1").ok());
  }
}

TEST_P(Verify, TheNewestReleaseNeedsAFreshSchema) {
  WriteSet({{"V1__1__create_tickets.sql", kTickets}},
           "[[release]]\nname = \"1.0\"\nhead = \"V1\"\n");
  RunResult r = RatchetWithScratch("verify");
  EXPECT_EQ(r.exit_code, 2) << r.all();
  EXPECT_THAT(r.err, HasSubstr("the newest release 1.0 has no fresh-install schema"));
  EXPECT_THAT(r.err, HasSubstr("write schema/1.0.sql"));
}

TEST_P(Verify, RefusesClearlyWhenTheRoleMayNotCreateDatabases) {
  if (is_sqlite()) GTEST_SKIP() << "SQLite scratch databases are files";
  Load(
      "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ratchet_no_createdb') "
      "THEN CREATE ROLE ratchet_no_createdb LOGIN; END IF; END $$;\n");
  WriteTicketSet("ALTER TABLE tickets ADD COLUMN priority INTEGER;\n",
                 "CREATE TABLE tickets (id INTEGER PRIMARY KEY, status TEXT NOT NULL DEFAULT "
                 "'open', priority INTEGER);\n");
  std::string server = "host=" + std::string(std::getenv("RATCHET_TEST_PG_HOST")) +
                       " port=" + std::getenv("RATCHET_TEST_PG_PORT") +
                       " user=ratchet_no_createdb dbname=postgres";
  RunResult r = Ratchet("verify", {"--scratch", server});
  EXPECT_EQ(r.exit_code, 5) << r.all();
  EXPECT_THAT(r.err, HasSubstr("role ratchet_no_createdb may not create databases"));
  EXPECT_THAT(r.err, HasSubstr("ALTER ROLE ratchet_no_createdb CREATEDB"));
}

}  // namespace
}  // namespace ratchet::testing
