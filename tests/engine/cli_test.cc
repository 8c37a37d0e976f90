// The command line as a shell user meets it: help, unknown commands, init
// and new, the man pages and completions the build writes, plan --sql
// applied by the engine's own shell, and progress lines on a terminal.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "support/harness.h"

namespace ratchet::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The commands `ratchet --help` lists, and the options `ratchet <command>
// --help` lists for one of them.
std::vector<std::string> HelpCommands() {
  RunResult help = RunRatchet({"--help"});
  std::vector<std::string> out;
  std::istringstream in(help.out);
  bool listing = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("Subcommands:", 0) == 0) {
      listing = true;
      continue;
    }
    if (!listing || line.size() < 3 || line[0] != ' ') continue;
    std::istringstream words(line);
    std::string name;
    words >> name;
    out.push_back(name);
  }
  return out;
}

std::vector<std::string> HelpOptions(const std::string& command) {
  RunResult help = RunRatchet({command, "--help"});
  std::vector<std::string> out;
  std::istringstream in(help.out);
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string first;
    words >> first;
    if (first.rfind("-", 0) != 0) continue;
    // "-j,--jobs", "--set"
    std::istringstream names(first);
    for (std::string name; std::getline(names, name, ',');) out.push_back(name);
  }
  return out;
}

