// The bookkeeping's format version: a database that ratchet 0.1 upgraded
// (format 1, kept in tests/data/bookkeeping_format1 as that ratchet wrote
// it) is read as it is and brought to the current format by the next run
// that writes, in one transaction; a format newer than this ratchet knows is
// refused with nothing changed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "ratchet/runner.h"
#include "support/harness.h"

namespace ratchet::testing {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

fs::path FormatOneData() {
  return fs::path(RATCHET_SOURCE_DIR) / "tests" / "data" / "bookkeeping_format1";
}

std::string ReadText(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class BookkeepingFormat : public EngineTest {
 protected:
  // This test's database as ratchet 0.1 left it: the bookshop at 2.0, then
  // 3.0 prepared and finalized (pivoted); and its set with one item more.
  void LoadFormatOne() {
    fs::remove_all(set_dir());
    fs::copy(FormatOneData() / "set", set_dir(), fs::copy_options::recursive);
    WriteFile(set_dir() / "items" / "V13__400__create_gift_cards.sql",
              "CREATE TABLE gift_cards (code TEXT PRIMARY KEY, amount INTEGER NOT NULL);\n");
    auto conn = Open();
    ASSERT_TRUE(conn);
    const char* dump = is_sqlite() ? "sqlite.sql" : "postgres.sql";
    Status loaded = conn->ExecuteScript(ReadText(FormatOneData() / dump));
    ASSERT_TRUE(loaded.ok()) << loaded.message();
    ASSERT_EQ(conn->BookkeepingFormat().value(), 1);
  }

  json StatusJson() {
    RunResult status = Ratchet("status", {"--json"});
    EXPECT_EQ(status.exit_code, 0) << status.all();
    std::istringstream lines(status.out);
    std::string line;
    while (std::getline(lines, line)) {
      json object = json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (object.is_object() && object.value("kind", "") == "status") return object;
    }
    ADD_FAILURE() << "no database object in: " << status.out;
    return json::object();
  }

  // Each recorded item's version, phase, time, duration and checksum, as
  // status reports them.
  std::vector<std::string> AppliedAsReported() {
    std::vector<std::string> out;
    const json status = StatusJson();
    for (const json& a : status["items"]) {
      out.push_back(a.dump());
    }
    return out;
  }

  std::string TypeOf(const std::string& table, const std::string& column) {
    if (is_sqlite()) {
      return Value("SELECT type FROM pragma_table_info('" + Books(table) + "') WHERE name = '" +
                   column + "'");
    }
    return Value(
        "SELECT data_type FROM information_schema.columns WHERE table_schema = 'ratchet' AND "
        "table_name = '" +
        table + "' AND column_name = '" + column + "'");
  }
};
RATCHET_ALL_ENGINES(BookkeepingFormat);

TEST_P(BookkeepingFormat, ReadsFormatOneAsItIsAndUpgradesItOnTheNextRun) {
  LoadFormatOne();
  const std::string events_before = Value("SELECT COUNT(*) FROM " + Books("events"));

  RunResult status = Ratchet("status");
  EXPECT_EQ(status.exit_code, 0) << status.all();
  EXPECT_THAT(status.out, HasSubstr("Release:     3.0"));
  EXPECT_THAT(status.out, HasSubstr("Pending:     1 item(s): V13"));
  EXPECT_THAT(status.out, HasSubstr("finalize committed at 2026-12-02T07:28:2"));
  EXPECT_THAT(status.out, HasSubstr("Bookkeeping: format 1, written by an earlier ratchet"));
  json before = StatusJson();
  EXPECT_EQ(before["bookkeeping_format"], 1);
  EXPECT_EQ(before["pivoted"], true);
  const std::vector<std::string> applied_before = AppliedAsReported();
  ASSERT_EQ(applied_before.size(), 12u);
  EXPECT_EQ(Value("SELECT COUNT(*) FROM " + Books("events")), events_before)
      << "status wrote to the bookkeeping";

  RunResult upgrade = Ratchet("upgrade");
  ASSERT_EQ(upgrade.exit_code, 0) << upgrade.all();
  EXPECT_EQ(Value("SELECT COUNT(*) FROM gift_cards"), "0");
  EXPECT_EQ(Value("SELECT format || ' ' || format_by FROM " + Books("state")),
            std::string("2 ") + ToolVersion());
  EXPECT_EQ(
      Value("SELECT detail FROM " + Books("events") + " WHERE event = 'bookkeeping-upgraded'"),
      std::string("format 1 -> 2 by ratchet ") + ToolVersion());
  if (is_sqlite()) {
    EXPECT_EQ(TypeOf("items", "applied_at"), "TEXT");
    EXPECT_EQ(TypeOf("state", "pivoted"), "INTEGER");
  } else {
    EXPECT_EQ(TypeOf("items", "applied_at"), "timestamp with time zone");
    EXPECT_EQ(TypeOf("items", "optional"), "boolean");
    EXPECT_EQ(TypeOf("items", "duration_ms"), "bigint");
    EXPECT_EQ(TypeOf("state", "started_at"), "timestamp with time zone");
    EXPECT_EQ(TypeOf("state", "finalized_at"), "timestamp with time zone");
    EXPECT_EQ(TypeOf("state", "pivoted"), "boolean");
    EXPECT_EQ(TypeOf("events", "at"), "timestamp with time zone");
    EXPECT_EQ(TypeOf("events", "seq"), "bigint");
    // An operator's queries work on the native types.
    EXPECT_EQ(Value("SELECT string_agg(version, ',') FROM ratchet.items WHERE optional"), "V9");
    EXPECT_EQ(Value("SELECT string_agg(version, ',') FROM ratchet.items WHERE applied_at > "
                    "(SELECT max(applied_at) FROM ratchet.items WHERE version <> 'V13')"),
              "V13");
  }

  // The twelve rows read the same, to the millisecond, and the thirteenth
  // item joined them.
  std::vector<std::string> applied_after = AppliedAsReported();
  ASSERT_EQ(applied_after.size(), 13u);
  applied_after.pop_back();
  EXPECT_EQ(applied_after, applied_before);
  json after = StatusJson();
  EXPECT_EQ(after["bookkeeping_format"], 2);
  EXPECT_EQ(after["release"], "3.0");
  EXPECT_EQ(after["status"], "active");
  RunResult status_after = Ratchet("status");
  EXPECT_THAT(status_after.out, Not(HasSubstr("Bookkeeping:")));
  EXPECT_THAT(status_after.out, HasSubstr("Pending:     none"));

  // Once is enough: the next run finds the current format and writes nothing.
  const std::string events_now = Value("SELECT COUNT(*) FROM " + Books("events"));
  ASSERT_EQ(Ratchet("upgrade").exit_code, 0);
  EXPECT_EQ(Value("SELECT COUNT(*) FROM " + Books("events")), events_now);
}

TEST_P(BookkeepingFormat, AnUpgradeKilledBeforeItsFirstCommitLeavesFormatOneWhole) {
  LoadFormatOne();
  const std::vector<std::string> tables = Tables();
  RunResult killed = RunRatchet({"upgrade", "--set", set_dir().string(), "--db", db()},
                                {"RATCHET_FAULT=commit.before:1"});
  ASSERT_EQ(killed.exit_code, 86) << killed.all();
  WaitUntilIdle(db());
  EXPECT_EQ(Open()->BookkeepingFormat().value(), 1);
  if (!is_sqlite()) {
    EXPECT_EQ(TypeOf("items", "applied_at"), "text");
  }
  EXPECT_EQ(
      Value("SELECT COUNT(*) FROM " + Books("events") + " WHERE event = 'bookkeeping-upgraded'"),
      "0");
  EXPECT_EQ(Tables(), tables);

  RunResult again = Ratchet("upgrade");
  ASSERT_EQ(again.exit_code, 0) << again.all();
  EXPECT_EQ(Open()->BookkeepingFormat().value(), 2);
  EXPECT_EQ(
      Value("SELECT COUNT(*) FROM " + Books("events") + " WHERE event = 'bookkeeping-upgraded'"),
      "1");
  EXPECT_EQ(Value("SELECT COUNT(*) FROM gift_cards"), "0");
}

TEST_P(BookkeepingFormat, ARoleThatDoesNotOwnTheTablesIsToldWhoMustUpgradeThem) {
  if (is_sqlite()) GTEST_SKIP() << "SQLite has no roles: whoever can write the file owns it";
  LoadFormatOne();
  fs::remove(set_dir() / "items" / "V13__400__create_gift_cards.sql");
  auto admin = Open();
  for (const char* sql :
       {"DO $$ BEGIN CREATE ROLE ratchet_books_writer LOGIN; EXCEPTION WHEN duplicate_object OR "
        "unique_violation THEN NULL; END $$",
        "GRANT USAGE ON SCHEMA ratchet, public TO ratchet_books_writer",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ratchet, public TO "
        "ratchet_books_writer"}) {
    Status s = admin->Execute(sql);
    ASSERT_TRUE(s.ok()) << sql << ": " << s.message();
  }
  RunResult refused = RunRatchet(
      {"upgrade", "--set", set_dir().string(), "--db", db() + " user=ratchet_books_writer"});
  EXPECT_EQ(refused.exit_code, 5) << refused.all();
  EXPECT_THAT(refused.err, HasSubstr("cannot upgrade ratchet's bookkeeping from format 1 to 2; "
                                     "nothing was changed: must be owner of table items. Run "
                                     "this command once as the owner of \"ratchet\".items"));
  EXPECT_THAT(refused.all(), Not(HasSubstr("failed item")));
  EXPECT_EQ(Open()->BookkeepingFormat().value(), 1);
  // Its owner can, and then the role goes on as before.
  ASSERT_EQ(Ratchet("upgrade").exit_code, 0);
  EXPECT_EQ(Open()->BookkeepingFormat().value(), 2);
  RunResult status = RunRatchet(
      {"status", "--set", set_dir().string(), "--db", db() + " user=ratchet_books_writer"});
  EXPECT_EQ(status.exit_code, 0) << status.all();
}

TEST_P(BookkeepingFormat, RefusesAFormatNewerThanItKnowsAndChangesNothing) {
  WriteSet({{"V1__1__create_t.sql", "CREATE TABLE t (id INTEGER);\n"},
            {"V2__2__create_u.sql", "CREATE TABLE u (id INTEGER);\n"}});
  ASSERT_EQ(Ratchet("upgrade", {"--to", "V1"}).exit_code, 0);
  EXPECT_EQ(Value("SELECT format FROM " + Books("state")), "2");
  ASSERT_TRUE(
      Open()->Execute("UPDATE " + Books("state") + " SET format = 7, format_by = '9.1.0'").ok());
  const std::string events = Value("SELECT COUNT(*) FROM " + Books("events"));

  for (const char* command : {"status", "upgrade", "plan", "prepare"}) {
    RunResult refused = Ratchet(command);
    EXPECT_EQ(refused.exit_code, 5) << command << ": " << refused.all();
    EXPECT_THAT(refused.err, HasSubstr("ratchet's bookkeeping here is in format 7, written by "
                                       "ratchet 9.1.0; this ratchet ("))
        << command;
    EXPECT_THAT(refused.err, HasSubstr("knows formats up to 2 and changes nothing: run this "
                                       "with ratchet 9.1.0 or later"))
        << command;
  }
  EXPECT_EQ(Tables(), (std::vector<std::string>{"t"}));
  EXPECT_EQ(Value("SELECT COUNT(*) FROM " + Books("events")), events);
  EXPECT_EQ(Value("SELECT format FROM " + Books("state")), "7");

  RunResult json_refusal = Ratchet("upgrade", {"--json"});
  EXPECT_EQ(json_refusal.exit_code, 5);
  EXPECT_THAT(json_refusal.out + json_refusal.err, HasSubstr("\"refused\""));
}

TEST_P(BookkeepingFormat, NewTablesAreTheCurrentFormatAndTimesReadTheSameInAnyTimeZone) {
  WriteSet({{"V1__1__create_t.sql", "CREATE TABLE t (id INTEGER);\n"}});
  ASSERT_EQ(Ratchet("upgrade").exit_code, 0);
  EXPECT_EQ(Open()->BookkeepingFormat().value(), kBookkeepingFormat);
  EXPECT_EQ(Value("SELECT format_by FROM " + Books("state")), ToolVersion());
  EXPECT_EQ(Value("SELECT COUNT(*) FROM " + Books("events") +
                  " WHERE event = 'bookkeeping-created' AND detail = '" + ToolVersion() + "'"),
            "1");
  if (!is_sqlite()) {
    EXPECT_EQ(TypeOf("items", "applied_at"), "timestamp with time zone");
    EXPECT_EQ(TypeOf("state", "pivoted"), "boolean");
    EXPECT_EQ(Value("SELECT pivoted FROM ratchet.state"), "f");
  }
  // A session in another time zone and date style reads the same moment.
  RunResult tokyo = RunRatchet({"status", "--set", set_dir().string(), "--db", db()},
                               {"PGTZ=Asia/Tokyo", "PGDATESTYLE=SQL, DMY", "TZ=Asia/Tokyo"});
  ASSERT_EQ(tokyo.exit_code, 0) << tokyo.all();
  EXPECT_THAT(tokyo.out, ContainsRegex("last V1 at 20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:"
                                       "[0-9][0-9]:[0-9][0-9]\\.[0-9][0-9][0-9]Z"));
  RunResult utc = Ratchet("status");
  auto applied_line = [](const std::string& out) {
    size_t at = out.find("Applied:");
    return out.substr(at, out.find('\n', at) - at);
  };
  EXPECT_EQ(applied_line(tokyo.out), applied_line(utc.out));
}

}  // namespace
}  // namespace ratchet::testing
