// `ratchet status` after a crash, on both engines: the item that was in
// flight, whether the engine rolled it back or it will re-run, whether the
// database has pivoted, and the exact command that resumes the run; and a
// run that is still going is not mistaken for one that stopped.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/harness.h"
#include "util/fault.h"

namespace ratchet::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class StatusAfterCrash : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    WriteSet({{"V1__1__t.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);\n"},
              {"V2__2__fill_t.sql",
               "-- ratchet: lock-timeout 30s\n"
               "INSERT INTO t (id, name) VALUES (1, 'one');\n"
               "INSERT INTO t (id, name) VALUES (2, 'two');\n"},
              {"V3__3__tidy.sql",
               "-- ratchet: transaction none\n"
               "UPDATE t SET name = upper(name);\n"},
              {"V4__4__u.sql", "CREATE TABLE u (id INTEGER PRIMARY KEY);\n"}},
             "[[release]]\nname = \"1.0\"\nhead = \"V2\"\n"
             "[[release]]\nname = \"2.0\"\nhead = \"V4\"\n");
  }

  // What `ratchet upgrade` would be resumed with, as status prints it.
  std::string UpgradeCommand(const std::string& extra = "") {
    nlohmann::json j = nlohmann::json::parse(Ratchet("status", {"--json"}).out);
    return "ratchet upgrade --set " + set_dir().string() + " --db " +
           j["database"].get<std::string>() + extra;
  }
};
RATCHET_ALL_ENGINES(StatusAfterCrash);

TEST_P(StatusAfterCrash, NamesTheTransactionalItemTheEngineRolledBack) {
  // PostgreSQL commits: 1 the bookkeeping, 2 the run's start, 3 V1, 4 V2;
  // V2's INSERTs go to the server with the COMMIT, in one round trip, and
  // have not been sent. SQLite commits: 1 the bookkeeping and the run's
  // start, 2 V1 and V2 together (before the journaled V3): both have run
  // when it stops, and both are rolled back, V1 first in line.
  RunResult killed =
      RunRatchet({"upgrade", "--set", set_dir().string(), "--db", db()},
                 {is_sqlite() ? "RATCHET_FAULT=commit.before:2" : "RATCHET_FAULT=commit.before:4"});
  const std::string item = is_sqlite() ? "V1" : "V2";
  const std::string file = is_sqlite() ? "items/V1__1__t.sql" : "items/V2__2__fill_t.sql";
  ASSERT_EQ(killed.exit_code, fault::kFaultExitCode) << killed.all();

  RunResult status = Ratchet("status");
  ASSERT_EQ(status.exit_code, 0) << status.all();
  EXPECT_THAT(status.out, HasSubstr("Status:      upgrading, interrupted: the last run stopped "
                                    "before it finished, and no ratchet is running now\n"));
  EXPECT_THAT(status.out,
              HasSubstr("In flight:   " + item + " (" + file +
                        "), transactional: whatever it had done was rolled back by the engine; "
                        "it runs on resume\n"));
  EXPECT_THAT(status.out, HasSubstr("Pivoted:     no\n"));
  EXPECT_THAT(status.out, HasSubstr("Next:        " + UpgradeCommand() + "\n"));
  // Nothing of V2 is left.
  if (is_sqlite()) {
    EXPECT_THAT(Tables(), Not(::testing::Contains("t")));
  } else {
    EXPECT_EQ(Value("SELECT COUNT(*) FROM t"), "0");
  }

  auto j = nlohmann::json::parse(Ratchet("status", {"--json"}).out);
  EXPECT_EQ(j["stopped"]["running"], false);
  EXPECT_EQ(j["stopped"]["item"], item);
  EXPECT_EQ(j["stopped"]["file"], file);
  EXPECT_EQ(j["stopped"]["journaled"], false);
  EXPECT_EQ(j["pivoted"], false);
  EXPECT_EQ(j["next"], UpgradeCommand());
}

TEST_P(StatusAfterCrash, NamesTheJournaledItemThatWillReRun) {
  RunResult killed = RunRatchet({"upgrade", "--set", set_dir().string(), "--db", db()},
                                {"RATCHET_FAULT=journal.started:1"});
  ASSERT_EQ(killed.exit_code, fault::kFaultExitCode) << killed.all();
  RunResult status = Ratchet("status");
  EXPECT_THAT(status.out,
              HasSubstr("In flight:   V3 (items/V3__3__tidy.sql), journaled: it runs outside a "
                        "transaction, so part of it may have run; it will re-run on resume\n"));
  EXPECT_THAT(status.out, HasSubstr("Next:        " + UpgradeCommand() + "\n"));
  EXPECT_EQ(Value("SELECT in_flight FROM " + Books("state")), "V3");

  RunResult resumed = Ratchet("upgrade");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.all();
  EXPECT_EQ(Rows("SELECT name FROM t ORDER BY id"), (std::vector<std::string>{"ONE", "TWO"}));
  RunResult after = Ratchet("status");
  EXPECT_THAT(after.out, HasSubstr("Status:      active\n"));
  EXPECT_THAT(after.out, Not(HasSubstr("In flight")));
  EXPECT_THAT(after.out, Not(HasSubstr("Next:")));
}

