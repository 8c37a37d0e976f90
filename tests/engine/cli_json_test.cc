// --json on every command: each line of output is one object of a kind that
// docs/JSON.md documents, with its fields, and what the objects say agrees
// with what happened to the database (items, states, exit codes).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "support/harness.h"

namespace ratchet::testing {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;
using json = nlohmann::json;

// The fields each kind carries besides format, kind and command (JSON.md).
const std::map<std::string, std::vector<std::string>>& Kinds() {
  static const std::map<std::string, std::vector<std::string>> kinds = {
      {"error", {"exit_code", "error", "next"}},
      {"banner", {"database", "text"}},
      {"note", {"database", "text"}},
      {"item-started", {"database", "version", "description", "file", "index", "count"}},
      {"item-finished",
       {"database", "version", "description", "file", "index", "count", "outcome", "elapsed_ms",
        "error"}},
      {"database-finished",
       {"database", "stage", "outcome", "detail", "exit_code", "elapsed_ms", "error", "next"}},
      {"stage", {"stage", "databases", "failed", "outcomes", "exit_code", "next"}},
      {"summary", {"databases", "failed", "outcomes", "exit_code", "next"}},
      {"status",
       {"database", "engine", "initialized", "status", "release", "items", "pending", "covered",
        "drift", "unknown", "pivoted", "last_error", "stopped", "next", "exit_code"}},
      {"plan",
       {"database", "engine", "pending", "covered", "drift", "unknown", "would_refuse",
        "exit_code"}},
      {"check",
       {"database", "pending", "problems", "warnings", "findings", "missing", "exit_code", "next"}},
      {"lint", {"set", "engines", "problems", "warnings", "findings", "exit_code"}},
      {"snapshot", {"engine", "objects", "database", "exit_code"}},
      {"snapshot-diff",
       {"before", "after", "engine", "objects", "same", "differences", "exit_code"}},
      {"verify-run", {"from", "path", "outcome", "not_applicable", "error", "differences"}},
      {"verify-item", {"version", "file", "outcome", "error", "changes"}},
      {"verify",
       {"set", "engine", "head", "ok", "runs", "failed_runs", "not_applicable", "without_schema",
        "uncovered", "reclaimed", "idempotence_checked", "items_rerun", "not_idempotent",
        "exit_code", "next"}},
      {"repair", {"database", "accepted_drift", "cleared_failure", "changed", "exit_code", "next"}},
      {"baseline", {"database", "head", "release", "marked", "exit_code", "next"}},
      {"baseline-detect",
       {"database", "exact", "release", "candidates", "without_schema", "exit_code", "next"}},
      {"item-created", {"path", "file", "exit_code", "next"}},
      {"set-created", {"dir", "files", "exit_code", "next"}},
      {"help", {"topic", "text", "exit_code"}},
  };
  return kinds;
}

// Kinds that end a run: the last line is one of them, and says the exit code.
const std::set<std::string> kFinal = {"error",        "summary",     "status",   "plan",
                                      "check",        "lint",        "snapshot", "snapshot-diff",
                                      "verify",       "repair",      "baseline", "baseline-detect",
                                      "item-created", "set-created", "help"};

// Parses a --json run of `command`: every line one object of a documented
// kind with its fields, nothing on stderr, and the last object a final one
// whose exit_code is the process's.
std::vector<json> Lines(const RunResult& r, const std::string& command) {
  std::vector<json> out;
  EXPECT_EQ(r.err, "") << "--json must say everything on standard output";
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(j.is_discarded()) << "not JSON: " << line;
    if (j.is_discarded()) continue;
    EXPECT_EQ(j.value("format", 0), 1) << line;
    std::string kind = j.value("kind", "");
    auto fields = Kinds().find(kind);
    EXPECT_NE(fields, Kinds().end()) << "undocumented kind: " << line;
    if (fields == Kinds().end()) continue;
    if (!command.empty()) {
      EXPECT_EQ(j["command"], command) << line;
    }
    for (const std::string& field : fields->second) {
      EXPECT_TRUE(j.contains(field)) << kind << " lacks " << field << ": " << line;
    }
    if (j.contains("error") && j["error"].is_object()) {
      for (const char* field : {"message", "code", "file", "line", "column", "sqlstate"}) {
        EXPECT_TRUE(j["error"].contains(field)) << line;
      }
    }
    out.push_back(std::move(j));
  }
  EXPECT_FALSE(out.empty()) << "no output: " << r.all();
  if (out.empty()) return out;
  const json& last = out.back();
  EXPECT_TRUE(kFinal.count(last["kind"].get<std::string>())) << last.dump();
  EXPECT_EQ(last.value("exit_code", -1), r.exit_code) << r.out;
  return out;
}

