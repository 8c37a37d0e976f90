// The smaller commands through the tool: new, status and plan of a database
// that does not exist yet, targets that are not databases, --help, --version.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/harness.h"

namespace ratchet::testing {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

std::vector<std::string> ItemFiles(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir / "items")) names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(NewCommand, ChoosesTheNextMajorAndWithBackportTheNextMinor) {
  ScratchDir dir;
  WriteFile(dir.path() / "ratchet.toml",
            "[project]\nname = \"x\"\n[[release]]\nname = \"1.0\"\nhead = \"V2\"\n");
  WriteFile(dir.path() / "items/V1__1__a.sql", "CREATE TABLE a (id INTEGER);\n");
  WriteFile(dir.path() / "items/V2__2__b.sql", "CREATE TABLE b (id INTEGER);\n");
  WriteFile(dir.path() / "items/V10__3__c.sql", "CREATE TABLE c (id INTEGER);\n");

  RunResult major = RunRatchet({"new", "Add ISBN index", "--ticket", "42", "--set", dir.path()});
  ASSERT_EQ(major.exit_code, 0) << major.all();
  EXPECT_THAT(major.out, HasSubstr("V11__42__add_isbn_index.sql"));

  RunResult minor = RunRatchet({"new", "fix_b", "--backport", "1.0", "--set", dir.path()});
  ASSERT_EQ(minor.exit_code, 0) << minor.all();
  RunResult minor2 = RunRatchet({"new", "fix_b_again", "--backport", "V2", "--set", dir.path()});
  ASSERT_EQ(minor2.exit_code, 0) << minor2.all();
  EXPECT_EQ(ItemFiles(dir.path()),
            (std::vector<std::string>{"V10__3__c.sql", "V11__42__add_isbn_index.sql",
                                      "V1__1__a.sql", "V2.1__0__fix_b.sql",
                                      "V2.2__0__fix_b_again.sql", "V2__2__b.sql"}));

  RunResult bad = RunRatchet({"new", "no/slashes", "--set", dir.path()});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("description"));
}

TEST(StatusCommand, ShowsANewDatabaseWithoutCreatingIt) {
  ScratchDir dir;
  fs::path db = dir.path() / "absent.db";
  RunResult st = RunRatchet({"status", "--set", BookshopSet(), "--db", "sqlite:" + db.string(),
                             "--json"});
  ASSERT_EQ(st.exit_code, 0) << st.all();
  auto json = nlohmann::json::parse(st.out);
  EXPECT_EQ(json["status"], "new");
  EXPECT_EQ(json["pending"].size(), 12u);
  EXPECT_FALSE(fs::exists(db));
}

TEST(Targets, ANonDatabaseTargetIsBadUsageWithTheAcceptedForms) {
  RunResult r = RunRatchet({"status", "--set", BookshopSet(), "--db", "mysql://u:pw@h/db"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("sqlite:path/to/app.db"));
  EXPECT_THAT(r.err, ::testing::Not(HasSubstr("pw")));
}

TEST(Targets, RatchetDbEnvironmentVariableIsUsedWithoutDb) {
  ScratchDir dir;
  fs::path db = dir.path() / "env.db";
  RunResult r = RunRatchet({"upgrade", "--set", BookshopSet(), "--to", "1.0"},
                           {"RATCHET_DB=sqlite:" + db.string()});
  ASSERT_EQ(r.exit_code, 0) << r.all();
  EXPECT_TRUE(fs::exists(db));
  EXPECT_THAT(r.out, HasSubstr("at release 1.0"));
}

// Writes a one-item set whose ratchet.toml names its database: app.db beside it.
void WriteSetNamingItsDatabase(const fs::path& dir, const std::string& item) {
  WriteFile(dir / "ratchet.toml", "[project]\nname = \"x\"\ndb = \"sqlite:app.db\"\n");
  WriteFile(dir / "items/V1__1__a.sql", item);
}

TEST(Targets, TheDatabaseInRatchetTomlIsUsedWithoutDbRelativeToTheSet) {
  ScratchDir dir;
  WriteSetNamingItsDatabase(dir.path(), "CREATE TABLE a (id INTEGER);\n");
  RunResult r = RunRatchet({"upgrade", "--set", dir.path()});
  ASSERT_EQ(r.exit_code, 0) << r.all();
  EXPECT_TRUE(fs::exists(dir.path() / "app.db"));
  RunResult again = RunRatchet({"upgrade", "--set", dir.path()});
  ASSERT_EQ(again.exit_code, 0) << again.all();
  EXPECT_THAT(again.out, HasSubstr("Nothing to do"));
}

TEST(Targets, ABadItemStopsTheRunBeforeTheDatabaseInRatchetTomlIsOpened) {
  ScratchDir dir;
  WriteSetNamingItsDatabase(dir.path(), "-- ratchet: optinal\nCREATE TABLE a (id INTEGER);\n");
  RunResult r = RunRatchet({"upgrade", "--set", dir.path()});
  EXPECT_EQ(r.exit_code, 2) << r.all();
  EXPECT_THAT(r.err, HasSubstr("optinal"));
  EXPECT_FALSE(fs::exists(dir.path() / "app.db"));
}

TEST(Tool, HelpAndVersionExitZeroAndBadOptionsExitTwo) {
  EXPECT_EQ(RunRatchet({"--version"}).exit_code, 0);
  EXPECT_THAT(RunRatchet({"--version"}).out, HasSubstr("ratchet "));
  for (const char* command : {"upgrade", "status", "plan", "new", "repair", "baseline"}) {
    RunResult help = RunRatchet({command, "--help"});
    EXPECT_EQ(help.exit_code, 0) << command;
    EXPECT_THAT(help.out, HasSubstr("--")) << command;
  }
  EXPECT_EQ(RunRatchet({"upgrade", "--no-such-option"}).exit_code, 2);
  EXPECT_EQ(RunRatchet({"frobnicate"}).exit_code, 2);
  RunResult wait = RunRatchet({"upgrade", "--set", BookshopSet(), "--db", "sqlite:/tmp/x.db",
                               "--lock-wait", "soon"});
  EXPECT_EQ(wait.exit_code, 2);
  EXPECT_THAT(wait.err, HasSubstr("--lock-wait soon"));
}

}  // namespace
}  // namespace ratchet::testing
