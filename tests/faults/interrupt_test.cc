// Ctrl-C and SIGTERM during an upgrade, sent as real signals: the running
// statement is cancelled on the server, the run stops recording where it
// stands, and what ratchet says is what the database holds.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <thread>

#include "support/harness.h"

namespace ratchet::testing {
namespace {

using ::testing::HasSubstr;

class Interrupt : public EngineTest {
 protected:
  // SQL that keeps the engine busy for about `seconds`.
  std::string Busy(double seconds) const {
    if (!is_sqlite()) return "SELECT pg_sleep(" + std::to_string(seconds) + ");\n";
    long rows = static_cast<long>(seconds * 4000000);
    return "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < " +
           std::to_string(rows) + ") SELECT count(*) FROM c;\n";
  }

  // Items V1..V<count>, each adding row i to t and then keeping the engine
  // busy for `seconds`.
  void WriteRows(int count, double seconds, const std::string& first_busy = "") {
    std::map<std::string, std::string> items;
    items["V1__1__create_t.sql"] = "CREATE TABLE t (i INTEGER PRIMARY KEY);\n";
    for (int i = 2; i <= count; ++i) {
      items["V" + std::to_string(i) + "__" + std::to_string(i) + "__row.sql"] =
          "INSERT INTO t VALUES (" + std::to_string(i) + ");\n" +
          (i == 2 && !first_busy.empty() ? first_busy : Busy(seconds));
    }
    WriteSet(items);
  }

  // The items the bookkeeping of `db` records applied: 0 when a stop came
  // before the bookkeeping was created (during the checks, say).
  int Applied(const std::string& db) {
    auto exists = RowsOn(
        db, is_sqlite() ? "SELECT count(*) FROM sqlite_schema WHERE name = '" + Books("items") + "'"
                        : "SELECT count(*) FROM pg_tables WHERE schemaname = "
                          "'ratchet' AND tablename = 'items'");
    if (exists.empty()) return -1;
    if (exists[0] == "0") return 0;
    auto rows = RowsOn(db, "SELECT count(*) FROM " + Books("items") + " WHERE phase = 'applied'");
    return rows.empty() ? -1 : std::stoi(rows[0]);
  }

