// The planner over loaded sets: order, targets, the optional cascade, same-as,
// drift, unknown versions, targets by release and the current release.
#include <gtest/gtest.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ratchet/plan.h"
#include "ratchet/upgrade_set.h"
#include "unit/set_fixture.h"

namespace ratchet {
namespace {

using ::ratchet::testing::FindItem;
using ::ratchet::testing::TempSet;

// A bookkeeping row for the generic item `version` of `set`, as the runner
// would record it after applying the file unchanged.
AppliedItem Applied(const UpgradeSet& set, const char* version, Phase phase = Phase::kApplied) {
  AppliedItem a;
  a.version = *Version::Parse(version);
  a.phase = phase;
  if (const Item* item = FindItem(set, version)) {
    a.description = item->description;
    a.checksum = item->checksum;
    a.optional = item->optional;
  }
  return a;
}

std::vector<std::string> Versions(const std::vector<const Item*>& items) {
  std::vector<std::string> out;
  for (const Item* item : items) out.push_back(item->version.ToString());
  return out;
}

std::vector<std::string> Versions(const std::vector<Version>& versions) {
  std::vector<std::string> out;
  for (const Version& v : versions) out.push_back(v.ToString());
  return out;
}

using Names = std::vector<std::string>;

// V1, V2, V2.1, V3 and V10, written in an order that sorts wrong as text.
class PlannerOrder : public ::testing::Test {
 protected:
  void SetUp() override {
    files_.Item("V10__0__ten.sql", "CREATE TABLE ten (a int);\n");
    files_.Item("V3__0__three.sql", "CREATE TABLE three (a int);\n");
    files_.Item("V2.1__0__two_one.sql", "CREATE TABLE two_one (a int);\n");
    files_.Item("V2__0__two.sql", "CREATE TABLE two (a int);\n");
    files_.Item("V1__0__one.sql", "CREATE TABLE one (a int);\n");
    Result<UpgradeSet> loaded = files_.Load();
    ASSERT_TRUE(loaded.ok()) << loaded.status().message();
    set_ = std::move(loaded).value();
  }
  TempSet files_;
  UpgradeSet set_;
};

TEST_F(PlannerOrder, ListsPendingInAscendingNumericOrder) {
  Plan plan = MakePlan(set_, EngineKind::kSqlite, {});
  EXPECT_EQ(Versions(plan.pending), (Names{"V1", "V2", "V2.1", "V3", "V10"}));
  EXPECT_TRUE(plan.covered.empty());
  EXPECT_TRUE(plan.drift.empty());
  EXPECT_TRUE(plan.unknown.empty());
}

TEST_F(PlannerOrder, LeavesOutAppliedItems) {
  Plan plan = MakePlan(set_, EngineKind::kSqlite, {Applied(set_, "V1"), Applied(set_, "V2.1")});
  EXPECT_EQ(Versions(plan.pending), (Names{"V2", "V3", "V10"}));
}

TEST_F(PlannerOrder, StopsAtTarget) {
  PlanOptions options;
  options.target = *Version::Parse("V3");
  Plan plan = MakePlan(set_, EngineKind::kSqlite, {Applied(set_, "V1")}, options);
  EXPECT_EQ(Versions(plan.pending), (Names{"V2", "V2.1", "V3"}));
}

TEST_F(PlannerOrder, TargetOnReleaseLineStopsBeforeNextMajor) {
  PlanOptions options;
  options.target = *Version::Parse("V2.1");
  Plan plan = MakePlan(set_, EngineKind::kSqlite, {}, options);
  EXPECT_EQ(Versions(plan.pending), (Names{"V1", "V2", "V2.1"}));
}

TEST_F(PlannerOrder, ListsAppliedVersionUnknownToTheSet) {
  AppliedItem future;
  future.version = *Version::Parse("V99");
  future.checksum = "abc";
  future.description = "from_the_future";
  Plan plan = MakePlan(set_, EngineKind::kSqlite, {Applied(set_, "V1"), future});
  ASSERT_EQ(plan.unknown.size(), 1u);
  EXPECT_EQ(plan.unknown[0].version.ToString(), "V99");
  EXPECT_EQ(plan.unknown[0].description, "from_the_future");
  EXPECT_EQ(Versions(plan.pending), (Names{"V2", "V2.1", "V3", "V10"}));
}

TEST_F(PlannerOrder, ListsDriftOfChangedAppliedItem) {
  AppliedItem changed = Applied(set_, "V2");
  changed.checksum = "0000";
  Plan plan = MakePlan(set_, EngineKind::kSqlite, {Applied(set_, "V1"), changed});
  ASSERT_EQ(plan.drift.size(), 1u);
  EXPECT_EQ(plan.drift[0].version.ToString(), "V2");
  EXPECT_EQ(plan.drift[0].file_name, "V2__0__two.sql");
  EXPECT_EQ(plan.drift[0].recorded_checksum, "0000");
  EXPECT_EQ(plan.drift[0].current_checksum, FindItem(set_, "V2")->checksum);
  // A drifted item is still applied: it is not run again.
  EXPECT_EQ(Versions(plan.pending), (Names{"V2.1", "V3", "V10"}));
}

TEST_F(PlannerOrder, ReportsNoDriftForUnchangedItems) {
  Plan plan = MakePlan(set_, EngineKind::kSqlite, {Applied(set_, "V1"), Applied(set_, "V2")});
  EXPECT_TRUE(plan.drift.empty());
}

// A target plans every item up to it, so an item's requirements, which the
// loader allows only among earlier versions (LoadErrors), are always in the
// plan before it; what `requires` adds is that they are pulled in as
// required: the run stops if one fails, though each is marked optional.
// Without the walk over requires, V1 and V2.1 would be planned all the same
// but allowed to fail, and V3 would run without them.
TEST(Planner, PullsInRequiredItemsBeforeTheItemThatNeedsThem) {
  TempSet files;
  files.Item("V1__0__one.sql", "-- ratchet: optional\nCREATE TABLE one (a int);\n");
  files.Item("V2__0__two.sql", "CREATE TABLE two (a int);\n");
  files.Item("V2.1__0__two_one.sql", "-- ratchet: optional\nCREATE TABLE two_one (a int);\n");
  files.Item("V2.2__0__two_two.sql", "-- ratchet: optional\nCREATE TABLE two_two (a int);\n");
  files.Item("V3__0__three.sql", "-- ratchet: requires V2.1, V1\nCREATE TABLE three (a int);\n");
  files.Item("V4__0__four.sql", "CREATE TABLE four (a int);\n");
  Result<UpgradeSet> set = files.Load();
  ASSERT_TRUE(set.ok()) << set.status().message();
  PlanOptions options;
  options.target = *Version::Parse("V3");
  Plan plan = MakePlan(*set, EngineKind::kSqlite, {Applied(*set, "V2")}, options);
  EXPECT_EQ(Versions(plan.pending), (Names{"V1", "V2.1", "V2.2", "V3"}));
  // V3 needs V1 and V2.1: they must succeed. V2.2, needed by nothing, may fail.
  EXPECT_EQ(Versions(plan.effectively_optional), (Names{"V2.2"}));
}

TEST(Planner, OptionalItemRequiredByRequiredItemIsRequired) {
  TempSet files;
  files.Item("V1__0__one.sql", "-- ratchet: optional\nCREATE TABLE one (a int);\n");
  files.Item("V2__0__two.sql", "-- ratchet: requires V1\nCREATE TABLE two (a int);\n");
  files.Item("V3__0__three.sql", "-- ratchet: optional\nCREATE TABLE three (a int);\n");
  Result<UpgradeSet> set = files.Load();
  ASSERT_TRUE(set.ok()) << set.status().message();
  Plan plan = MakePlan(*set, EngineKind::kSqlite, {});
  EXPECT_EQ(Versions(plan.effectively_optional), (Names{"V3"}));
  EXPECT_FALSE(plan.IsEffectivelyOptional(*Version::Parse("V1")));
  EXPECT_FALSE(plan.IsEffectivelyOptional(*Version::Parse("V2")));
  EXPECT_TRUE(plan.IsEffectivelyOptional(*Version::Parse("V3")));
}

TEST(Planner, OptionalCascadeFollowsRequiresThroughOptionalItems) {
  TempSet files;
  files.Item("V1__0__one.sql", "-- ratchet: optional\nCREATE TABLE one (a int);\n");
  files.Item("V2__0__two.sql",
             "-- ratchet: optional\n-- ratchet: requires V1\nCREATE TABLE two (a int);\n");
  files.Item("V3__0__three.sql", "-- ratchet: requires V2\nCREATE TABLE three (a int);\n");
  files.Item("V4__0__four.sql", "-- ratchet: optional\nCREATE TABLE four (a int);\n");
  files.Item("V5__0__five.sql",
             "-- ratchet: optional\n-- ratchet: requires V4\nCREATE TABLE five (a int);\n");
  Result<UpgradeSet> set = files.Load();
  ASSERT_TRUE(set.ok()) << set.status().message();
  Plan plan = MakePlan(*set, EngineKind::kSqlite, {});
  // V3 needs V2 needs V1: both required. V5 and V4 are optional all the way.
  EXPECT_EQ(Versions(plan.effectively_optional), (Names{"V4", "V5"}));
}

TEST(Planner, FailedOptionalItemIsPendingAgain) {
  TempSet files;
  files.Item("V1__0__one.sql", "CREATE TABLE one (a int);\n");
  files.Item("V2__0__two.sql", "-- ratchet: optional\nCREATE INDEX two_a ON one (a);\n");
  files.Item("V3__0__three.sql", "CREATE TABLE three (a int);\n");
  Result<UpgradeSet> set = files.Load();
  ASSERT_TRUE(set.ok()) << set.status().message();
  AppliedItem failed = Applied(*set, "V2", Phase::kFailed);
  failed.error = "index exists";
  Plan plan =
      MakePlan(*set, EngineKind::kSqlite, {Applied(*set, "V1"), failed, Applied(*set, "V3")});
  EXPECT_EQ(Versions(plan.pending), (Names{"V2"}));
  EXPECT_TRUE(plan.IsEffectivelyOptional(*Version::Parse("V2")));
  EXPECT_TRUE(plan.unknown.empty());
}

TEST(Planner, PreparedItemIsStillPending) {
  TempSet files;
  files.Item("V1__0__one.sql", "CREATE TABLE one (a int);\n");
  files.Item("V2__0__two.sql",
             "-- ratchet: prepare\nALTER TABLE one ADD b int;\n-- ratchet: finalize\nUPDATE one "
             "SET b = a;\n");
  Result<UpgradeSet> set = files.Load();
  ASSERT_TRUE(set.ok()) << set.status().message();
  Plan plan = MakePlan(*set, EngineKind::kSqlite,
                       {Applied(*set, "V1"), Applied(*set, "V2", Phase::kPrepared)});
  EXPECT_EQ(Versions(plan.pending), (Names{"V2"}));
}

TEST(Planner, UsesTheEnginesOwnVariant) {
  TempSet files;
  files.Item("V1__4__audit.sql", "CREATE TABLE audit (a int);\n");
  files.Item("V1__4__audit.sqlite.sql", "CREATE TABLE audit (a integer);\n");
  Result<UpgradeSet> set = files.Load();
  ASSERT_TRUE(set.ok()) << set.status().message();
  Plan sqlite = MakePlan(*set, EngineKind::kSqlite, {});
  ASSERT_EQ(sqlite.pending.size(), 1u);
  EXPECT_EQ(sqlite.pending[0]->file_name, "V1__4__audit.sqlite.sql");
  Plan postgres = MakePlan(*set, EngineKind::kPostgres, {});
  ASSERT_EQ(postgres.pending.size(), 1u);
  EXPECT_EQ(postgres.pending[0]->file_name, "V1__4__audit.sql");
}

// V1, V2 and V3 on the main line; V2.1 a fix back-ported to the 1.x line,
// which the main line carries as V5; releases 1.0 (V2), 1.1 (V2.1), 2.0 (V3).
class PlannerSameAs : public ::testing::Test {
 protected:
  void SetUp() override {
    files_.Toml(
        "[project]\nname = \"shop\"\n\n"
        "[[release]]\nname = \"1.0\"\nhead = \"V2\"\n\n"
        "[[release]]\nname = \"1.1\"\nhead = \"V2.1\"\n\n"
        "[[release]]\nname = \"2.0\"\nhead = \"V3\"\n");
    files_.Item("V1__0__one.sql", "CREATE TABLE one (a int);\n");
    files_.Item("V2__0__two.sql", "CREATE TABLE two (a int);\n");
    files_.Item("V2.1__77__index_a.sql", "CREATE INDEX IF NOT EXISTS one_a ON one (a);\n");
    files_.Item("V3__0__three.sql", "CREATE TABLE three (a int);\n");
    files_.Item("V5__77__index_a.sql",
                "-- ratchet: same-as V2.1\nCREATE INDEX IF NOT EXISTS one_a ON one (a);\n");
    Result<UpgradeSet> loaded = files_.Load();
    ASSERT_TRUE(loaded.ok()) << loaded.status().message();
    set_ = std::move(loaded).value();
  }
  std::vector<AppliedItem> AppliedList(std::initializer_list<const char*> versions) const {
    std::vector<AppliedItem> out;
    for (const char* v : versions) out.push_back(Applied(set_, v));
    return out;
  }
  TempSet files_;
  UpgradeSet set_;
};

TEST_F(PlannerSameAs, BackportAppliedCoversLaterTwin) {
  Plan plan = MakePlan(set_, EngineKind::kSqlite, AppliedList({"V1", "V2", "V2.1"}));
  EXPECT_EQ(Versions(plan.pending), (Names{"V3"}));
  EXPECT_EQ(Versions(plan.covered), (Names{"V5"}));
}

TEST_F(PlannerSameAs, LaterTwinAppliedCoversBackport) {
  Plan plan = MakePlan(set_, EngineKind::kSqlite, AppliedList({"V1", "V2", "V3", "V5"}));
  EXPECT_TRUE(plan.pending.empty()) << ::testing::PrintToString(Versions(plan.pending));
  EXPECT_EQ(Versions(plan.covered), (Names{"V2.1"}));
  EXPECT_TRUE(plan.unknown.empty());
}

TEST_F(PlannerSameAs, EmptyDatabaseRunsEarlierTwinAndCoversLater) {
  Plan plan = MakePlan(set_, EngineKind::kSqlite, {});
  EXPECT_EQ(Versions(plan.pending), (Names{"V1", "V2", "V2.1", "V3"}));
  EXPECT_EQ(Versions(plan.covered), (Names{"V5"}));
}

TEST_F(PlannerSameAs, ResolvesTargetByReleaseName) {
  Result<Version> v = ResolveTarget(set_, "1.1");
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ(v->ToString(), "V2.1");
  Result<Version> main = ResolveTarget(set_, "2.0");
  ASSERT_TRUE(main.ok()) << main.status().message();
  EXPECT_EQ(main->ToString(), "V3");
}

TEST_F(PlannerSameAs, ResolvesTargetByVersion) {
  Result<Version> v = ResolveTarget(set_, "V3");
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ(v->ToString(), "V3");
  Result<Version> bare = ResolveTarget(set_, "2.1");
  ASSERT_TRUE(bare.ok()) << bare.status().message();
  EXPECT_EQ(bare->ToString(), "V2.1");
}

TEST_F(PlannerSameAs, RefusesTargetThatIsNeitherReleaseNorVersion) {
  Result<Version> v = ResolveTarget(set_, "banana");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(v.status().message(),
            "--to banana: neither a version (e.g. V3, V2.1) nor a release in ratchet.toml "
            "(1.0, 1.1, 2.0)");
}

TEST_F(PlannerSameAs, RefusesTargetVersionWithoutItem) {
  Result<Version> v = ResolveTarget(set_, "V4");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(v.status().message(), "--to V4: no item has version V4");
}

TEST_F(PlannerSameAs, CurrentReleaseIsNewestFullyApplied) {
  EXPECT_EQ(CurrentRelease(set_, EngineKind::kSqlite, {}), "");
  EXPECT_EQ(CurrentRelease(set_, EngineKind::kSqlite, AppliedList({"V1"})), "");
  EXPECT_EQ(CurrentRelease(set_, EngineKind::kSqlite, AppliedList({"V1", "V2"})), "1.0");
  EXPECT_EQ(CurrentRelease(set_, EngineKind::kSqlite, AppliedList({"V1", "V2", "V2.1"})), "1.1");
  EXPECT_EQ(CurrentRelease(set_, EngineKind::kSqlite, AppliedList({"V1", "V2", "V2.1", "V3"})),
            "2.0");
}

TEST_F(PlannerSameAs, CurrentReleaseHonoursSameAs) {
  // The main-line twin V5 stands in for V2.1.
  EXPECT_EQ(CurrentRelease(set_, EngineKind::kSqlite, AppliedList({"V1", "V2", "V3", "V5"})),
            "2.0");
}

// The current release as its definition reads: every release tried in turn,
// the newest whose plan has nothing pending, the first declared on a tie.
std::string CurrentReleaseOneByOne(const UpgradeSet& set, EngineKind engine,
                                   const std::vector<AppliedItem>& applied) {
  std::string best;
  std::optional<Version> best_head;
  for (const Release& r : set.project.releases) {
    PlanOptions options;
    options.target = r.head;
    if (!MakePlan(set, engine, applied, options).pending.empty()) continue;
    if (!best_head || *best_head < r.head) {
      best_head = r.head;
      best = r.name;
    }
  }
  return best;
}

TEST(PlannerCurrentRelease, AgreesWithTryingEveryReleaseForEveryAppliedSubset) {
  // Releases out of order, two sharing a head; requires, an optional item and
  // a same-as twin, so that gaps in what is applied change the answer.
  TempSet files;
  files.Toml(
      "[project]\nname = \"shop\"\n\n"
      "[[release]]\nname = \"3.0\"\nhead = \"V5\"\n\n"
      "[[release]]\nname = \"1.0\"\nhead = \"V2\"\n\n"
      "[[release]]\nname = \"1.0-lts\"\nhead = \"V2\"\n\n"
      "[[release]]\nname = \"0.9\"\nhead = \"V1\"\n\n"
      "[[release]]\nname = \"2.0\"\nhead = \"V3\"\n");
  files.Item("V1__0__one.sql", "CREATE TABLE one (a int);\n");
  files.Item("V2__0__two.sql", "-- ratchet: optional\nCREATE TABLE two (a int);\n");
  files.Item("V2.1__77__index_a.sql", "CREATE INDEX IF NOT EXISTS one_a ON one (a);\n");
  files.Item("V3__0__three.sql", "-- ratchet: requires V2\nCREATE TABLE three (a int);\n");
  files.Item("V4__77__index_a.sql",
             "-- ratchet: same-as V2.1\nCREATE INDEX IF NOT EXISTS one_a ON one (a);\n");
  files.Item("V5__0__five.sql", "CREATE TABLE five (a int);\n");
  Result<UpgradeSet> set = files.Load();
  ASSERT_TRUE(set.ok()) << set.status().message();
  const std::vector<const char*> versions = {"V1", "V2", "V2.1", "V3", "V4", "V5"};
  std::set<std::string> answers;
  for (unsigned mask = 0; mask < (1u << versions.size()); ++mask) {
    std::vector<AppliedItem> applied;
    for (size_t k = 0; k < versions.size(); ++k) {
      if (mask & (1u << k)) applied.push_back(Applied(*set, versions[k]));
    }
    std::string expected = CurrentReleaseOneByOne(*set, EngineKind::kSqlite, applied);
    EXPECT_EQ(CurrentRelease(*set, EngineKind::kSqlite, applied), expected)
        << "applied mask " << mask;
    answers.insert(expected);
  }
  // The subsets reach every release but the tied one declared second.
  EXPECT_EQ(answers, (std::set<std::string>{"", "0.9", "1.0", "2.0", "3.0"}));
}

TEST_F(PlannerSameAs, TargetReleaseNameFeedsThePlan) {
  Result<Version> target = ResolveTarget(set_, "1.0");
  ASSERT_TRUE(target.ok());
  PlanOptions options;
  options.target = *target;
  Plan plan = MakePlan(set_, EngineKind::kSqlite, {}, options);
  EXPECT_EQ(Versions(plan.pending), (Names{"V1", "V2"}));
  EXPECT_TRUE(plan.covered.empty());
}

}  // namespace
}  // namespace ratchet