TEST(Help, HelpCommandIsCommandHelpAndUnknownCommandsListTheCommands) {
  std::vector<std::string> commands = HelpCommands();
  ASSERT_GE(commands.size(), 19u) << RunRatchet({"--help"}).out;
  for (const std::string& command : commands) {
    RunResult help = RunRatchet({"help", command});
    EXPECT_EQ(help.exit_code, 0) << command;
    EXPECT_EQ(help.out, RunRatchet({command, "--help"}).out) << command;
  }
  EXPECT_EQ(RunRatchet({"help"}).out, RunRatchet({"--help"}).out);

  RunResult typo = RunRatchet({"statsu"});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_THAT(typo.err, HasSubstr("unknown command 'statsu' (did you mean 'status'?)"));
  for (const std::string& command : commands) EXPECT_THAT(typo.err, HasSubstr(command));
  RunResult unknown = RunRatchet({"help", "frobnicate"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("unknown command 'frobnicate'. The commands are: "));
  EXPECT_THAT(unknown.err, Not(HasSubstr("did you mean")));
}

TEST(Init, WritesASetThatLoadsAndLintsCleanAndRefusesToOverwrite) {
  ScratchDir dir;
  fs::path set = dir.path() / "shop";
  RunResult init = RunRatchet({"init", set.string()});
  ASSERT_EQ(init.exit_code, 0) << init.all();
  EXPECT_THAT(init.out, HasSubstr("ratchet new --set " + set.string()));
  EXPECT_TRUE(fs::is_directory(set / "items"));
  EXPECT_TRUE(fs::is_directory(set / "schema"));
  std::string toml = ReadText(set / "ratchet.toml");
  EXPECT_THAT(toml, HasSubstr("name = \"shop\""));
  EXPECT_THAT(toml, HasSubstr("# How long a statement may wait for a lock"));

  RunResult lint = RunRatchet({"lint", "--set", set.string(), "--strict"});
  EXPECT_EQ(lint.exit_code, 0) << lint.all();
  EXPECT_THAT(lint.out, HasSubstr("no problems found"));
  const std::string db = "sqlite:" + (dir.path() / "shop.db").string();
  RunResult status = RunRatchet({"status", "--set", set.string(), "--db", db});
  EXPECT_EQ(status.exit_code, 0) << status.all();

  WriteFile(set / "ratchet.toml", "# mine\n[project]\nname = \"kept\"\n");
  RunResult again = RunRatchet({"init", set.string()});
  EXPECT_EQ(again.exit_code, 5);
  EXPECT_THAT(again.err, HasSubstr("already holds an upgrade set"));
  EXPECT_EQ(ReadText(set / "ratchet.toml"), "# mine\n[project]\nname = \"kept\"\n");

  // `new` writes a template that loads: plan lists it, upgrade records it.
  RunResult item = RunRatchet({"new", "create_orders", "--set", set.string()});
  ASSERT_EQ(item.exit_code, 0) << item.all();
  std::string text = ReadText(set / "items/V1__0__create_orders.sql");
  EXPECT_THAT(text, HasSubstr("-- ratchet: prepare"));
  RunResult lint_item = RunRatchet({"lint", "--set", set.string()});
  EXPECT_EQ(lint_item.exit_code, 0) << lint_item.all();
  EXPECT_THAT(lint_item.out, HasSubstr("V1"));
  RunResult plan = RunRatchet({"plan", "--set", set.string(), "--db", db});
  EXPECT_EQ(plan.exit_code, 0) << plan.all();
  EXPECT_THAT(plan.out, HasSubstr("V1      create_orders"));
  WriteFile(set / "items/V1__0__create_orders.sql",
            text + "CREATE TABLE orders (id INTEGER PRIMARY KEY);\n");
  RunResult up = RunRatchet({"upgrade", "--set", set.string(), "--db", db});
  ASSERT_EQ(up.exit_code, 0) << up.all();
  RunResult tables = RunCommand({"sqlite3", (dir.path() / "shop.db").string(), ".tables"});
  EXPECT_THAT(tables.out, HasSubstr("orders"));
}

const fs::path kDocs = RATCHET_CLI_DOCS_DIR;

TEST(CliDocs, EveryCommandHasAManPageWithEveryOptionOfItsHelp) {
  std::vector<std::string> commands = HelpCommands();
  ASSERT_FALSE(commands.empty());
  // roff writes '-' as '\-'.
  auto unescape = [](const std::string& text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == '-') continue;
      out += text[i];
    }
    return out;
  };
  std::string main_page = unescape(ReadText(kDocs / "man/ratchet.1"));
  ASSERT_THAT(main_page, HasSubstr(".TH RATCHET 1"));
  for (const std::string& command : commands) {
    EXPECT_THAT(main_page, HasSubstr(".B " + command + "\n")) << command;
    fs::path page = kDocs / "man" / ("ratchet-" + command + ".1");
    ASSERT_TRUE(fs::exists(page)) << page;
    std::string unescaped = unescape(ReadText(page));
    for (const std::string& option : HelpOptions(command)) {
      EXPECT_THAT(unescaped, HasSubstr(option)) << command << " " << option;
    }
  }
  // The pages are well-formed roff: groff reads them without a warning.
  if (RunCommand({"sh", "-c", "command -v groff"}).exit_code == 0) {
    for (const auto& entry : fs::directory_iterator(kDocs / "man")) {
      RunResult groff = RunCommand({"groff", "-man", "-ww", "-z", entry.path().string()});
      EXPECT_EQ(groff.exit_code, 0) << entry.path();
      EXPECT_EQ(groff.err, "") << entry.path();
    }
  }
}

