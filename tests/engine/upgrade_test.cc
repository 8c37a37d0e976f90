// Upgrade behaviour through the ratchet tool, on SQLite and PostgreSQL alike:
// atomic items, failures that leave the database as it was, resume, optional
// items, drift, unknown versions, the upgrade lock, a 1 MB item and a
// journaled non-transactional item.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "support/harness.h"

namespace ratchet::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class Upgrade : public EngineTest {};
RATCHET_ALL_ENGINES(Upgrade);

const char* kCreateT =
    "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"
    "INSERT INTO t (id, name) VALUES (1, 'one; with a semicolon');\n"
    "INSERT INTO t (id, name) VALUES (2, 'two');\n";

// The second item's fourth line names a table that does not exist.
const char* kBrokenV2 =
    "-- Adds u and a third row, then fails.\n"
    "CREATE TABLE u (id INTEGER PRIMARY KEY);\n"
    "INSERT INTO t (id, name) VALUES (3, 'three');\n"
    "INSERT INTO nosuch (id) VALUES (1);\n";

const char* kFixedV2 =
    "-- Adds u and a third row, then fails.\n"
    "CREATE TABLE u (id INTEGER PRIMARY KEY);\n"
    "INSERT INTO t (id, name) VALUES (3, 'three');\n"
    "INSERT INTO u (id) VALUES (1);\n";

TEST_P(Upgrade, BookshopReachesHeadAndASecondRunDoesNothing) {
  std::vector<std::string> args = {"--set", BookshopSet().string(), "--db", db()};
  std::vector<std::string> upgrade = {"upgrade"};
  upgrade.insert(upgrade.end(), args.begin(), args.end());
  RunResult first = RunRatchet(upgrade);
  ASSERT_EQ(first.exit_code, 0) << first.all();
  EXPECT_THAT(first.out, HasSubstr("at release 3.0"));

  EXPECT_EQ(Rows("SELECT id, slug FROM books ORDER BY id"),
            (std::vector<std::string>{"1|frankenstein", "2|moby-dick-or-the-whale",
                                      "3|pride-and-prejudice"}));
  EXPECT_EQ(Value("SELECT full_name FROM books JOIN authors ON authors.id = books.author_id "
                  "WHERE title = 'Moby-Dick; or, The Whale'"),
            "Herman Melville");
  // The trigger of V8 works on both engines.
  Rows("UPDATE books SET price_cents = 999 WHERE id = 1");
  EXPECT_EQ(Value("SELECT old_price_cents || '->' || new_price_cents FROM price_history"),
            "899->999");

  std::vector<std::string> status = {"status"};
  status.insert(status.end(), args.begin(), args.end());
  status.push_back("--json");
  RunResult st = RunRatchet(status);
  ASSERT_EQ(st.exit_code, 0) << st.all();
  auto json = nlohmann::json::parse(st.out);
  EXPECT_EQ(json["status"], "active");
  EXPECT_EQ(json["release"], "3.0");
  std::vector<std::string> versions;
  for (const auto& item : json["items"]) {
    EXPECT_EQ(item["phase"], "applied");
    versions.push_back(item["version"]);
  }
  EXPECT_EQ(versions, (std::vector<std::string>{"V1", "V2", "V3", "V3.1", "V4", "V6", "V7", "V8",
                                                "V9", "V10", "V11", "V12"}));
  EXPECT_EQ(json["covered"], nlohmann::json::array({"V5"}));
  EXPECT_TRUE(json["pending"].empty());

  std::string events_before = Value("SELECT COUNT(*) FROM " + Books("events"));
  RunResult second = RunRatchet(upgrade);
  ASSERT_EQ(second.exit_code, 0) << second.all();
  EXPECT_THAT(second.out, HasSubstr("Nothing to do"));
  EXPECT_EQ(Value("SELECT COUNT(*) FROM " + Books("events")), events_before);
}

