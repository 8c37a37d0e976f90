// The upgrade lock is released on every path out of a run, also when the
// run is refused or fails, so that a program that keeps its connection open
// does not lock every later run out.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ratchet/online.h"
#include "ratchet/runner.h"
#include "ratchet/upgrade_set.h"
#include "support/harness.h"

namespace ratchet::testing {
namespace {

class UpgradeLockRelease : public EngineTest {
 protected:
  UpgradeSet Load() {
    LoadOptions load;
    load.parse_for = engine();
    auto set = LoadUpgradeSet(set_dir(), load);
    EXPECT_TRUE(set.ok()) << set.status().message();
    return set.ok() ? std::move(*set) : UpgradeSet();
  }

  // True when a second session can take the lock at once.
  bool LockIsFree() {
    auto other = Open();
    Status s = other->AcquireUpgradeLock(std::chrono::milliseconds(0));
    if (s.ok()) other->ReleaseUpgradeLock();
    return s.ok();
  }
};
RATCHET_ALL_ENGINES(UpgradeLockRelease);

TEST_P(UpgradeLockRelease, RefusedAndFailedRunsLetTheNextOneIn) {
  WriteSet({{"V1__1__create_t.sql", "CREATE TABLE t (id INTEGER);\n"},
            {"V2__2__fails.sql", "INSERT INTO no_such_table VALUES (1);\n"}});
  UpgradeSet set = Load();
  auto conn = Open();
  UpgradeOptions options;

  // A failing item: the run records failed-upgrade and returns.
  auto failed = Upgrade(*conn, set, options, nullptr);
  ASSERT_EQ(failed.status().code(), Code::kUpgradeFailed) << failed.status().message();
  EXPECT_TRUE(LockIsFree()) << "after a failed upgrade";

  // Baseline refused: the database already has items.
  auto baseline = Baseline(*conn, set, Version{1, 0}, "", std::chrono::milliseconds(0));
  ASSERT_EQ(baseline.status().code(), Code::kRefused) << baseline.status().message();
  EXPECT_TRUE(LockIsFree()) << "after a refused baseline";

  // Repair clears the failure.
  auto repaired = Repair(*conn, set, std::chrono::milliseconds(0));
  ASSERT_TRUE(repaired.ok()) << repaired.status().message();
  EXPECT_TRUE(repaired->cleared_failure);
  EXPECT_TRUE(LockIsFree()) << "after repair";

  // Finalize of a database that was never prepared is refused.
  auto pivot = PivotDatabase(*conn, set, options, nullptr);
  ASSERT_EQ(pivot.status().code(), Code::kRefused) << pivot.status().message();
  EXPECT_TRUE(LockIsFree()) << "after a refused finalize";

  // Rollback with nothing prepared.
  auto rollback = RollBackPrepared(*conn, set, options, nullptr);
  ASSERT_TRUE(rollback.ok()) << rollback.status().message();
  EXPECT_TRUE(rollback->nothing_to_do);
  EXPECT_TRUE(LockIsFree()) << "after a rollback with nothing to do";

  // And the same connection can run again.
  WriteSet({{"V1__1__create_t.sql", "CREATE TABLE t (id INTEGER);\n"},
            {"V2__2__fails.sql", "CREATE TABLE no_such_table (id INTEGER);\n"}});
  UpgradeSet fixed = Load();
  auto repaired_drift = Repair(*conn, fixed, std::chrono::milliseconds(0));
  ASSERT_TRUE(repaired_drift.ok()) << repaired_drift.status().message();
  auto upgraded = Upgrade(*conn, fixed, options, nullptr);
  ASSERT_TRUE(upgraded.ok()) << upgraded.status().message();
  EXPECT_EQ(upgraded->applied, 1u);
  EXPECT_EQ(Value("SELECT COUNT(*) FROM no_such_table"), "0");
  EXPECT_TRUE(LockIsFree()) << "after a successful upgrade";
}

}  // namespace
}  // namespace ratchet::testing
