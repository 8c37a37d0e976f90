// SQLite runs consecutive items in one transaction, each under a savepoint,
// and commits a few times a second (TransactionGroup): each item stays
// atomic with its row, a crash loses the uncommitted items together with
// their rows, and a failing item leaves the items before it applied.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "support/harness.h"
#include "util/fault.h"

namespace ratchet::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

class SqliteGroup : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    if (!is_sqlite()) GTEST_SKIP() << "PostgreSQL runs each item in a transaction of its own";
  }

  RunResult Upgrade(const std::vector<std::string>& env = {}) {
    return RunRatchet({"upgrade", "--set", set_dir().string(), "--db", db()}, env);
  }
};
RATCHET_ALL_ENGINES(SqliteGroup);

// A statement that keeps SQLite busy for well over the group's window.
constexpr const char* kSlowStatement =
    "CREATE TABLE slow AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
    "WHERE x < 3000000) SELECT count(*) AS n FROM c;\n";

TEST_P(SqliteGroup, ACrashInsideAGroupLosesItsItemsTogetherWithTheirRows) {
  WriteSet({{"V1__1__a.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n"},
            {"V2__2__b.sql", "CREATE TABLE b (id INTEGER PRIMARY KEY);\n"
                             "INSERT INTO b VALUES (1);\n"},
            {"V3__3__c.sql", "CREATE TABLE c (id INTEGER PRIMARY KEY);\n"}});
  // The bookkeeping and the run's start commit first; statements 1-3 are
  // V1's and V2's, in the next group with V3: the kill after V3's CREATE
  // TABLE comes before that group has committed.
  RunResult killed = Upgrade({"RATCHET_FAULT=statement.after:4"});
  ASSERT_EQ(killed.exit_code, fault::kFaultExitCode) << killed.all();
  std::vector<std::string> tables = Tables();
  // V1 and V2 went with the group: no item without its row, no row without
  // its item.
  EXPECT_THAT(tables, Not(Contains("a")));
  EXPECT_THAT(tables, Not(Contains("b")));
  EXPECT_THAT(tables, Not(Contains("c")));
  EXPECT_EQ(Value("SELECT COUNT(*) FROM ratchet_items"), "0");

  RunResult status = Ratchet("status");
  EXPECT_EQ(status.exit_code, 0) << status.all();
  EXPECT_THAT(status.out, HasSubstr("upgrading, interrupted"));
  EXPECT_THAT(status.out, HasSubstr("3 item(s): V1"));

  RunResult resumed = Upgrade();
  ASSERT_EQ(resumed.exit_code, 0) << resumed.all();
  EXPECT_EQ(Value("SELECT COUNT(*) FROM b"), "1");
  EXPECT_EQ(Value("SELECT group_concat(version, ',') FROM (SELECT version FROM ratchet_items "
                  "WHERE phase = 'applied' ORDER BY major, minor)"),
            "V1,V2,V3");
  EXPECT_EQ(Value("SELECT status FROM ratchet_state"), "active");
}

TEST_P(SqliteGroup, AGroupCommitsOnceItHasBeenOpenForItsWindow) {
  WriteSet({{"V1__1__a.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n"},
            {"V2__2__slow.sql", kSlowStatement},
            {"V3__3__c.sql", "CREATE TABLE c (id INTEGER PRIMARY KEY);\n"}});
  // V2 outlasts the window, so the group holding V1 and V2 commits after
  // it; the kill in V3 loses only V3.
  RunResult killed = Upgrade({"RATCHET_FAULT=statement.after:3"});
  ASSERT_EQ(killed.exit_code, fault::kFaultExitCode) << killed.all();
  EXPECT_EQ(Value("SELECT group_concat(version, ',') FROM (SELECT version FROM ratchet_items "
                  "ORDER BY major, minor)"),
            "V1,V2");
  EXPECT_EQ(Value("SELECT n FROM slow"), "3000000");
  EXPECT_THAT(Tables(), Not(Contains("c")));
  EXPECT_EQ(Value("SELECT status FROM ratchet_state"), "upgrading");

  RunResult resumed = Upgrade();
  ASSERT_EQ(resumed.exit_code, 0) << resumed.all();
  EXPECT_THAT(resumed.out, Not(HasSubstr("V1 ")));  // not run again
  EXPECT_THAT(Tables(), Contains("c"));
  EXPECT_EQ(Value("SELECT status FROM ratchet_state"), "active");
}

TEST_P(SqliteGroup, ACommitIntervalOfZeroCommitsEachItemOnItsOwn) {
  WriteSet({{"V1__1__a.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n"},
            {"V2__2__b.sql", "CREATE TABLE b (id INTEGER PRIMARY KEY);\n"
                             "INSERT INTO b VALUES (1);\n"},
            {"V3__3__c.sql", "CREATE TABLE c (id INTEGER PRIMARY KEY);\n"}},
           "sqlite-commit-interval = \"0\"\n");
  // The same kill as in ACrashInsideAGroupLosesItsItemsTogetherWithTheirRows
  // now loses only V3: V1 and V2 had committed.
  RunResult killed = Upgrade({"RATCHET_FAULT=statement.after:4"});
  ASSERT_EQ(killed.exit_code, fault::kFaultExitCode) << killed.all();
  EXPECT_EQ(Value("SELECT group_concat(version, ',') FROM (SELECT version FROM ratchet_items "
                  "ORDER BY major, minor)"),
            "V1,V2");
  EXPECT_THAT(Tables(), Not(Contains("c")));
  RunResult resumed = Upgrade();
  ASSERT_EQ(resumed.exit_code, 0) << resumed.all();
  EXPECT_THAT(Tables(), Contains("c"));
}