TEST_P(Upgrade, FailingItemLeavesDatabaseAsBeforeItAndResumesOnceFixed) {
  WriteSet({{"V1__1__create_t.sql", kCreateT}, {"V2__2__break_things.sql", kBrokenV2}});
  RunResult failed = Ratchet("upgrade");
  EXPECT_EQ(failed.exit_code, 1) << failed.all();
  EXPECT_THAT(failed.err, HasSubstr("items/V2__2__break_things.sql:4:"));
  EXPECT_THAT(failed.err, HasSubstr("nosuch"));
  EXPECT_THAT(failed.err, HasSubstr("Next: fix items/V2__2__break_things.sql"));

  // V2 is gone without a trace: no table u, no third row; V1 stays applied.
  EXPECT_EQ(Tables(), (std::vector<std::string>{"t"}));
  EXPECT_EQ(Rows("SELECT id, name FROM t ORDER BY id"),
            (std::vector<std::string>{"1|one; with a semicolon", "2|two"}));
  EXPECT_EQ(Rows("SELECT version, phase FROM " + Books("items") + " ORDER BY version"),
            (std::vector<std::string>{"V1|applied"}));
  EXPECT_EQ(Value("SELECT status || ' ' || error_item || ' ' || error_file || ':' || "
                  "CAST(error_line AS TEXT) FROM " +
                  Books("state")),
            "failed-upgrade V2 items/V2__2__break_things.sql:4");
  EXPECT_THAT(Value("SELECT error_message FROM " + Books("state")), HasSubstr("nosuch"));
  // The column, the statement and the engine's error code go with it.
  EXPECT_EQ(Value("SELECT CAST(error_column AS TEXT) || ' ' || error_sqlstate || ' ' || "
                  "error_statement FROM " +
                  Books("state")),
            is_sqlite() ? "1 SQLITE_ERROR INSERT INTO nosuch (id) VALUES (1);"
                        : "13 42P01 INSERT INTO nosuch (id) VALUES (1)");

  RunResult status = Ratchet("status");
  EXPECT_EQ(status.exit_code, 0);
  EXPECT_THAT(status.out, HasSubstr("failed-upgrade"));
  EXPECT_THAT(status.out, HasSubstr("items/V2__2__break_things.sql:4:"));
  EXPECT_THAT(status.out, HasSubstr("Next:"));

  WriteSet({{"V1__1__create_t.sql", kCreateT}, {"V2__2__break_things.sql", kFixedV2}});
  RunResult resumed = Ratchet("upgrade");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.all();
  EXPECT_EQ(Tables(), (std::vector<std::string>{"t", "u"}));
  EXPECT_EQ(Value("SELECT COUNT(*) FROM t"), "3");
  EXPECT_EQ(Value("SELECT status FROM " + Books("state")), "active");
  EXPECT_EQ(Value("SELECT COUNT(*) FROM " + Books("state") + " WHERE error_message IS NULL"), "1");
  EXPECT_EQ(Rows("SELECT version FROM " + Books("items") + " ORDER BY version"),
            (std::vector<std::string>{"V1", "V2"}));
}

TEST_P(Upgrade, OptionalFailureIsRecordedTheRunGoesOnAndItIsRetried) {
  std::map<std::string, std::string> items = {
      {"V1__1__create_t.sql", kCreateT},
      {"V2__2__optional_extra.sql",
       "-- ratchet: optional\nCREATE TABLE extra (id INTEGER);\nINSERT INTO nosuch VALUES (1);\n"},
      {"V3__3__after.sql", "CREATE TABLE after_optional (id INTEGER);\n"},
      {"V4__4__needs_extra.sql",
       "-- ratchet: optional\n-- ratchet: requires V2\nINSERT INTO extra VALUES (7);\n"}};
  WriteSet(items);
  RunResult run = Ratchet("upgrade");
  ASSERT_EQ(run.exit_code, 0) << run.all();
  EXPECT_THAT(run.out, HasSubstr("optional"));
  EXPECT_THAT(run.out, HasSubstr("skipped"));
  EXPECT_EQ(Tables(), (std::vector<std::string>{"after_optional", "t"}));
  EXPECT_EQ(Rows("SELECT version, phase FROM " + Books("items") + " ORDER BY version"),
            (std::vector<std::string>{"V1|applied", "V2|failed", "V3|applied"}));
  EXPECT_THAT(Value("SELECT error FROM " + Books("items") + " WHERE version = 'V2'"),
              HasSubstr("nosuch"));

  items["V2__2__optional_extra.sql"] = "-- ratchet: optional\nCREATE TABLE extra (id INTEGER);\n";
  WriteSet(items);
  RunResult retry = Ratchet("upgrade");
  ASSERT_EQ(retry.exit_code, 0) << retry.all();
  EXPECT_EQ(Rows("SELECT version, phase FROM " + Books("items") + " ORDER BY version"),
            (std::vector<std::string>{"V1|applied", "V2|applied", "V3|applied", "V4|applied"}));
  EXPECT_EQ(Value("SELECT id FROM extra"), "7");
}

