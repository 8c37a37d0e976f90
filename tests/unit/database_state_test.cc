// The state table: names as stored, which states are at rest, and which run
// may start in which state.
#include "run/database_state.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ratchet {
namespace {

using ::testing::HasSubstr;

constexpr DbState kAll[] = {DbState::kActive,     DbState::kUpgrading,     DbState::kFailedUpgrade,
                            DbState::kPreparing,  DbState::kFailedPrepare, DbState::kPrepared,
                            DbState::kRollingBack};

TEST(DatabaseState, EveryStateReadsBackFromTheNameItIsStoredAs) {
  for (DbState state : kAll) {
    ASSERT_EQ(ParseState(StateName(state)), state) << StateName(state);
  }
  EXPECT_EQ(ParseState("finalizing"), std::nullopt);
  EXPECT_EQ(ParseState(""), std::nullopt);
  EXPECT_EQ(ParseState("Active"), std::nullopt);
}

TEST(DatabaseState, ADatabaseRestsOnlyWhereNoRunIsUnderWay) {
  EXPECT_TRUE(AtRest(DbState::kActive));
  EXPECT_TRUE(AtRest(DbState::kPrepared));
  EXPECT_TRUE(AtRest(DbState::kFailedUpgrade));
  EXPECT_TRUE(AtRest(DbState::kFailedPrepare));
  EXPECT_FALSE(AtRest(DbState::kUpgrading));
  EXPECT_FALSE(AtRest(DbState::kPreparing));
  EXPECT_FALSE(AtRest(DbState::kRollingBack));
  // Every state a run records while it works is one no database rests in.
  for (RunKind run : {RunKind::kUpgrade, RunKind::kPrepare, RunKind::kRollback}) {
    ASSERT_TRUE(StatesOf(run).running.has_value());
    EXPECT_FALSE(AtRest(*StatesOf(run).running)) << CommandOf(run);
    EXPECT_TRUE(AtRest(StatesOf(run).done)) << CommandOf(run);
  }
  EXPECT_FALSE(StatesOf(RunKind::kFinalize).running.has_value());
}

TEST(DatabaseState, UpgradeWaitsForAnOnlineUpgradeAndPrepareForAnUnfinishedUpgrade) {
  for (DbState state : {DbState::kPreparing, DbState::kFailedPrepare, DbState::kPrepared}) {
    Status s = MayStart(RunKind::kUpgrade, state, "sqlite:a.db");
    EXPECT_EQ(s.code(), Code::kRefused) << StateName(state);
    EXPECT_THAT(s.message(),
                HasSubstr("sqlite:a.db: an online upgrade is " + std::string(StateName(state)) +
                          " here: finish it with "
                          "'ratchet finalize'"));
  }
  for (DbState state : {DbState::kUpgrading, DbState::kFailedUpgrade}) {
    Status s = MayStart(RunKind::kPrepare, state, "db");
    EXPECT_EQ(s.code(), Code::kRefused);
    EXPECT_THAT(s.message(), HasSubstr("finish it with 'ratchet upgrade' before starting"));
    EXPECT_TRUE(MayStart(RunKind::kUpgrade, state, "db").ok()) << "upgrade resumes itself";
  }
  Status s = MayStart(RunKind::kUpgrade, DbState::kRollingBack, "db");
  EXPECT_THAT(s.message(), HasSubstr("complete it with 'ratchet rollback' before running upgrade"));
}

TEST(DatabaseState, FinalizeStartsOnlyOnAPreparedOrActiveDatabase) {
  for (DbState state : kAll) {
    const bool allowed = state == DbState::kPrepared || state == DbState::kActive;
    EXPECT_EQ(MayStart(RunKind::kFinalize, state, "db").ok(), allowed) << StateName(state);
  }
  // Rollback is judged by what is prepared and whether the database pivoted,
  // not by the state alone.
  for (DbState state : kAll) EXPECT_TRUE(MayStart(RunKind::kRollback, state, "db").ok());
}

}  // namespace
}  // namespace ratchet