std::vector<json> OfKind(const std::vector<json>& lines, const std::string& kind) {
  std::vector<json> out;
  for (const json& j : lines) {
    if (j["kind"] == kind) out.push_back(j);
  }
  return out;
}

std::vector<std::string> Versions(const std::vector<json>& objects) {
  std::vector<std::string> out;
  for (const json& j : objects) out.push_back(j["version"]);
  return out;
}

class JsonLines : public ::testing::Test {
 protected:
  std::string Db(const std::string& name) { return "sqlite:" + (dir_.path() / name).string(); }
  RunResult On(const std::string& db, std::vector<std::string> args) {
    args.insert(args.begin() + 1, {"--set", BookshopSet().string(), "--db", db});
    args.push_back("--json");
    return RunRatchet(args);
  }
  ScratchDir dir_;
};

TEST_F(JsonLines, InitNewLintAndHelp) {
  fs::path set = dir_.path() / "fresh";
  RunResult init = RunRatchet({"init", set.string(), "--json"});
  ASSERT_EQ(init.exit_code, 0) << init.all();
  auto created = Lines(init, "init");
  EXPECT_EQ(created.back()["kind"], "set-created");
  EXPECT_TRUE(fs::exists(set / "ratchet.toml"));

  RunResult again = RunRatchet({"init", set.string(), "--json"});
  EXPECT_EQ(again.exit_code, 5);
  auto refused = Lines(again, "init");
  EXPECT_EQ(refused.back()["kind"], "error");
  EXPECT_EQ(refused.back()["error"]["code"], "refused");

  RunResult item = RunRatchet({"new", "make_things", "--set", set.string(), "--json"});
  ASSERT_EQ(item.exit_code, 0) << item.all();
  auto made = Lines(item, "new");
  EXPECT_EQ(made.back()["file"], "items/V1__0__make_things.sql");
  EXPECT_TRUE(fs::exists(set / "items/V1__0__make_things.sql"));

  RunResult lint = RunRatchet({"lint", "--set", set.string(), "--json"});
  ASSERT_EQ(lint.exit_code, 0) << lint.all();
  auto linted = Lines(lint, "lint");
  EXPECT_EQ(linted.back()["problems"], 0);
  // The new item holds only comments, which lint says.
  EXPECT_EQ(linted.back()["warnings"], 1);
  EXPECT_EQ(linted.back()["findings"][0]["where"], "items/V1__0__make_things.sql");

  RunResult help = RunRatchet({"help", "upgrade", "--json"});
  ASSERT_EQ(help.exit_code, 0);
  auto helped = Lines(help, "help");
  EXPECT_EQ(helped.back()["text"], RunRatchet({"upgrade", "--help"}).out);

  RunResult unknown = RunRatchet({"upgarde", "--json"});
  EXPECT_EQ(unknown.exit_code, 2);
  auto said = Lines(unknown, "");
  EXPECT_THAT(said.back()["error"]["message"].get<std::string>(), HasSubstr("'upgrade'"));
  EXPECT_EQ(said.back()["next"], "ratchet help upgrade");

  RunResult bad_option = RunRatchet({"status", "--no-such-option", "--json"});
  EXPECT_EQ(bad_option.exit_code, 2);
  EXPECT_EQ(Lines(bad_option, "status").back()["error"]["code"], "invalid-argument");
}