TEST_P(Upgrade, OptionalItemThatARequiredItemNeedsStopsTheRun) {
  WriteSet(
      {{"V1__1__create_t.sql", kCreateT},
       {"V2__2__optional_extra.sql", "-- ratchet: optional\nINSERT INTO nosuch VALUES (1);\n"},
       {"V3__3__needs_it.sql", "-- ratchet: requires V2\nCREATE TABLE needs (id INTEGER);\n"}});
  RunResult run = Ratchet("upgrade");
  EXPECT_EQ(run.exit_code, 1) << run.all();
  EXPECT_EQ(Tables(), (std::vector<std::string>{"t"}));
  EXPECT_EQ(Value("SELECT status || ' ' || error_item FROM " + Books("state")),
            "failed-upgrade V2");
}

TEST_P(Upgrade, DriftIsRefusedUntilRepairedButReformattingIsNotDrift) {
  WriteSet({{"V1__1__create_t.sql", kCreateT}});
  ASSERT_EQ(Ratchet("upgrade").exit_code, 0);

  // Comments and layout may change freely.
  WriteSet({{"V1__1__create_t.sql", std::string("-- a new comment\n\n") +
                                        "CREATE TABLE t (id INTEGER PRIMARY KEY,\n"
                                        "    name TEXT NOT NULL);  -- why\n"
                                        "INSERT INTO t (id, name) VALUES (1, 'one; "
                                        "with a semicolon');\n"
                                        "INSERT INTO t (id, name)\n VALUES (2, 'two');\n"}});
  RunResult reformatted = Ratchet("upgrade");
  EXPECT_EQ(reformatted.exit_code, 0) << reformatted.all();

  WriteSet(
      {{"V1__1__create_t.sql", std::string(kCreateT) + "INSERT INTO t VALUES (9, 'nine');\n"}});
  RunResult drifted = Ratchet("upgrade");
  EXPECT_EQ(drifted.exit_code, 5) << drifted.all();
  EXPECT_THAT(drifted.err, HasSubstr("drift"));
  EXPECT_THAT(drifted.err, HasSubstr("V1"));
  EXPECT_THAT(drifted.err, HasSubstr("ratchet repair"));
  EXPECT_EQ(Value("SELECT COUNT(*) FROM t"), "2");  // nothing ran

  RunResult repaired = Ratchet("repair");
  EXPECT_EQ(repaired.exit_code, 0) << repaired.all();
  EXPECT_THAT(repaired.out, HasSubstr("accepted change of V1"));
  EXPECT_EQ(Value("SELECT COUNT(*) FROM " + Books("events") +
                  " WHERE event = 'repair-drift-accepted' AND version = 'V1'"),
            "1");
  RunResult after = Ratchet("upgrade");
  EXPECT_EQ(after.exit_code, 0) << after.all();
  EXPECT_THAT(after.out, HasSubstr("Nothing to do"));
}

TEST_P(Upgrade, AppliedVersionUnknownToTheSetIsRefused) {
  WriteSet({{"V1__1__create_t.sql", kCreateT},
            {"V2__2__more.sql", "CREATE TABLE more (id INTEGER);\n"}});
  ASSERT_EQ(Ratchet("upgrade").exit_code, 0);
  WriteSet({{"V1__1__create_t.sql", kCreateT},
            {"V3__3__other.sql", "CREATE TABLE other (id INTEGER);\n"}});
  RunResult refused = Ratchet("upgrade");
  EXPECT_EQ(refused.exit_code, 5) << refused.all();
  EXPECT_THAT(refused.err, HasSubstr("V2 more"));
  EXPECT_THAT(refused.err, HasSubstr("--allow-unknown"));
  EXPECT_EQ(Tables(), (std::vector<std::string>{"more", "t"}));

  RunResult status = Ratchet("status", {"--json"});
  EXPECT_EQ(nlohmann::json::parse(status.out)["unknown"], nlohmann::json::array({"V2"}));

  RunResult forced = Ratchet("upgrade", {"--allow-unknown"});
  EXPECT_EQ(forced.exit_code, 0) << forced.all();
  EXPECT_EQ(Tables(), (std::vector<std::string>{"more", "other", "t"}));
}