TEST(CliDocs, CompletionsNameEveryCommandAndOptionAndParse) {
  std::vector<std::string> commands = HelpCommands();
  const std::vector<std::pair<std::string, fs::path>> shells = {
      {"bash", kDocs / "bash/ratchet"},
      {"zsh", kDocs / "zsh/_ratchet"},
      {"fish", kDocs / "fish/ratchet.fish"}};
  for (const auto& [shell, path] : shells) {
    ASSERT_TRUE(fs::exists(path)) << path;
    std::string text = ReadText(path);
    for (const std::string& command : commands) {
      EXPECT_THAT(text, HasSubstr(command)) << shell << " " << command;
      for (const std::string& option : HelpOptions(command)) {
        // fish names options without their dashes: -l set, -s j.
        std::string name = option.substr(option.find_first_not_of('-'));
        EXPECT_THAT(text, HasSubstr(shell == "fish" ? " " + name : option))
            << shell << " " << command << " " << option;
      }
    }
    bool installed = RunCommand({"sh", "-c", "command -v " + shell}).exit_code == 0;
    if (shell == "bash") {
      ASSERT_TRUE(installed);
    }
    if (!installed) continue;
    RunResult syntax = RunCommand({shell, "-n", path.string()});
    EXPECT_EQ(syntax.exit_code, 0) << shell << ": " << syntax.all();
  }
  // bash completes a command's options and the commands after 'help'.
  std::string complete =
      "source " + (kDocs / "bash/ratchet").string() +
      "; COMP_WORDS=(ratchet upgrade --sk); COMP_CWORD=2; _ratchet; echo \"${COMPREPLY[*]}\";"
      " COMP_WORDS=(ratchet help fin); COMP_CWORD=2; _ratchet; echo \"${COMPREPLY[*]}\"";
  RunResult completed = RunCommand({"bash", "-c", complete});
  EXPECT_EQ(completed.out, "--skip-check\nfinalize\n") << completed.all();
}

// plan --sql prints what upgrade sends: applying it with the engine's own
// shell gives the schema and the bookkeeping that ratchet upgrade gives.
class PlanSql : public EngineTest {};

TEST_P(PlanSql, AppliedByTheEngineShellItEqualsAnUpgrade) {
  const std::string set = BookshopSet().string();
  ASSERT_EQ(RunRatchet({"upgrade", "--set", set, "--db", db(), "--to", "1.0"}).exit_code, 0);
  const std::string shell_db = ExtraDatabase(db());

  RunResult plan = RunRatchet({"plan", "--set", set, "--db", shell_db, "--sql"});
  ASSERT_EQ(plan.exit_code, 0) << plan.all();
  EXPECT_THAT(plan.out, HasSubstr("-- ratchet: item V4 (items/V4__130__create_orders.sql)"));
  EXPECT_THAT(plan.out, HasSubstr("-- ratchet: bookkeeping\n"));
  EXPECT_THAT(plan.out, HasSubstr(is_sqlite() ? "BEGIN IMMEDIATE;" : "BEGIN;"));
  // Nothing was sent: the database is still at 1.0.
  EXPECT_EQ(Catalog(shell_db), Catalog());
  fs::path script = dir() / "plan.sql";
  WriteFile(script, plan.out);
  RunResult applied =
      is_sqlite() ? RunCommand({"sh", "-c",
                                "sqlite3 -bail " + shell_db.substr(7) + " < " + script.string()})
                  : RunCommand({"psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", shell_db, "-f",
                                script.string()});
  ASSERT_EQ(applied.exit_code, 0) << applied.all();

  ASSERT_EQ(RunRatchet({"upgrade", "--set", set, "--db", db()}).exit_code, 0);
  EXPECT_EQ(Catalog(shell_db), Catalog());
  RunResult diff = RunRatchet({"snapshot", "--set", set, "--db", db(), "--diff", shell_db});
  EXPECT_EQ(diff.exit_code, 0) << diff.all();
  EXPECT_THAT(diff.out, HasSubstr("have the same schema"));
  // ratchet reads the bookkeeping the script wrote as its own.
  auto upgraded =
      nlohmann::json::parse(RunRatchet({"status", "--set", set, "--db", db(), "--json"}).out);
  auto scripted =
      nlohmann::json::parse(RunRatchet({"status", "--set", set, "--db", shell_db, "--json"}).out);
  EXPECT_EQ(scripted["status"], "active");
  EXPECT_EQ(scripted["release"], "3.0");
  EXPECT_TRUE(scripted["pending"].empty());
  ASSERT_EQ(scripted["items"].size(), upgraded["items"].size());
  for (size_t i = 0; i < upgraded["items"].size(); ++i) {
    EXPECT_EQ(scripted["items"][i]["version"], upgraded["items"][i]["version"]);
    EXPECT_EQ(scripted["items"][i]["checksum"], upgraded["items"][i]["checksum"]);
  }
  RunResult noop = RunRatchet({"upgrade", "--set", set, "--db", shell_db});
  EXPECT_EQ(noop.exit_code, 0);
  EXPECT_THAT(noop.out, HasSubstr("Nothing to do"));
}