TEST_P(StatusAfterCrash, ResumesWithTheSameTarget) {
  RunResult killed =
      RunRatchet({"upgrade", "--set", set_dir().string(), "--db", db(), "--to", "1.0"},
                 // PostgreSQL: 1 bookkeeping, 2 the run's start, 3 V1. SQLite: 1
                 // bookkeeping and start, 2 V1, V2 and the run's end.
                 {is_sqlite() ? "RATCHET_FAULT=commit.before:2" : "RATCHET_FAULT=commit.before:3"});
  ASSERT_EQ(killed.exit_code, fault::kFaultExitCode) << killed.all();
  RunResult status = Ratchet("status");
  EXPECT_THAT(status.out, HasSubstr("In flight:   V1 (items/V1__1__t.sql), transactional"));
  EXPECT_THAT(status.out, HasSubstr("Next:        " + UpgradeCommand(" --to 1.0") + "\n"));
  RunResult resumed = Ratchet("upgrade", {"--to", "1.0"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.all();
  EXPECT_EQ(Rows("SELECT version FROM " + Books("items") + " ORDER BY version"),
            (std::vector<std::string>{"V1", "V2"}));
}

TEST_P(StatusAfterCrash, ARunStoppedAfterItsLastItemOnlyRecordsItsEnd) {
  // The last commit of a run records its end. On SQLite it also holds the
  // transactional items before it, so there the last item runs outside a
  // transaction and commits on its own: commits 1 bookkeeping and start,
  // 2 V1 and V2, 3-5 V3 journaled (its start, its statement with its
  // journal entry, its end), 6-8 V4 the same, 9 the end.
  if (is_sqlite()) {
    WriteSet(
        {{"V1__1__t.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);\n"},
         {"V2__2__fill_t.sql",
          "INSERT INTO t (id, name) VALUES (1, 'one');\n"
          "INSERT INTO t (id, name) VALUES (2, 'two');\n"},
         {"V3__3__tidy.sql", "-- ratchet: transaction none\nUPDATE t SET name = upper(name);\n"},
         {"V4__4__u.sql", "-- ratchet: transaction none\nCREATE TABLE u (id INTEGER);\n"}},
        "[[release]]\nname = \"1.0\"\nhead = \"V2\"\n"
        "[[release]]\nname = \"2.0\"\nhead = \"V4\"\n");
  }
  RunResult killed = RunRatchet({"upgrade", "--set", set_dir().string(), "--db", db()},
                                {"RATCHET_FAULT=commit.before:9"});
  ASSERT_EQ(killed.exit_code, fault::kFaultExitCode) << killed.all();
  RunResult status = Ratchet("status");
  EXPECT_THAT(status.out, HasSubstr("Pending:     none\n"));
  EXPECT_THAT(status.out, HasSubstr("In flight:   none: the run stopped after its last item, "
                                    "before recording its end\n"));
  EXPECT_THAT(status.out, HasSubstr("Next:        " + UpgradeCommand() + "\n"));
  std::string events = Value("SELECT COUNT(*) FROM " + Books("events"));
  RunResult resumed = Ratchet("upgrade");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.all();
  EXPECT_EQ(Value("SELECT status || ' ' || to_release FROM " + Books("state")), "active 2.0");
  EXPECT_EQ(Value("SELECT COUNT(*) FROM " + Books("events")),
            std::to_string(std::stoi(events) + 1));
  EXPECT_THAT(Ratchet("status").out, Not(HasSubstr("Next:")));
}

TEST_P(StatusAfterCrash, ARunStillGoingIsNotTakenForAStoppedOne) {
  // V2 takes a few seconds, reading only, so status can read meanwhile.
  WriteSet({{"V1__1__t.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);\n"},
            {"V2__2__slow.postgresql.sql", "SELECT pg_sleep(20);\n"},
            {"V2__2__slow.sqlite.sql",
             "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 30000000)\n"
             "SELECT COUNT(*) FROM g;\n"}});
  BackgroundRun run({"upgrade", "--set", set_dir().string(), "--db", db()});
  bool waiting = false;
  for (int i = 0; i < 200 && !waiting; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    waiting = Ratchet("status").out.find("in progress") != std::string::npos;
  }
  ASSERT_TRUE(waiting) << "status never saw the run in progress";
  RunResult status = Ratchet("status");
  EXPECT_THAT(status.out, HasSubstr("Status:      upgrading, in progress: "));
  // The holder: ratchet's process on SQLite, its session on PostgreSQL.
  EXPECT_THAT(status.out, HasSubstr(is_sqlite() ? "held by pid " + std::to_string(run.pid())
                                                : "application \"ratchet\""));
  EXPECT_THAT(status.out, HasSubstr("Next:        none: a ratchet is running on this database"));
  EXPECT_THAT(status.out, Not(HasSubstr("In flight")));
  auto j = nlohmann::json::parse(Ratchet("status", {"--json"}).out);
  EXPECT_EQ(j["stopped"]["running"], true);

  // Killed, the same run is reported as stopped. A PostgreSQL backend goes
  // on with what it was sent until it next talks to the client; here it is
  // ended with ratchet, as when the machine running ratchet goes down.
  kill(run.pid(), SIGKILL);
  run.Wait();
  if (!is_sqlite()) {
    Rows(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
        "current_database() AND application_name = 'ratchet' AND pid <> pg_backend_pid()");
  }
  WaitUntilIdle(db());
  RunResult stopped = Ratchet("status");
  EXPECT_THAT(stopped.out, HasSubstr("interrupted"));
  // On SQLite V1 shares V2's transaction (V1 alone is shorter than a group's
  // window) and is rolled back with it.
  EXPECT_THAT(stopped.out, HasSubstr(is_sqlite() ? "In flight:   V1 (items/V1__1__t.sql)"
                                                 : "In flight:   V2 (items/V2__2__slow."));
}

}  // namespace
}  // namespace ratchet::testing