TEST_P(Upgrade, ToStopsAtTheTargetVersion) {
  WriteSet({{"V1__1__create_t.sql", kCreateT},
            {"V2__2__more.sql", "CREATE TABLE more (id INTEGER);\n"},
            {"V2.1__3__fix.sql", "CREATE TABLE fix (id INTEGER);\n"},
            {"V10__4__late.sql", "CREATE TABLE late (id INTEGER);\n"}},
           "[[release]]\nname = \"1.0\"\nhead = \"V2\"\n"
           "[[release]]\nname = \"2.0\"\nhead = \"V10\"\n");
  RunResult run = Ratchet("upgrade", {"--to", "V2.1"});
  ASSERT_EQ(run.exit_code, 0) << run.all();
  EXPECT_EQ(Tables(), (std::vector<std::string>{"fix", "more", "t"}));
  // The state records the release the run reached, not the version it aimed at.
  EXPECT_EQ(Value("SELECT status || ' ' || to_release FROM " + Books("state")), "active 1.0");
  RunResult plan = Ratchet("plan", {"--json"});
  ASSERT_EQ(plan.exit_code, 0) << plan.all();
  auto json = nlohmann::json::parse(plan.out);
  ASSERT_EQ(json["pending"].size(), 1u);
  EXPECT_EQ(json["pending"][0]["version"], "V10");
}

TEST_P(Upgrade, SecondRatchetWaitsForTheLockThenExits4NamingTheHolder) {
  WriteSet({{"V1__1__create_t.sql", kCreateT}});
  ASSERT_EQ(Ratchet("upgrade").exit_code, 0);  // the database exists
  WriteSet({{"V1__1__create_t.sql", kCreateT},
            {"V2__2__more.sql", "CREATE TABLE more (id INTEGER);\n"}});
  auto holder = Open();
  ASSERT_TRUE(holder);
  ASSERT_TRUE(holder->AcquireUpgradeLock(std::chrono::milliseconds(0)).ok());
  // The holder as the message must name it: this process (SQLite's flock),
  // or its server session (PostgreSQL's advisory lock).
  std::string holder_pid = std::to_string(getpid());
  if (!is_sqlite()) {
    auto backend = holder->Query("SELECT pg_backend_pid()");
    ASSERT_TRUE(backend.ok()) << backend.status().message();
    holder_pid = backend->rows[0][0].value_or("?");
  }

  auto started = std::chrono::steady_clock::now();
  RunResult blocked = Ratchet("upgrade", {"--lock-wait", "1s"});
  auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(blocked.exit_code, 4) << blocked.all();
  EXPECT_THAT(blocked.err, HasSubstr("held by pid " + holder_pid + " ("));
  EXPECT_THAT(blocked.err, HasSubstr("within 1000 ms"));
  // It waited the whole second, and not much more (start-up included).
  EXPECT_GE(waited, std::chrono::milliseconds(1000));
  EXPECT_LT(waited, std::chrono::milliseconds(6000));
  EXPECT_EQ(Tables(), (std::vector<std::string>{"t"}));

  holder->ReleaseUpgradeLock();
  RunResult free = Ratchet("upgrade", {"--lock-wait", "300ms"});
  EXPECT_EQ(free.exit_code, 0) << free.all();
  EXPECT_EQ(Tables(), (std::vector<std::string>{"more", "t"}));
}

