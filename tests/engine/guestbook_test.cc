// examples/embedded: the guestbook program, whose schema is compiled in,
// upgrades its database when it starts, refuses to start on a database it
// must not touch (saying what state it is in and what to run), and takes the
// online path through its flags, on each engine.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/harness.h"

namespace ratchet::testing {
namespace {

namespace fs = std::filesystem;

#define EXPECT_HAS(text, needle) \
  EXPECT_NE(std::string(text).find(needle), std::string::npos) << "in:\n" << (text)

class Guestbook : public EngineTest {
 protected:
  // Runs the guestbook on this test's database.
  RunResult Run(const std::vector<std::string>& args = {}) {
    std::vector<std::string> argv = {RATCHET_GUESTBOOK_BIN, "--db", db()};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv);
  }
  // The guestbook's upgrade set, as files.
  static std::string Upgrades() {
    return (fs::path(RATCHET_SOURCE_DIR) / "examples/embedded/upgrades").string();
  }
  // Brings the database to release `to` with the ratchet tool.
  void UpgradeWithTool(const std::string& set, const std::string& to = "") {
    std::vector<std::string> args = {"upgrade", "--set", set, "--db", db()};
    if (!to.empty()) args.insert(args.end(), {"--to", to});
    RunResult r = RunRatchet(args);
    ASSERT_EQ(r.exit_code, 0) << r.all();
  }
  std::string State() { return Value("SELECT status FROM " + Books("state")); }
  std::vector<std::string> Applied() {
    return Rows("SELECT version, phase FROM " + Books("items") + " ORDER BY version");
  }
  bool HasSignedAt() {
    return is_sqlite() ? Value(
                             "SELECT COUNT(*) FROM pragma_table_info('entries') WHERE name = "
                             "'signed_at'") == "1"
                       : Value(
                             "SELECT COUNT(*) FROM information_schema.columns WHERE table_name = "
                             "'entries' AND column_name = 'signed_at'") == "1";
  }
};

TEST_P(Guestbook, UpgradesANewDatabaseWhenItStartsAndThenRuns) {
  RunResult first = Run({"--sign", "ada", "--message", "hello"});
  ASSERT_EQ(first.exit_code, 0) << first.all();
  EXPECT_HAS(first.out, "[3/3] V3 entries_signed_at ... ok");
  EXPECT_HAS(first.out, "3 item(s) applied, release 2.0");
  EXPECT_HAS(first.out, "guestbook: 1 entries");
  EXPECT_EQ(State(), "active");
  EXPECT_EQ(Applied(), (std::vector<std::string>{"V1|applied", "V2|applied", "V3|applied"}));
  EXPECT_EQ(Rows("SELECT id, name, message FROM entries"),
            (std::vector<std::string>{"1|ada|hello"}));

  RunResult second = Run({"--sign", "grace"});
  ASSERT_EQ(second.exit_code, 0) << second.all();
  EXPECT_EQ(second.out.find("applied"), std::string::npos) << second.out;
  EXPECT_HAS(second.out, "guestbook: 2 entries");
  EXPECT_EQ(Value("SELECT COUNT(*) FROM entries WHERE signed_at IS NOT NULL"), "2");
}

TEST_P(Guestbook, RefusesToStartOnADatabaseANewerGuestbookUpgraded) {
  fs::path newer = dir() / "newer";
  fs::copy(Upgrades(), newer, fs::copy_options::recursive);
  WriteFile(newer / "items/V4__4__entries_by_date.sql",
            "CREATE INDEX entries_by_date ON entries (signed_at);\n");
  UpgradeWithTool(newer.string());

  RunResult r = Run({"--sign", "ada"});
  EXPECT_EQ(r.exit_code, 5) << r.all();
  EXPECT_HAS(r.err, "refusing to start: ");
  EXPECT_HAS(r.err, "was upgraded by a newer guestbook. It has V4 (entries_by_date)");
  EXPECT_HAS(r.err, "its schema ends at V3");
  EXPECT_HAS(r.err, "Run the newer guestbook on it, or restore the backup");
  EXPECT_EQ(Value("SELECT COUNT(*) FROM entries"), "0");  // it did not run
  EXPECT_EQ(Rows("SELECT version FROM " + Books("items") + " ORDER BY version").size(), 4u);
}

TEST_P(Guestbook, AfterAFailedUpgradeRefusesToStartUntilTheOperatorRetries) {
  UpgradeWithTool(Upgrades(), "V1");
  // Something in the database that V2's index collides with.
  ASSERT_TRUE(Open()->Execute("CREATE TABLE entries_by_name (a integer)").ok());

  RunResult failed = Run();
  EXPECT_EQ(failed.exit_code, 1) << failed.all();
  EXPECT_HAS(failed.err, "upgrade failed: ");
  EXPECT_HAS(failed.err, "items/V2__2__index_entries_by_name.sql:2:1");
  EXPECT_HAS(failed.err, "--upgrade-only");
  EXPECT_EQ(State(), "failed-upgrade");

  RunResult refused = Run({"--sign", "ada"});
  EXPECT_EQ(refused.exit_code, 5) << refused.all();
  EXPECT_HAS(refused.err, "refusing to start: the last upgrade of ");
  EXPECT_HAS(refused.err, "failed at V2 (items/V2__2__index_entries_by_name.sql:2:1: ");
  EXPECT_HAS(refused.err, "The database is marked failed-upgrade");
  EXPECT_HAS(refused.err, "then retry the upgrade with: guestbook --db '");
  EXPECT_HAS(refused.err, "' --upgrade-only");
  EXPECT_EQ(Applied(), (std::vector<std::string>{"V1|applied"}));

  ASSERT_TRUE(Open()->Execute("DROP TABLE entries_by_name").ok());
  RunResult retried = Run({"--upgrade-only"});
  ASSERT_EQ(retried.exit_code, 0) << retried.all();
  EXPECT_HAS(retried.out, "2 item(s) applied, release 2.0");
  EXPECT_EQ(State(), "active");
  EXPECT_EQ(Value("SELECT COUNT(*) FROM entries"), "0");  // --upgrade-only does not run it

  RunResult started = Run({"--sign", "ada"});
  EXPECT_EQ(started.exit_code, 0) << started.all();
  EXPECT_EQ(Value("SELECT COUNT(*) FROM entries"), "1");
}

TEST_P(Guestbook, TakesTheOnlinePathThroughPrepareRollbackAndFinalize) {
  UpgradeWithTool(Upgrades(), "1.0");
  ASSERT_TRUE(Open()->Execute("INSERT INTO entries (id, name) VALUES (1, 'old')").ok());

  RunResult prepared = Run({"--prepare"});
  ASSERT_EQ(prepared.exit_code, 0) << prepared.all();
  EXPECT_HAS(prepared.out, "prepared 1 item(s)");
  EXPECT_EQ(State(), "prepared");
  EXPECT_TRUE(HasSignedAt());

  RunResult refused = Run({"--sign", "ada"});
  EXPECT_EQ(refused.exit_code, 5) << refused.all();
  EXPECT_HAS(refused.err, "an online upgrade of ");
  EXPECT_HAS(refused.err, "(state prepared)");
  EXPECT_HAS(refused.err, "' --finalize");
  EXPECT_HAS(refused.err, "' --rollback");

  RunResult rolled_back = Run({"--rollback"});
  ASSERT_EQ(rolled_back.exit_code, 0) << rolled_back.all();
  EXPECT_HAS(rolled_back.out, "rolled back 1 item(s)");
  EXPECT_EQ(State(), "active");
  EXPECT_FALSE(HasSignedAt());
  EXPECT_EQ(Applied(), (std::vector<std::string>{"V1|applied", "V2|applied"}));

  ASSERT_EQ(Run({"--prepare"}).exit_code, 0);
  RunResult finalized = Run({"--finalize"});
  ASSERT_EQ(finalized.exit_code, 0) << finalized.all();
  EXPECT_HAS(finalized.out, "finalized 1 item(s)");
  EXPECT_HAS(finalized.out, "at release 2.0");
  EXPECT_EQ(State(), "active");
  EXPECT_EQ(Applied(), (std::vector<std::string>{"V1|applied", "V2|applied", "V3|applied"}));
  EXPECT_EQ(Rows("SELECT name, signed_at FROM entries"),
            (std::vector<std::string>{"old|before 2.0"}));

  RunResult again = Run({"--finalize"});
  EXPECT_EQ(again.exit_code, 0) << again.all();
  EXPECT_HAS(again.out, "nothing to finalize");
  RunResult started = Run({"--sign", "ada"});
  EXPECT_EQ(started.exit_code, 0) << started.all();
  EXPECT_HAS(started.out, "guestbook: 2 entries");
}

TEST(GuestbookUsage, SaysHowToCallItOnBadUsage) {
  RunResult r = RunCommand({RATCHET_GUESTBOOK_BIN, "--frobnicate"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_HAS(r.err, "usage: guestbook --db DB");
}

RATCHET_ALL_ENGINES(Guestbook);

}  // namespace
}  // namespace ratchet::testing
