// Many databases through the library (ratchet/fleet.h): the pool keeps the
// targets' order and starts nothing after a stop request, and finalize
// pivots no database until every dry run has passed.
#include "ratchet/fleet.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

#include "ratchet/interrupt.h"
#include "support/harness.h"

namespace ratchet::testing {
namespace {

using ::testing::ElementsAre;

std::vector<Target> SqliteTargets(size_t n) {
  std::vector<Target> targets;
  for (size_t i = 0; i < n; ++i) {
    auto target = ParseTarget("sqlite:/nonexistent/db" + std::to_string(i) + ".db");
    EXPECT_TRUE(target.ok());
    targets.push_back(*target);
  }
  return targets;
}

// Records what a run told its observer.
class Recorder : public FleetObserver {
 public:
  void StepStarted(FleetStep step, size_t databases) override {
    std::lock_guard<std::mutex> lock(mutex_);
    events.push_back("start " + Name(step) + " " + std::to_string(databases));
  }
  void StepFinished(FleetStep step, const std::vector<DatabaseResult>& results) override {
    std::lock_guard<std::mutex> lock(mutex_);
    events.push_back("end " + Name(step));
  }
  void DatabaseStarted(size_t index, const Target& target) override {
    std::lock_guard<std::mutex> lock(mutex_);
    ++started;
  }
  void DatabaseFinished(size_t index, const DatabaseResult& result) override {
    std::lock_guard<std::mutex> lock(mutex_);
    ++finished;
  }

  std::vector<std::string> events;
  size_t started = 0, finished = 0;

 private:
  static std::string Name(FleetStep step) {
    switch (step) {
      case FleetStep::kCheckReady:
        return "check-ready";
      case FleetStep::kDryRun:
        return "dry-run";
      case FleetStep::kPivot:
        return "pivot";
    }
    return "?";
  }
  std::mutex mutex_;
};

TEST(ForEachDatabase, ReturnsTheResultsInTheOrderOfTheTargets) {
  std::vector<Target> targets = SqliteTargets(7);
  Recorder recorder;
  auto results = ForEachDatabase(
      targets, 3,
      [](const Target& target, size_t index) {
        DatabaseResult r;
        r.label = "done";
        r.detail = std::to_string(index);
        if (index == 4) r = FailedResult(target.display, Status(Code::kLockBusy, "held"));
        return r;
      },
      &recorder);
  ASSERT_EQ(results.size(), 7u);
  for (size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(results[i].database, targets[i].display);
    if (i != 4) {
      EXPECT_EQ(results[i].detail, std::to_string(i));
    }
  }
  EXPECT_EQ(recorder.started, 7u);
  EXPECT_EQ(recorder.finished, 7u);
  FleetSummary summary = SummarizeResults(results);
  EXPECT_EQ(summary.failed, 1u);
  EXPECT_EQ(summary.labels["done"], 6u);
  EXPECT_EQ(summary.labels["busy"], 1u);
  EXPECT_EQ(summary.exit_code, 4);
}

TEST(ForEachDatabase, StartsNoDatabaseAfterAStopRequest) {
  std::vector<Target> targets = SqliteTargets(3);
  RequestInterrupt(15);
  size_t worked = 0;
  auto results = ForEachDatabase(targets, 2, [&](const Target&, size_t) {
    ++worked;
    return DatabaseResult();
  });
  FleetSummary summary = SummarizeResults(results);
  ClearInterrupt();
  EXPECT_EQ(worked, 0u);
  for (const DatabaseResult& r : results) {
    EXPECT_EQ(r.outcome, DatabaseOutcome::kNotStarted);
    EXPECT_EQ(r.error.code(), Code::kInterrupted);
  }
  EXPECT_EQ(summary.exit_code, 128 + 15);
}

class Fleet : public EngineTest {
 protected:
  std::string State(const std::string& db) {
    auto rows =
        RowsOn(db, "SELECT status, CASE WHEN pivoted THEN 1 ELSE 0 END FROM " + Books("state"));
    return rows.empty() ? "" : rows[0];
  }
};
RATCHET_ALL_ENGINES(Fleet);

TEST_P(Fleet, FinalizeDatabasesPivotsNothingUntilEveryDryRunPasses) {
  WriteSet({{"V1__1__create_t.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER);\n"},
            {"V2__2__unique_a.sql", "CREATE UNIQUE INDEX t_a_key ON t (a);\n"}});
  const std::string good = db();
  const std::string bad = ExtraDatabase();
  for (const std::string& d : {good, bad}) {
    ASSERT_EQ(
        RunRatchet({"upgrade", "--set", set_dir().string(), "--db", d, "--to", "V1"}).exit_code, 0);
  }
  ASSERT_TRUE(OpenDb(bad)->Execute("INSERT INTO t (id, a) VALUES (1, 5), (2, 5)").ok());
  ASSERT_EQ(
      RunRatchet({"prepare", "--set", set_dir().string(), "--db", good, "--db", bad}).exit_code, 0);
  TargetOptions named;
  named.set_dir = set_dir();
  named.dbs = {good, bad};
  auto targets = ResolveTargets(named);
  ASSERT_TRUE(targets.ok()) << targets.status().message();
  SetCache sets(set_dir());
  ASSERT_TRUE(LoadSetsFor(*targets, sets).ok());
  FinalizeOptions options;
  options.jobs = 2;

  Recorder stopped;
  FinalizeResult first = FinalizeDatabases(*targets, sets, options, &stopped);
  ASSERT_EQ(first.dry_run.size(), 2u);
  EXPECT_EQ(first.dry_run[0].outcome, DatabaseOutcome::kReadyToPivot);
  EXPECT_EQ(first.dry_run[1].outcome, DatabaseOutcome::kDryRunFailed);
  EXPECT_EQ(first.dry_run[1].error.code(), Code::kUpgradeFailed);
  EXPECT_TRUE(first.pivots.empty());
  EXPECT_THAT(stopped.events, ElementsAre("start dry-run 2", "end dry-run"));
  EXPECT_EQ(State(good), "prepared|0");
  EXPECT_EQ(State(bad), "prepared|0");

  ASSERT_TRUE(OpenDb(bad)->Execute("DELETE FROM t WHERE id = 2").ok());
  Recorder pivoted;
  FinalizeResult second = FinalizeDatabases(*targets, sets, options, &pivoted);
  EXPECT_EQ(second.to_pivot, 2u);
  ASSERT_EQ(second.pivots.size(), 2u);
  EXPECT_EQ(second.pivots[0].outcome, DatabaseOutcome::kPivoted);
  EXPECT_EQ(second.pivots[1].outcome, DatabaseOutcome::kPivoted);
  EXPECT_EQ(second.pivots[1].stage, "pivot");
  EXPECT_THAT(pivoted.events,
              ElementsAre("start dry-run 2", "end dry-run", "start pivot 2", "end pivot"));
  EXPECT_EQ(State(good), "active|1");
  EXPECT_EQ(State(bad), "active|1");

  FinalizeResult third = FinalizeDatabases(*targets, sets, options, nullptr);
  EXPECT_EQ(third.dry_run[0].outcome, DatabaseOutcome::kPivotedEarlier);
  EXPECT_EQ(third.dry_run[1].outcome, DatabaseOutcome::kPivotedEarlier);
  EXPECT_EQ(third.to_pivot, 0u);
  EXPECT_TRUE(third.pivots.empty());
}

}  // namespace
}  // namespace ratchet::testing