TEST_F(JsonLines, UpgradeStatusPlanCheckAndSnapshot) {
  const std::string db = Db("shop.db");
  RunResult missing = On(db, {"check"});
  ASSERT_EQ(missing.exit_code, 0) << missing.all();
  EXPECT_EQ(Lines(missing, "check").back()["missing"], true);

  RunResult first = On(db, {"upgrade", "--to", "1.0"});
  ASSERT_EQ(first.exit_code, 0) << first.all();
  auto lines = Lines(first, "upgrade");
  EXPECT_EQ(Versions(OfKind(lines, "item-started")), (std::vector<std::string>{"V1", "V2", "V3"}));
  auto finished = OfKind(lines, "item-finished");
  ASSERT_EQ(Versions(finished), (std::vector<std::string>{"V1", "V2", "V3"}));
  for (const json& f : finished) {
    EXPECT_EQ(f["outcome"], "applied");
    EXPECT_EQ(f["count"], 3);
    EXPECT_TRUE(f["error"].is_null());
  }
  auto done = OfKind(lines, "database-finished");
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0]["outcome"], "upgraded");
  EXPECT_EQ(done[0]["database"], db);
  EXPECT_EQ(lines.back()["kind"], "summary");
  EXPECT_EQ(lines.back()["outcomes"]["upgraded"], 1);

  RunResult status = On(db, {"status"});
  ASSERT_EQ(status.exit_code, 0);
  auto st = Lines(status, "status");
  ASSERT_EQ(st.size(), 1u);
  EXPECT_EQ(st[0]["release"], "1.0");
  EXPECT_EQ(st[0]["items"].size(), 3u);
  EXPECT_THAT(st[0]["next"].get<std::string>(), HasSubstr("ratchet upgrade"));

  RunResult plan = On(db, {"plan", "--sql"});
  ASSERT_EQ(plan.exit_code, 0) << plan.all();
  auto planned = Lines(plan, "plan");
  ASSERT_EQ(planned.size(), 1u);
  std::vector<std::string> pending;
  for (const json& p : planned[0]["pending"]) pending.push_back(p["version"]);
  std::vector<std::string> status_pending;
  for (const json& p : st[0]["pending"]) status_pending.push_back(p["version"]);
  EXPECT_EQ(pending, status_pending);
  std::set<std::string> roles, items;
  for (const json& s : planned[0]["statements"]) {
    roles.insert(s["role"].get<std::string>());
    if (s["role"] == "item") items.insert(s["item"].get<std::string>());
  }
  EXPECT_EQ(roles, (std::set<std::string>{"action", "bookkeeping", "item", "transaction"}));
  EXPECT_EQ(items, std::set<std::string>(pending.begin(), pending.end()));

  RunResult check = On(db, {"check"});
  ASSERT_EQ(check.exit_code, 0) << check.all();
  auto checked = Lines(check, "check");
  EXPECT_EQ(checked.back()["pending"], pending.size());

  RunResult rest = On(db, {"upgrade"});
  ASSERT_EQ(rest.exit_code, 0) << rest.all();
  auto rest_lines = Lines(rest, "upgrade");
  EXPECT_EQ(Versions(OfKind(rest_lines, "item-finished")), pending);

  RunResult noop = On(db, {"upgrade"});
  ASSERT_EQ(noop.exit_code, 0);
  auto noop_lines = Lines(noop, "upgrade");
  EXPECT_TRUE(OfKind(noop_lines, "item-started").empty());
  EXPECT_EQ(OfKind(noop_lines, "database-finished")[0]["outcome"], "up to date");

  RunResult snapshot = On(db, {"snapshot"});
  ASSERT_EQ(snapshot.exit_code, 0);
  auto snap = Lines(snapshot, "snapshot");
  EXPECT_FALSE(snap[0]["objects"].empty());
  fs::path saved = dir_.path() / "shop.json";
  WriteFile(saved, snapshot.out);
  RunResult same = On(db, {"snapshot", "--diff", saved.string()});
  ASSERT_EQ(same.exit_code, 0) << same.all();
  EXPECT_EQ(Lines(same, "snapshot").back()["same"], true);
  const std::string other = Db("other.db");
  ASSERT_EQ(On(other, {"upgrade", "--to", "1.0"}).exit_code, 0);
  RunResult differs = On(db, {"snapshot", "--diff", other});
  EXPECT_EQ(differs.exit_code, 3);
  auto diff = Lines(differs, "snapshot");
  EXPECT_EQ(diff.back()["same"], false);
  EXPECT_FALSE(diff.back()["differences"].empty());

  // Two databases: one status object each, then the summary.
  RunResult both =
      RunRatchet({"status", "--set", BookshopSet().string(), "--db", db, "--db", other, "--json"});
  ASSERT_EQ(both.exit_code, 0);
  auto two = Lines(both, "status");
  ASSERT_EQ(two.size(), 3u);
  EXPECT_EQ(two[0]["release"], "3.0");
  EXPECT_EQ(two[1]["release"], "1.0");
  EXPECT_EQ(two[2]["kind"], "summary");
  EXPECT_EQ(two[2]["databases"], 2);

  RunResult repair = On(db, {"repair"});
  ASSERT_EQ(repair.exit_code, 0) << repair.all();
  EXPECT_EQ(Lines(repair, "repair").back()["changed"], false);
}