  // Waits until the run with `pid` holds the database's upgrade lock.
  bool WaitForLock(int pid, const std::string& db) {
    for (int tries = 0; tries < 400; ++tries) {
      if (is_sqlite()) {
        if (FileLocksHeldBy(pid, /*flock_only=*/true) > 0) return true;
      } else {
        auto admin = AdminConnection();
        auto r = admin->Query(
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND a.datname = $1",
            {ratchet::Value(db.substr(db.rfind("dbname=") + 7))});
        if (r.ok() && !r->rows.empty() && r->rows[0][0] != "0") return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return false;
  }

  // "now has N item(s) applied" from ratchet's message, or -1.
  static int SaidApplied(const std::string& err) {
    std::smatch m;
    static const std::regex kSaid("now has ([0-9]+) item\\(s\\) applied");
    return std::regex_search(err, m, kSaid) ? std::stoi(m[1].str()) : -1;
  }
};
RATCHET_ALL_ENGINES(Interrupt);

TEST_P(Interrupt, CtrlCCancelsTheRunningItemRecordsTheStopAndResumes) {
  WriteRows(3, 0.01, Busy(30));
  BackgroundRun run({"upgrade", "--set", set_dir().string(), "--db", db()});
  ASSERT_TRUE(WaitForLock(run.pid(), db()));
  if (!is_sqlite()) {
    auto admin = AdminConnection();
    for (int tries = 0; tries < 400; ++tries) {
      auto r = admin->Query(
          "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30%' AND state = "
          "'active' AND pid <> pg_backend_pid()");
      if (r.ok() && r->rows[0][0] == "1") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
  } else {
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
  }
  auto started = std::chrono::steady_clock::now();
  ASSERT_EQ(kill(run.pid(), SIGINT), 0);
  RunResult r = run.Wait();
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(r.exit_code, 130) << r.all();
  EXPECT_LT(took, std::chrono::seconds(20)) << "the item was not cancelled";
  EXPECT_THAT(r.err, HasSubstr("stopped by SIGINT (Ctrl-C) while running V2; it was rolled back"));
  EXPECT_THAT(r.err, HasSubstr("Next: run again to go on where it stopped: ratchet upgrade"));
  int said = SaidApplied(r.err);
  EXPECT_EQ(said, Applied(db())) << r.err;
  EXPECT_EQ(Value("SELECT count(*) FROM t WHERE i = 2"), "0");
  if (!is_sqlite()) {
    // Nothing of the run goes on behind ratchet's back.
    EXPECT_EQ(RowsOn(db(),
                     "SELECT count(*) FROM pg_stat_activity WHERE query LIKE "
                     "'%pg_sleep(30%' AND pid <> pg_backend_pid()"),
              std::vector<std::string>{"0"});
  }
  EXPECT_EQ(Value("SELECT status FROM " + Books("state")), "failed-upgrade");
  EXPECT_THAT(Value("SELECT error_message FROM " + Books("state")),
              HasSubstr("cancelled while running by SIGINT"));
  EXPECT_EQ(Value("SELECT count(*) FROM " + Books("events") + " WHERE event = 'run-interrupted'"),
            "1");

  // The lock went with the process; the run resumes at V2.
  WriteRows(3, 0.01);
  RunResult resumed = Ratchet("upgrade");
  EXPECT_EQ(resumed.exit_code, 0) << resumed.all();
  EXPECT_EQ(Value("SELECT count(*) FROM t"), "2");
  EXPECT_EQ(Applied(db()), 3);
}

TEST_P(Interrupt, SigtermExits143AndStopsBeforeTheNextItem) {
  WriteRows(3, 0.01, Busy(30));
  BackgroundRun run({"upgrade", "--set", set_dir().string(), "--db", db()});
  ASSERT_TRUE(WaitForLock(run.pid(), db()));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ASSERT_EQ(kill(run.pid(), SIGTERM), 0);
  RunResult r = run.Wait();
  EXPECT_EQ(r.exit_code, 143) << r.all();
  EXPECT_THAT(r.err, HasSubstr("stopped by SIGTERM"));
  EXPECT_EQ(SaidApplied(r.err), Applied(db())) << r.err;
  EXPECT_EQ(Value("SELECT count(*) FROM t WHERE i > 2"), "0");
}

// Signals at moments spread over the run: whenever it lands, the message
// names what the database holds, every item's row is there exactly when its
// bookkeeping is, and re-running completes the set.
TEST_P(Interrupt, AtAnyMomentTheMessageIsWhatTheDatabaseHolds) {
  WriteRows(25, 0.03);
  int stopped = 0;
  for (int round = 0; round < 6; ++round) {
    const std::string db = ExtraDatabase();
    BackgroundRun run({"upgrade", "--set", set_dir().string(), "--db", db});
    std::this_thread::sleep_for(std::chrono::milliseconds(60 + 140 * round));
    kill(run.pid(), SIGINT);
    RunResult r = run.Wait();
    SCOPED_TRACE("round " + std::to_string(round) + ": " + r.all());
    if (r.exit_code == 130) {
      ++stopped;
      int said = SaidApplied(r.err);
      if (r.err.find("stopped by SIGINT") != std::string::npos && said >= 0) {
        EXPECT_EQ(said, Applied(db));
      }
    } else {
      EXPECT_EQ(r.exit_code, 0);
    }
    int applied = Applied(db);
    if (applied > 0) {
      // t exists once V1 is applied; each later item's row with its row.
      EXPECT_EQ(RowsOn(db, "SELECT count(*) FROM t"),
                std::vector<std::string>{std::to_string(applied - 1)});
    }
    RunResult resumed = RunRatchet({"upgrade", "--set", set_dir().string(), "--db", db});
    EXPECT_EQ(resumed.exit_code, 0) << resumed.all();
    EXPECT_EQ(Applied(db), 25);
    EXPECT_EQ(RowsOn(db, "SELECT count(*) FROM t"), std::vector<std::string>{"24"});
    WaitUntilIdle(db);
    RemoveDatabase(db);
  }
  EXPECT_GT(stopped, 0) << "no signal landed during a run";
}

}  // namespace
}  // namespace ratchet::testing