TEST_P(Upgrade, TwoConcurrentRatchetsApplyEachItemExactlyOnce) {
  // V1 is slow, so the second process arrives while the first holds the lock.
  WriteSet(
      {{"V1__1__slow.sqlite.sql",
        "CREATE TABLE slow AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
        "FROM c WHERE x < 1500000) SELECT COUNT(*) AS n FROM c;\n"},
       {"V1__1__slow.postgresql.sql", "CREATE TABLE slow AS SELECT 1 AS n FROM pg_sleep(1);\n"},
       {"V2__2__more.sql", "CREATE TABLE more (id INTEGER);\n"},
       {"V3__3__rows.sql", "INSERT INTO more VALUES (1);\n"}});
  std::vector<std::string> args = {"upgrade",     "--set", set_dir().string(), "--db", db(),
                                   "--lock-wait", "60s"};
  BackgroundRun a(args);
  BackgroundRun b(args);
  RunResult ra = a.Wait();
  RunResult rb = b.Wait();
  EXPECT_EQ(ra.exit_code, 0) << ra.all();
  EXPECT_EQ(rb.exit_code, 0) << rb.all();
  EXPECT_EQ(Value("SELECT COUNT(*) FROM more"), "1");
  EXPECT_EQ(Value("SELECT COUNT(*) FROM " + Books("events") + " WHERE event = 'item-applied'"),
            "3");
  EXPECT_EQ(Value("SELECT COUNT(*) FROM " + Books("items")), "3");
}

TEST_P(Upgrade, BaselineMarksAReleaseAppliedWithoutRunningIt) {
  WriteSet({{"V1__1__create_t.sql", kCreateT},
            {"V2__2__more.sql", "CREATE TABLE more (id INTEGER);\n"},
            {"V3__3__late.sql", "CREATE TABLE late (id INTEGER);\n"}},
           "[[release]]\nname = \"1.0\"\nhead = \"V2\"\n");
  // The database predates ratchet: its schema is release 1.0, built by hand.
  {
    auto conn = Open();
    ASSERT_TRUE(
        conn->ExecuteScript(std::string(kCreateT) + "CREATE TABLE more (id INTEGER);").ok());
  }
  RunResult baseline = Ratchet("baseline", {"--release", "1.0"});
  ASSERT_EQ(baseline.exit_code, 0) << baseline.all();
  EXPECT_THAT(baseline.out, HasSubstr("marked 2 item(s)"));
  EXPECT_EQ(Rows("SELECT version, phase FROM " + Books("items") + " ORDER BY version"),
            (std::vector<std::string>{"V1|applied", "V2|applied"}));
  EXPECT_EQ(Value("SELECT COUNT(*) FROM " + Books("events") + " WHERE event = 'baseline'"), "1");

  RunResult again = Ratchet("baseline", {"--release", "1.0"});
  EXPECT_EQ(again.exit_code, 5) << again.all();

  RunResult upgrade = Ratchet("upgrade");
  ASSERT_EQ(upgrade.exit_code, 0) << upgrade.all();
  EXPECT_EQ(Tables(), (std::vector<std::string>{"late", "more", "t"}));
  EXPECT_EQ(Value("SELECT COUNT(*) FROM t"), "2");
}

TEST_P(Upgrade, AOneMegabyteItemIsApplied) {
  std::string big = "CREATE TABLE big (id integer PRIMARY KEY, payload text);\n";
  int n = 0;
  while (big.size() < (1 << 20)) {
    big += "INSERT INTO big VALUES (" + std::to_string(++n) + ", '" + std::string(80, 'x') +
           "; not a split');\n";
  }
  WriteSet({{"V1__1__big.sql", big}});
  RunResult r = Ratchet("upgrade");
  ASSERT_EQ(r.exit_code, 0) << r.all();
  EXPECT_EQ(Value("SELECT COUNT(*) FROM big"), std::to_string(n));
  EXPECT_EQ(Value("SELECT COUNT(*) FROM big WHERE payload <> '" + std::string(80, 'x') +
                  "; not a split'"),
            "0");
  EXPECT_EQ(Value("SELECT version || ' ' || phase FROM " + Books("items")), "V1 applied");
}