TEST_F(JsonLines, TheOnlinePathCopyUpgradeAndCleanup) {
  const std::string db = Db("online.db");
  ASSERT_EQ(On(db, {"upgrade", "--to", "2.0"}).exit_code, 0);
  RunResult prepare = On(db, {"prepare"});
  ASSERT_EQ(prepare.exit_code, 0) << prepare.all();
  auto prepared = Lines(prepare, "prepare");
  EXPECT_EQ(Versions(OfKind(prepared, "item-finished")),
            (std::vector<std::string>{"V10", "V11", "V12"}));
  EXPECT_EQ(OfKind(prepared, "database-finished")[0]["outcome"], "prepared");
  EXPECT_THAT(prepared.back()["next"].get<std::string>(), HasSubstr("ratchet finalize"));

  RunResult rollback = On(db, {"rollback"});
  ASSERT_EQ(rollback.exit_code, 0) << rollback.all();
  auto undone = Lines(rollback, "rollback");
  EXPECT_EQ(Versions(OfKind(undone, "item-finished")),
            (std::vector<std::string>{"V12", "V11", "V10"}));
  EXPECT_EQ(OfKind(undone, "database-finished")[0]["outcome"], "rolled back");

  ASSERT_EQ(On(db, {"prepare"}).exit_code, 0);
  RunResult finalize = On(db, {"finalize"});
  ASSERT_EQ(finalize.exit_code, 0) << finalize.all();
  auto pivot = Lines(finalize, "finalize");
  auto stages = OfKind(pivot, "stage");
  ASSERT_EQ(stages.size(), 1u);
  EXPECT_EQ(stages[0]["stage"], "dry-run");
  auto pivot_dbs = OfKind(pivot, "database-finished");
  ASSERT_EQ(pivot_dbs.size(), 2u);
  EXPECT_EQ(pivot_dbs[0]["stage"], "dry-run");
  EXPECT_EQ(pivot_dbs[0]["outcome"], "dry run ok");
  EXPECT_EQ(pivot_dbs[1]["stage"], "pivot");
  EXPECT_EQ(pivot_dbs[1]["outcome"], "pivoted");
  EXPECT_EQ(pivot.back()["stage"], "final");
  EXPECT_EQ(Lines(On(db, {"status"}), "status")[0]["pivoted"], true);

  RunResult freeze = On(db, {"freeze"});
  ASSERT_EQ(freeze.exit_code, 0);
  EXPECT_EQ(OfKind(Lines(freeze, "freeze"), "database-finished")[0]["outcome"], "not applicable");

  const std::string copy = Db("copy.db");
  ASSERT_EQ(On(copy, {"upgrade", "--to", "1.0"}).exit_code, 0);
  RunResult swapped = On(copy, {"copy-upgrade"});
  ASSERT_EQ(swapped.exit_code, 0) << swapped.all();
  auto copied = Lines(swapped, "copy-upgrade");
  auto copy_done = OfKind(copied, "database-finished");
  EXPECT_EQ(copy_done[0]["outcome"], "swapped");
  EXPECT_THAT(copy_done[0]["next"].get<std::string>(), HasSubstr("cleanup --approve"));
  EXPECT_FALSE(OfKind(copied, "item-finished").empty());
  RunResult look = On(copy, {"cleanup"});
  EXPECT_EQ(OfKind(Lines(look, "cleanup"), "database-finished")[0]["outcome"], "kept");
  RunResult removed = On(copy, {"cleanup", "--approve"});
  ASSERT_EQ(removed.exit_code, 0);
  EXPECT_EQ(OfKind(Lines(removed, "cleanup"), "database-finished")[0]["outcome"], "removed");
  EXPECT_FALSE(fs::exists(copy.substr(7) + ".old"));
}

