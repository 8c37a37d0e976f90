// What ratchet tells an operator when something stands in its way: commands
// to paste that the shell reads back exactly, a read-only database refused
// before anything runs, and the holder of the lock named without the
// secrets on its command line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/harness.h"

namespace ratchet::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

// What the shell makes of `command`'s words: each on a line of its own.
std::vector<std::string> ShellWords(const std::string& command, const fs::path& cwd) {
  std::string script = "cd '" + cwd.string() + "' && printf '%s\\n' " + command;
  std::vector<std::string> words;
  FILE* pipe = popen(script.c_str(), "r");
  if (pipe == nullptr) return words;
  char buffer[4096];
  std::string all;
  while (size_t n = fread(buffer, 1, sizeof(buffer), pipe)) all.append(buffer, n);
  pclose(pipe);
  size_t start = 0;
  for (size_t nl; (nl = all.find('\n', start)) != std::string::npos; start = nl + 1) {
    words.push_back(all.substr(start, nl - start));
  }
  return words;
}

// The command after `lead` in `text`, up to the end of its line.
std::string CommandAfter(const std::string& text, const std::string& lead) {
  size_t at = text.find(lead);
  if (at == std::string::npos) return "";
  at += lead.size();
  return text.substr(at, text.find('\n', at) - at);
}

TEST(NextCommand, ReadsBackExactlyInTheShellWhateverThePathsHold) {
  ScratchDir dir;
  const fs::path set = dir.path() / "my set $(touch pwned)";
  WriteFile(set / "ratchet.toml", "[project]\nname = \"quoting\"\n");
  WriteFile(set / "items/V1__1__create_t.sql", "CREATE TABLE t (a INTEGER);\n");
  WriteFile(set / "items/V2__2__broken.sql", "INSERT INTO missing_table VALUES (1);\n");
  const std::string db = "sqlite:" + (dir.path() / "it's `here`.db").string();

  RunResult r = RunRatchet({"upgrade", "--set", set.string(), "--db", db});
  ASSERT_EQ(r.exit_code, 1) << r.all();
  std::string command = CommandAfter(r.err, ", then run: ");
  ASSERT_EQ(command.rfind("ratchet ", 0), 0u) << r.err;
  EXPECT_EQ(ShellWords(command.substr(8), dir.path()),
            (std::vector<std::string>{"upgrade", "--set", set.string(), "--db", db}));
  EXPECT_FALSE(fs::exists(dir.path() / "pwned"));
  EXPECT_THAT(r.err, HasSubstr("Next: fix items/V2__2__broken.sql, then run: "));
}

TEST(ReadOnlyDatabase, IsRefusedBeforeAnythingRunsAndNothingIsMarked) {
  ScratchDir dir;
  const fs::path set = dir.path() / "set";
  WriteFile(set / "ratchet.toml", "[project]\nname = \"ro\"\n");
  WriteFile(set / "items/V1__1__create_t.sql", "CREATE TABLE t (a INTEGER);\n");
  WriteFile(set / "items/V2__2__create_u.sql", "CREATE TABLE u (a INTEGER);\n");
  const fs::path file = dir.path() / "app.db";
  const std::string db = "sqlite:" + file.string();
  ASSERT_EQ(RunRatchet({"upgrade", "--set", set.string(), "--db", db, "--to", "V1"}).exit_code, 0);

  // As root, whom permissions do not stop, ratchet runs as nobody.
  std::vector<std::string> argv;
  if (geteuid() == 0) {
    ASSERT_EQ(chmod(dir.path().c_str(), 0755), 0);
    argv = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
  }
  ASSERT_EQ(chmod(file.c_str(), 0444), 0);
  argv.insert(argv.end(), {RATCHET_BIN, "upgrade", "--set", set.string(), "--db", db});
  RunResult r = RunCommand(argv);
  EXPECT_EQ(r.exit_code, 2) << r.all();
  EXPECT_THAT(r.err, HasSubstr(db + " is read-only (this user may not write it): ratchet has "
                                    "changed nothing"));
  EXPECT_THAT(r.err, HasSubstr("chmod u+w " + file.string()));
  EXPECT_THAT(r.err, Not(HasSubstr("failed-upgrade")));
  EXPECT_THAT(r.err, Not(HasSubstr("rolled back")));

  ASSERT_EQ(chmod(file.c_str(), 0644), 0);
  RunResult status = RunRatchet({"status", "--set", set.string(), "--db", db, "--json"});
  auto json = nlohmann::json::parse(status.out);
  EXPECT_EQ(json["status"], "active");
  EXPECT_FALSE(json["pending"].empty());  // the refused upgrade applied nothing
  RunResult after = RunRatchet({"upgrade", "--set", set.string(), "--db", db});
  EXPECT_EQ(after.exit_code, 0) << after.all();
}