TEST_P(SqliteGroup, AMalformedCommitIntervalIsRefusedWithItsPlace) {
  WriteSet({{"V1__1__a.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n"}},
           "sqlite-commit-interval = 250\n");
  RunResult run = Upgrade();
  EXPECT_EQ(run.exit_code, 2) << run.all();
  EXPECT_THAT(run.err, HasSubstr("ratchet.toml:3:"));
  EXPECT_THAT(run.err, HasSubstr("'sqlite-commit-interval' must be a duration string"));
  EXPECT_THAT(Tables(), Not(Contains("a")));
}

TEST_P(SqliteGroup, AFailingItemKeepsTheItemsBeforeItInItsGroupAndNothingOfItself) {
  WriteSet({{"V1__1__a.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n"},
            {"V2__2__b.sql", "CREATE TABLE b (id INTEGER PRIMARY KEY);\n"
                             "INSERT INTO b VALUES (1);\n"
                             "INSERT INTO missing VALUES (1);\n"},
            {"V3__3__c.sql", "CREATE TABLE c (id INTEGER PRIMARY KEY);\n"}});
  RunResult failed = Upgrade();
  EXPECT_EQ(failed.exit_code, 1) << failed.all();
  EXPECT_THAT(failed.all(), HasSubstr("items/V2__2__b.sql:3:"));
  std::vector<std::string> tables = Tables();
  EXPECT_THAT(tables, Contains("a"));
  EXPECT_THAT(tables, Not(Contains("b")));
  EXPECT_THAT(tables, Not(Contains("c")));
  EXPECT_EQ(Value("SELECT group_concat(version, ',') FROM ratchet_items"), "V1");
  EXPECT_EQ(Value("SELECT status || ' ' || error_item || ' ' || error_line FROM ratchet_state"),
            "failed-upgrade V2 3");
}

TEST_P(SqliteGroup, AnOptionalFailureInsideAGroupIsRecordedAndTheGroupGoesOn) {
  WriteSet({{"V1__1__a.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n"},
            {"V2__2__opt.sql", "-- ratchet: optional\n"
                               "CREATE TABLE b (id INTEGER PRIMARY KEY);\n"
                               "INSERT INTO missing VALUES (1);\n"},
            {"V3__3__c.sql", "CREATE TABLE c (id INTEGER PRIMARY KEY);\n"}});
  RunResult run = Upgrade();
  EXPECT_EQ(run.exit_code, 0) << run.all();
  std::vector<std::string> tables = Tables();
  EXPECT_THAT(tables, Contains("a"));
  EXPECT_THAT(tables, Not(Contains("b")));
  EXPECT_THAT(tables, Contains("c"));
  EXPECT_EQ(Value("SELECT group_concat(version || ':' || phase, ',') FROM (SELECT version, phase "
                  "FROM ratchet_items ORDER BY major, minor)"),
            "V1:applied,V2:failed,V3:applied");
}

TEST_P(SqliteGroup, ACommitThatFindsAReaderWaitsAndTriesAgain) {
  // Each attempt waits 300 ms for the reader, then ratchet retries.
  const std::string toml = "lock-timeout = \"300ms\"\n";  // in [project]
  WriteSet({{"V1__1__a.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n"}}, toml);
  ASSERT_EQ(Upgrade().exit_code, 0);
  // A reader in the middle of a read transaction holds the file's shared
  // lock, which keeps any commit from writing the file, for 1.5 s.
  sqlite3* reader = nullptr;
  const std::string path = db().substr(db().find(':') + 1);
  ASSERT_EQ(sqlite3_open(path.c_str(), &reader), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(reader, "BEGIN; SELECT COUNT(*) FROM a;", nullptr, nullptr, nullptr),
            SQLITE_OK);
  std::thread release([reader] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    sqlite3_exec(reader, "COMMIT", nullptr, nullptr, nullptr);
    sqlite3_close(reader);
  });
  WriteSet({{"V1__1__a.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n"},
            {"V2__2__b.sql", "CREATE TABLE b (id INTEGER PRIMARY KEY);\n"}},
           toml);
  RunResult run = Upgrade();
  release.join();
  ASSERT_EQ(run.exit_code, 0) << run.all();
  EXPECT_THAT(run.out, HasSubstr("the commit waited too long for readers of"));
  EXPECT_THAT(run.out, HasSubstr("retry 1/5"));
  EXPECT_THAT(Tables(), Contains("b"));
  EXPECT_EQ(Value("SELECT status FROM ratchet_state"), "active");
}

}  // namespace
}  // namespace ratchet::testing
