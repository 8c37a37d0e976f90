// A run with nothing pending: it still reads every applied item to find
// drift, and it runs the pre-upgrade checks only on items it starts.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ratchet/check.h"
#include "ratchet/runner.h"
#include "ratchet/upgrade_set.h"
#include "support/harness.h"

namespace ratchet::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class NoOpRun : public EngineTest {
 protected:
  UpgradeSet Load() {
    LoadOptions load;
    load.parse_for = engine();
    load.defer_parse = true;
    auto set = LoadUpgradeSet(set_dir(), load);
    EXPECT_TRUE(set.ok()) << set.status().message();
    return set.ok() ? std::move(*set) : UpgradeSet();
  }
};
RATCHET_ALL_ENGINES(NoOpRun);

TEST_P(NoOpRun, FindsDriftThatKeepsTheFileSizeAndModificationTime) {
  WriteSet({{"V1__1__create_t.sql", "CREATE TABLE t (id INTEGER);\nINSERT INTO t VALUES (1);\n"}});
  ASSERT_EQ(Ratchet("upgrade").exit_code, 0);
  fs::path file = set_dir() / "items" / "V1__1__create_t.sql";
  auto modified = fs::last_write_time(file);
  auto size = fs::file_size(file);
  {
    std::ofstream out(file, std::ios::trunc);
    out << "CREATE TABLE t (id INTEGER);\nINSERT INTO t VALUES (2);\n";
  }
  fs::last_write_time(file, modified);
  ASSERT_EQ(fs::file_size(file), size);

  RunResult drifted = Ratchet("upgrade");
  EXPECT_EQ(drifted.exit_code, 5) << drifted.all();
  EXPECT_THAT(drifted.err, HasSubstr("drift"));
  EXPECT_EQ(Value("SELECT COUNT(*) FROM t WHERE id = 2"), "0");
}

// Records the items each run's pre-upgrade checks looked at.
class ChecksRecorder : public Reporter {
 public:
  void ChecksRan(const Plan& checked, const CheckReport& report) override {
    std::vector<std::string> versions;
    for (const Item* item : checked.pending) versions.push_back(item->version.ToString());
    runs.push_back(versions);
  }
  std::vector<std::vector<std::string>> runs;
};

TEST_P(NoOpRun, ChecksOnlyTheItemsARunStartsAndNothingWhenNothingIsPending) {
  WriteSet({{"V1__1__create_a.sql", "CREATE TABLE a (id INTEGER);\n"},
            {"V2__2__create_b.sql", "CREATE TABLE b (id INTEGER);\n"}});
  UpgradeSet set = Load();
  ChecksRecorder recorder;
  const std::vector<std::vector<std::string>>& checked = recorder.runs;
  UpgradeOptions options;
  options.run_checks = true;
  auto conn = Open();
  options.target = Version::Parse("V1");
  ASSERT_TRUE(ratchet::Upgrade(*conn, set, options, &recorder).ok());
  options.target.reset();
  ASSERT_TRUE(ratchet::Upgrade(*conn, set, options, &recorder).ok());
  ASSERT_TRUE(ratchet::Upgrade(*conn, set, options, &recorder).ok());

  ASSERT_EQ(checked.size(), 2u);  // the third run had nothing pending
  EXPECT_THAT(checked[0], ElementsAre("V1"));
  EXPECT_THAT(checked[1], ElementsAre("V2"));
  EXPECT_EQ(Value("SELECT COUNT(*) FROM " + Books("items") + " WHERE phase = 'applied'"), "2");
}

TEST_P(NoOpRun, AFailedCheckStopsTheRunBeforeAnythingIsWritten) {
  // The check section's one row is a problem.
  WriteSet(
      {{"V1__1__create_a.sql",
        "-- ratchet: check\nSELECT 1;\n-- ratchet: finalize\nCREATE TABLE a (id INTEGER);\n"}});
  UpgradeSet set = Load();
  UpgradeOptions options;
  options.run_checks = true;
  auto conn = Open();
  auto summary = ratchet::Upgrade(*conn, set, options, nullptr);
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.status().code(), Code::kCheckFailed);
  auto initialized = conn->HasBookkeeping();
  ASSERT_TRUE(initialized.ok());
  EXPECT_FALSE(*initialized);
  EXPECT_THAT(Tables(), ::testing::Not(::testing::Contains("a")));
}

}  // namespace
}  // namespace ratchet::testing