TEST_F(JsonLines, VerifyBaselineAndAFailedItem) {
  RunResult verify = RunRatchet({"verify", "--set", BookshopSet().string(), "--json"});
  ASSERT_EQ(verify.exit_code, 0) << verify.all();
  auto verified = Lines(verify, "verify");
  EXPECT_EQ(verified.back()["ok"], true);
  auto runs = OfKind(verified, "verify-run");
  EXPECT_EQ(runs.size(), verified.back()["runs"].get<size_t>() +
                             verified.back()["not_applicable"].get<size_t>());

  // A database that predates ratchet, built from release 1.0's fresh schema.
  const std::string db = Db("old.db");
  {
    auto target = ParseTarget(db);
    auto conn = Connect(*target, {});
    ASSERT_TRUE(conn.ok());
    std::ifstream in(BookshopSet() / "schema/1.0.sql");
    std::stringstream text;
    text << in.rdbuf();
    ASSERT_TRUE((*conn)->ExecuteScript(text.str()).ok());
  }
  RunResult detect = On(db, {"baseline", "--detect"});
  ASSERT_EQ(detect.exit_code, 0) << detect.all();
  auto found = Lines(detect, "baseline");
  EXPECT_EQ(found.back()["kind"], "baseline-detect");
  EXPECT_EQ(found.back()["release"], "1.0");
  EXPECT_EQ(found.back()["exact"], true);
  RunResult mark = On(db, {"baseline", "--release", "1.0"});
  ASSERT_EQ(mark.exit_code, 0) << mark.all();
  EXPECT_EQ(Lines(mark, "baseline").back()["marked"], 3);

  // A set whose second item fails: the failure, where, and what to run.
  fs::path set = dir_.path() / "failing";
  WriteFile(set / "ratchet.toml", "[project]\nname = \"failing\"\n");
  WriteFile(set / "items/V1__0__good.sql", "CREATE TABLE a (id INTEGER);\n");
  WriteFile(set / "items/V2__0__bad.sql",
            "CREATE TABLE b (id INTEGER);\nINSERT INTO nowhere VALUES (1);\n");
  const std::string failing = Db("failing.db");
  RunResult failed =
      RunRatchet({"upgrade", "--set", set.string(), "--db", failing, "--json", "--skip-check"});
  EXPECT_EQ(failed.exit_code, 1);
  auto lines = Lines(failed, "upgrade");
  auto items = OfKind(lines, "item-finished");
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0]["outcome"], "applied");
  EXPECT_EQ(items[1]["outcome"], "failed");
  EXPECT_EQ(items[1]["error"]["file"], "items/V2__0__bad.sql");
  EXPECT_EQ(items[1]["error"]["line"], 2);
  auto db_done = OfKind(lines, "database-finished");
  EXPECT_EQ(db_done[0]["exit_code"], 1);
  EXPECT_EQ(db_done[0]["error"]["code"], "upgrade-failed");
  EXPECT_THAT(db_done[0]["next"].get<std::string>(), HasSubstr("ratchet upgrade --set"));
  EXPECT_EQ(lines.back()["next"], db_done[0]["next"]);
  EXPECT_EQ(Lines(On(failing, {"status"}), "status").size(), 1u);

  // The checks before an upgrade find a table the item would create: the
  // findings come first, then the stop, and nothing changed.
  fs::path taken = dir_.path() / "taken";
  WriteFile(taken / "ratchet.toml", "[project]\nname = \"taken\"\n");
  WriteFile(taken / "items/V1__0__orders.sql", "CREATE TABLE orders (id INTEGER);\n");
  const std::string existing = Db("existing.db");
  {
    auto conn = Connect(*ParseTarget(existing), {});
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE((*conn)->ExecuteScript("CREATE TABLE orders (id INTEGER, note TEXT);").ok());
  }
  RunResult stopped = RunRatchet({"upgrade", "--set", taken.string(), "--db", existing, "--json"});
  EXPECT_EQ(stopped.exit_code, 3);
  auto checked = Lines(stopped, "upgrade");
  auto reports = OfKind(checked, "check");
  ASSERT_EQ(reports.size(), 1u) << stopped.out;
  EXPECT_GE(reports[0]["problems"].get<int>(), 1);
  EXPECT_THAT(reports[0]["findings"].dump(), HasSubstr("orders"));
  EXPECT_TRUE(OfKind(checked, "item-started").empty());
  EXPECT_EQ(checked.back()["kind"], "summary");
  EXPECT_THAT(checked.back()["next"].get<std::string>(), HasSubstr("ratchet check"));
}