// The SQLite lock's holder is named by pid, command and age; the rest of its
// command line (here another target's password) is never printed.
TEST(LockHolder, IsNamedWithoutTheSecretsOnItsCommandLine) {
  ScratchDir dir;
  const fs::path set = dir.path() / "set";
  WriteFile(set / "ratchet.toml", "[project]\nname = \"busy\"\n");
  WriteFile(set / "items/V1__1__slow.sql",
            "CREATE TABLE t (n INTEGER);\n"
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 400000000)\n"
            "INSERT INTO t SELECT count(*) FROM c;\n");
  const std::string db = "sqlite:" + (dir.path() / "app.db").string();
  BackgroundRun holder({"upgrade", "--set", set.string(), "--db", db, "--db",
                        "postgresql://app:s3cr3t-pw@127.0.0.1:1/app"});
  // Wait until it holds the file's flock.
  ASSERT_TRUE(WaitForFileLocks(holder.pid(), 1, /*flock_only=*/true))
      << "the first run never took the lock";
  RunResult second = RunRatchet({"upgrade", "--set", set.string(), "--db", db, "--lock-wait", "0"});
  kill(holder.pid(), SIGKILL);
  holder.Wait();
  EXPECT_EQ(second.exit_code, 4) << second.all();
  EXPECT_THAT(second.err, HasSubstr("held by pid " + std::to_string(holder.pid()) +
                                    " (ratchet upgrade, running for "));
  EXPECT_THAT(second.all(), Not(HasSubstr("s3cr3t")));
}

// While a run writes more than SQLite's page cache holds, it keeps the file
// locked against readers too. A second run is told who holds the database
// within its --lock-wait (exit 4), and status names the run, within a second.
TEST(SqliteContention, ASecondRunAndStatusNameTheRunningUpgradeQuickly) {
  ScratchDir dir;
  const fs::path set = dir.path() / "set";
  WriteFile(set / "ratchet.toml", "[project]\nname = \"busy\"\n");
  WriteFile(set / "items/V1__1__big_then_slow.sql",
            "CREATE TABLE big (x TEXT);\n"
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 30000)\n"
            "INSERT INTO big SELECT printf('%.1000c', 'x') FROM c;\n"
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 400000000)\n"
            "SELECT count(*) FROM c;\n");
  const std::string db = "sqlite:" + (dir.path() / "app.db").string();
  BackgroundRun holder({"upgrade", "--set", set.string(), "--db", db});
  // Wait until the file is locked against readers (the big insert spilled):
  // the upgrade lock, and SQLite's own on the file.
  ASSERT_TRUE(WaitForFileLocks(holder.pid(), 2, /*flock_only=*/false));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));

  auto started = std::chrono::steady_clock::now();
  RunResult second =
      RunRatchet({"upgrade", "--set", set.string(), "--db", db, "--lock-wait", "1s"});
  auto second_took = std::chrono::steady_clock::now() - started;
  started = std::chrono::steady_clock::now();
  RunResult status = RunRatchet({"status", "--set", set.string(), "--db", db});
  auto status_took = std::chrono::steady_clock::now() - started;
  kill(holder.pid(), SIGKILL);
  holder.Wait();

  EXPECT_EQ(second.exit_code, 4) << second.all();
  EXPECT_THAT(second.err, HasSubstr("held by pid " + std::to_string(holder.pid())));
  EXPECT_THAT(second.err, HasSubstr("not released within 1000 ms"));
  EXPECT_GE(second_took, std::chrono::milliseconds(900));
  EXPECT_LT(second_took, std::chrono::seconds(4)) << "--lock-wait 1s was not honoured";
  EXPECT_EQ(status.exit_code, 4) << status.all();
  EXPECT_THAT(status.all(), HasSubstr("upgrading now"));
  EXPECT_THAT(status.all(), HasSubstr("held by pid " + std::to_string(holder.pid())));
  EXPECT_LT(status_took, std::chrono::seconds(4));
}

}  // namespace
}  // namespace ratchet::testing