namespace ratchet::testing {
namespace {

class OnlineStatusAfterCrash : public EngineTest {
 protected:
  RunResult Shop(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
    std::vector<std::string> all = args;
    all.insert(all.end(), {"--set", BookshopSet().string(), "--db", db()});
    return RunRatchet(all, env);
  }
};
RATCHET_ALL_ENGINES(OnlineStatusAfterCrash);

TEST_P(OnlineStatusAfterCrash, ARollbackStoppedMidwayIsFinishedByRollbackAlone) {
  ASSERT_EQ(Shop({"upgrade", "--to", "2.0"}).exit_code, 0);
  ASSERT_EQ(Shop({"prepare"}).exit_code, 0);
  // Commits: 1 the rolling-back state, 2 V12 undone (newest first).
  RunResult killed = Shop({"rollback"}, {"RATCHET_FAULT=commit.after:2"});
  ASSERT_EQ(killed.exit_code, fault::kFaultExitCode) << killed.all();

  RunResult status = Shop({"status"});
  EXPECT_THAT(status.out, HasSubstr("Status:      rolling-back, interrupted"));
  EXPECT_THAT(status.out,
              HasSubstr("In flight:   V11 (items/V11__300__authors_full_name_backfill."));
  EXPECT_THAT(status.out, HasSubstr("Pivoted:     no\n"));
  EXPECT_THAT(status.out, HasSubstr("Next:        ratchet rollback --set "));
  // Nothing else may start on a half rolled-back database.
  for (const char* command : {"finalize", "prepare", "upgrade"}) {
    RunResult refused = Shop({command});
    EXPECT_EQ(refused.exit_code, 5) << command << ": " << refused.all();
    EXPECT_THAT(refused.err, HasSubstr("rollback")) << command;
  }
  RunResult finished = Shop({"rollback"});
  ASSERT_EQ(finished.exit_code, 0) << finished.all();
  RunResult after = Shop({"status"});
  EXPECT_THAT(after.out, HasSubstr("Status:      active\n"));
  EXPECT_THAT(after.out, HasSubstr("Release:     2.0\n"));
  EXPECT_EQ(Value("SELECT COUNT(*) FROM " + Books("items") + " WHERE phase = 'prepared'"), "0");
}

TEST_P(OnlineStatusAfterCrash, APrepareStoppedMidwayNamesPrepareToComplete) {
  ASSERT_EQ(Shop({"upgrade", "--to", "2.0"}).exit_code, 0);
  // PostgreSQL commits: 1 the preparing state, 2 V10 prepared. SQLite: 1
  // the preparing state, 2 V10, V11 and the end of prepare together.
  RunResult killed = Shop({"prepare"}, {is_sqlite() ? "RATCHET_FAULT=commit.before:2"
                                                    : "RATCHET_FAULT=commit.after:2"});
  ASSERT_EQ(killed.exit_code, fault::kFaultExitCode) << killed.all();
  RunResult status = Shop({"status"});
  EXPECT_THAT(status.out, HasSubstr("Status:      preparing, interrupted"));
  // V11 runs outside a transaction on PostgreSQL (its backfill commits in
  // batches); on SQLite V10 and V11 share a transaction, rolled back.
  EXPECT_THAT(
      status.out,
      HasSubstr(is_sqlite() ? "V10__300__authors_full_name_expand.sqlite.sql), transactional"
                            : "V11__300__authors_full_name_backfill.postgresql.sql), journaled"));
  EXPECT_THAT(status.out, HasSubstr("Next:        ratchet prepare --set "));
  ASSERT_EQ(Shop({"prepare"}).exit_code, 0);
  ASSERT_EQ(Shop({"finalize"}).exit_code, 0);
  EXPECT_THAT(Shop({"status"}).out, HasSubstr("Release:     3.0\n"));
}

}  // namespace
}  // namespace ratchet::testing