TEST_P(PlanSql, ANewDatabaseIsPreviewedWithoutBeingCreated) {
  if (!is_sqlite()) GTEST_SKIP() << "only a SQLite file can be missing";
  fs::path file = dir() / "absent.db";
  RunResult plan = RunRatchet(
      {"plan", "--set", BookshopSet().string(), "--db", "sqlite:" + file.string(), "--sql"});
  ASSERT_EQ(plan.exit_code, 0) << plan.all();
  EXPECT_THAT(plan.out, HasSubstr("CREATE TABLE IF NOT EXISTS ratchet_items"));
  EXPECT_THAT(plan.out, HasSubstr("-- ratchet: item V1 "));
  EXPECT_FALSE(fs::exists(file));
}

RATCHET_ALL_ENGINES(PlanSql);

// A long item on a terminal shows a line that says how long it has run; piped,
// the output has no control characters.
TEST(Progress, ALongItemOnATerminalSaysHowLongItRuns) {
  ScratchDir dir;
  fs::path set = dir.path() / "slow";
  WriteFile(set / "ratchet.toml", "[project]\nname = \"slow\"\n");
  // A few seconds of work in one statement.
  WriteFile(set / "items/V1__0__slow.sql",
            "CREATE TABLE t AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
            "WHERE i < 10000000) SELECT count(*) AS c FROM n;\n");
  const std::string db = "sqlite:" + (dir.path() / "slow.db").string();
  RunResult tty = RunCommand(
      {"script", "-qec",
       RATCHET_BIN + std::string(" upgrade --set ") + set.string() + " --db " + db, "/dev/null"},
      {"TERM=xterm"});
  ASSERT_EQ(tty.exit_code, 0) << tty.all();
  EXPECT_THAT(tty.out, HasSubstr("running 0:0"));
  EXPECT_THAT(tty.out, HasSubstr("(run 0:0"));

  // Many databases: a status line of what runs now, under the finished ones.
  const std::string a = "sqlite:" + (dir.path() / "a.db").string();
  const std::string b = "sqlite:" + (dir.path() / "b.db").string();
  RunResult fleet = RunCommand(
      {"script", "-qec",
       RATCHET_BIN + std::string(" upgrade --set ") + set.string() + " --db " + a + " --db " + b,
       "/dev/null"},
      {"TERM=xterm"});
  ASSERT_EQ(fleet.exit_code, 0) << fleet.all();
  // Cut to the terminal's width (80 columns under script).
  EXPECT_THAT(fleet.out, HasSubstr("] 0/2 databases done; running: " + a.substr(0, 20)));
  EXPECT_THAT(fleet.out, HasSubstr("] 1/2 databases done; running: " + b.substr(0, 20)));
  EXPECT_THAT(fleet.out, HasSubstr("\033[K"));

  // Piped: plain lines, even with TERM set.
  const std::string db2 = "sqlite:" + (dir.path() / "slow2.db").string();
  const std::string c = "sqlite:" + (dir.path() / "c.db").string();
  RunResult piped =
      RunRatchet({"upgrade", "--set", set.string(), "--db", db2, "--db", c}, {"TERM=xterm"});
  ASSERT_EQ(piped.exit_code, 0) << piped.all();
  EXPECT_THAT(piped.out, HasSubstr("Summary of 2 databases"));
  EXPECT_EQ(piped.out.find('\r'), std::string::npos);
  EXPECT_EQ(piped.out.find('\033'), std::string::npos);
}

}  // namespace
}  // namespace ratchet::testing