// Commands that only PostgreSQL has work to do for.
class JsonLinesPostgres : public EngineTest {};

TEST_P(JsonLinesPostgres, FreezeAndThaw) {
  RunResult up = RunRatchet({"upgrade", "--set", BookshopSet().string(), "--db", db(), "--json"});
  ASSERT_EQ(up.exit_code, 0) << up.all();
  RunResult freeze =
      RunRatchet({"freeze", "--set", BookshopSet().string(), "--db", db(), "--json"});
  ASSERT_EQ(freeze.exit_code, 0) << freeze.all();
  EXPECT_EQ(OfKind(Lines(freeze, "freeze"), "database-finished")[0]["outcome"], "frozen");
  auto status = Lines(
      RunRatchet({"status", "--set", BookshopSet().string(), "--db", db(), "--json"}), "status");
  EXPECT_FALSE(status[0]["frozen_since"].is_null());
  RunResult thaw = RunRatchet({"thaw", "--set", BookshopSet().string(), "--db", db(), "--json"});
  ASSERT_EQ(thaw.exit_code, 0) << thaw.all();
  EXPECT_EQ(OfKind(Lines(thaw, "thaw"), "database-finished")[0]["outcome"], "thawed");
  EXPECT_EQ(OfKind(Lines(thaw, "thaw"), "database-finished")[0]["detail"], "DDL allowed again");
}

INSTANTIATE_TEST_SUITE_P(Engines, JsonLinesPostgres, ::testing::Values(EngineKind::kPostgres),
                         [](const ::testing::TestParamInfo<EngineKind>&) {
                           return std::string("Postgres");
                         });

}  // namespace
}  // namespace ratchet::testing
