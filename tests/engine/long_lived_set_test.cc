// tests/sets/long_lived, an issue tracker's 150 items written over six
// releases, runs as written: lint and check find no problem, upgrade applies
// every item, the result equals the items applied one by one with psql, and
// verify proves every release reaches the fresh install of the newest one.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "snapshot/checks_fixture.h"
#include "support/harness.h"

namespace ratchet::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class LongLivedSet : public ChecksTest {
 protected:
  static fs::path SetDir() {
    return fs::path(RATCHET_SOURCE_DIR) / "tests" / "sets" / "long_lived";
  }

  static std::string Env(const char* name) {
    const char* v = std::getenv(name);
    return v != nullptr ? v : "";
  }

  // The database name of a --db value the harness made ("... dbname=NAME").
  static std::string DatabaseName(const std::string& db) {
    return db.substr(db.rfind("dbname=") + 7);
  }

  // The client options that reach the test server.
  static std::vector<std::string> ServerArgs() {
    return {"-h", Env("RATCHET_TEST_PG_HOST"), "-p", Env("RATCHET_TEST_PG_PORT"),
            "-U", Env("RATCHET_TEST_PG_USER")};
  }

  // The item files in version order (V2 before V10).
  static std::vector<fs::path> ItemFiles() {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(SetDir() / "items")) {
      files.push_back(entry.path());
    }
    auto version = [](const fs::path& p) { return std::stoi(p.filename().string().substr(1)); };
    std::sort(files.begin(), files.end(),
              [&](const fs::path& a, const fs::path& b) { return version(a) < version(b); });
    return files;
  }

  static bool RunsOutsideTransaction(const fs::path& item) {
    std::ifstream in(item);
    std::string line;
    while (std::getline(in, line)) {
      if (line == "-- ratchet: transaction none") return true;
    }
    return false;
  }

  // pg_dump --schema-only of `db`, without comments, blank lines and the
  // \restrict lines of newer pg_dump versions.
  static std::string SchemaDump(const std::string& db, bool exclude_ratchet) {
    std::vector<std::string> argv = {"pg_dump"};
    for (const std::string& a : ServerArgs()) argv.push_back(a);
    argv.insert(argv.end(), {"--schema-only", "--no-owner", "--no-privileges"});
    if (exclude_ratchet) argv.push_back("--exclude-schema=ratchet");
    argv.push_back(DatabaseName(db));
    RunResult dump = RunCommand(argv);
    EXPECT_EQ(dump.exit_code, 0) << dump.err;
    std::istringstream in(dump.out);
    std::string line, kept;
    while (std::getline(in, line)) {
      if (line.empty() || line.rfind("--", 0) == 0 || line.rfind("\\restrict", 0) == 0 ||
          line.rfind("\\unrestrict", 0) == 0) {
        continue;
      }
      kept += line + "\n";
    }
    return kept;
  }

  std::vector<std::string> VerifyArgs() const {
    std::vector<std::string> args = {"--db", db()};
    for (const std::string& a : ScratchArgs()) args.push_back(a);
    return args;
  }

  RunResult RatchetOnSet(const std::string& command, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {command, "--set", SetDir().string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunRatchet(args);
  }
};
INSTANTIATE_TEST_SUITE_P(Engines, LongLivedSet, ::testing::Values(EngineKind::kPostgres),
                         [](const auto&) { return std::string("Postgres"); });

TEST_P(LongLivedSet, RunsAsWrittenAndEqualsTheItemsAppliedWithPsql) {
  const std::vector<fs::path> items = ItemFiles();
  ASSERT_GE(items.size(), 150u);

  RunResult lint = RatchetOnSet("lint");
  EXPECT_EQ(lint.exit_code, 0) << lint.all();
  for (const char* empty : {"V14", "V41", "V67", "V106", "V131"}) {
    EXPECT_THAT(lint.all(), HasSubstr(empty)) << lint.all();
  }
  EXPECT_THAT(lint.all(), HasSubstr("holds no SQL, only comments")) << lint.all();

  RunResult check = RatchetOnSet("check", {"--db", db()});
  EXPECT_EQ(check.exit_code, 0) << check.all();
  RunResult upgrade = RatchetOnSet("upgrade", {"--db", db()});
  ASSERT_EQ(upgrade.exit_code, 0) << upgrade.all();
  EXPECT_EQ(Value("SELECT count(*) FROM " + Books("items") + " WHERE phase = 'applied'"),
            std::to_string(items.size()));

  // The floor: each item applied by psql, in one transaction unless it runs
  // outside one.
  const std::string floor = ExtraDatabase();
  for (const fs::path& item : items) {
    std::vector<std::string> argv = {"psql", "-X", "-q", "-v", "ON_ERROR_STOP=1"};
    for (const std::string& a : ServerArgs()) argv.push_back(a);
    if (!RunsOutsideTransaction(item)) argv.push_back("-1");
    argv.insert(argv.end(), {"-d", DatabaseName(floor), "-f", item.string()});
    RunResult psql = RunCommand(argv);
    ASSERT_EQ(psql.exit_code, 0) << item.filename() << ": " << psql.err;
  }
  const std::string by_ratchet = SchemaDump(db(), /*exclude_ratchet=*/true);
  const std::string by_psql = SchemaDump(floor, /*exclude_ratchet=*/false);
  EXPECT_FALSE(by_psql.empty());
  EXPECT_EQ(by_ratchet, by_psql);
}

// verify passes: the plain path reaches the fresh install from every
// release; the online path is reported not applicable from the releases
// whose way to the head holds 'transaction none' items (they cannot pivot),
// and taken from the others; the items after the newest release are named.
TEST_P(LongLivedSet, VerifyReachesTheFreshInstallAndNamesUnreleasedItems) {
  RunResult verify = RatchetOnSet("verify", VerifyArgs());
  EXPECT_EQ(verify.exit_code, 0) << verify.all();
  EXPECT_THAT(verify.out, HasSubstr("reach exactly the fresh install of 3.0")) << verify.all();
  EXPECT_THAT(verify.out, HasSubstr("not applicable")) << verify.all();
  EXPECT_THAT(verify.out, HasSubstr("'transaction none' cannot pivot")) << verify.all();
  EXPECT_THAT(verify.out, HasSubstr("3 item(s) lie beyond release 3.0, the newest: V148, V149, "
                                    "V150"))
      << verify.all();
  for (const char* release : {"empty", "1.0", "1.1", "1.2", "2.0", "2.1", "3.0"}) {
    EXPECT_THAT(verify.out,
                ::testing::ContainsRegex(std::string("from ") + release + " +by upgrade +ok\n"))
        << release;
  }
}

}  // namespace
}  // namespace ratchet::testing