// An item that cannot run in a transaction (PostgreSQL: CREATE INDEX
// CONCURRENTLY; SQLite: VACUUM) runs outside one, journaled: the state
// names it in flight while it runs, and its events are its start, its one
// statement done and its row.
TEST_P(Upgrade, ANonTransactionalItemRunsOutsideATransactionAndIsJournaled) {
  WriteSet(
      {{"V1__1__t.sql",
        "CREATE TABLE t (id integer, name text);\n"
        "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 1000)\n"
        "INSERT INTO t SELECT n, 'n' || n FROM g;\n"},
       {"V2__2__index_t.postgresql.sql", "CREATE INDEX CONCURRENTLY t_name_idx ON t (name);\n"},
       {"V2__2__index_t.sqlite.sql", "VACUUM;\n"}});
  RunResult plan = Ratchet("plan", {"--json"});
  ASSERT_EQ(plan.exit_code, 0) << plan.all();
  EXPECT_EQ(nlohmann::json::parse(plan.out)["pending"][1]["transaction"], "none");
  RunResult r = Ratchet("upgrade");
  ASSERT_EQ(r.exit_code, 0) << r.all();
  if (!is_sqlite()) {
    EXPECT_EQ(Value("SELECT indisvalid FROM pg_index WHERE indexrelid = 't_name_idx'::regclass"),
              "t");
  }
  EXPECT_EQ(
      Rows("SELECT event || ' ' || COALESCE(detail, '') FROM " + Books("events") +
           " WHERE version = 'V2' ORDER BY seq"),
      (std::vector<std::string>{"item-started journaled", "statement-done 1/1",
                                "item-applied " + Value("SELECT checksum FROM " + Books("items") +
                                                        " WHERE version = 'V2'")}));
  EXPECT_EQ(Value("SELECT COALESCE(in_flight, 'none') FROM " + Books("state")), "none");
  EXPECT_EQ(Value("SELECT COUNT(*) FROM t"), "1000");
}

// The bookkeeping tables are created in one transaction: when one of them
// cannot be (a view of the application's has the name of ratchet's events
// table), none stays, nothing runs, and once the way is clear the next run
// creates them all.
TEST_P(Upgrade, TheBookkeepingIsCreatedWholeOrNotAtAll) {
  WriteSet({{"V1__1__create_t.sql", kCreateT}});
  {
    auto conn = Open();
    ASSERT_NE(conn, nullptr);
    Status s =
        conn->ExecuteScript(is_sqlite() ? "CREATE VIEW ratchet_events AS SELECT 1 AS seq;\n"
                                        : "CREATE SCHEMA ratchet;\n"
                                          "CREATE VIEW ratchet.events AS SELECT 1 AS seq;\n");
    ASSERT_TRUE(s.ok()) << s.message();
  }
  const std::string ours =
      is_sqlite() ? "SELECT name FROM sqlite_schema WHERE name LIKE 'ratchet%' ORDER BY name"
                  : "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = "
                    "c.relnamespace WHERE n.nspname = 'ratchet' ORDER BY 1";
  RunResult blocked = Ratchet("upgrade");
  EXPECT_NE(blocked.exit_code, 0) << blocked.all();
  EXPECT_THAT(blocked.err, HasSubstr("cannot create ratchet's bookkeeping tables"));
  EXPECT_EQ(Rows(ours), std::vector<std::string>{is_sqlite() ? "ratchet_events" : "events"});
  EXPECT_TRUE(Tables().empty());

  ASSERT_TRUE(
      Open()->Execute(is_sqlite() ? "DROP VIEW ratchet_events" : "DROP VIEW ratchet.events").ok());
  RunResult run = Ratchet("upgrade");
  ASSERT_EQ(run.exit_code, 0) << run.all();
  EXPECT_EQ(Tables(), std::vector<std::string>{"t"});
  EXPECT_EQ(
      Value("SELECT COUNT(*) FROM " + Books("events") + " WHERE event = 'bookkeeping-created'"),
      "1");
}

TEST_P(Upgrade, MalformedSetStopsBeforeTouchingTheDatabase) {
  WriteSet({{"V1__1__create_t.sql", kCreateT},
            {"V2__2__bad.sql", "-- ratchet: finalise\nCREATE TABLE bad (id INTEGER);\n"}});
  RunResult run = Ratchet("upgrade");
  EXPECT_EQ(run.exit_code, 2) << run.all();
  EXPECT_THAT(run.err, HasSubstr("items/V2__2__bad.sql:1:1"));
  EXPECT_THAT(run.err, HasSubstr("did you mean 'finalize'"));
  if (is_sqlite()) {
    EXPECT_FALSE(std::filesystem::exists(dir() / "test.db"));
  } else {
    EXPECT_TRUE(Tables().empty());
    EXPECT_EQ(Value("SELECT COUNT(*) FROM pg_namespace WHERE nspname = 'ratchet'"), "0");
  }
}

}  // namespace
}  // namespace ratchet::testing
