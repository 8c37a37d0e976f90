// Loading upgrade sets: every malformed input is a kInvalidSet naming the file,
// line and fix, and well-formed directives, sections and variants load right.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "ratchet/upgrade_set.h"
#include "unit/set_fixture.h"

namespace ratchet {
namespace {

using ::ratchet::testing::FindItem;
using ::ratchet::testing::TempSet;

constexpr char kTable[] = "CREATE TABLE t (a integer);\n";

// Loads `set`, expects kInvalidSet and returns the message.
std::string LoadError(const TempSet& set, const LoadOptions& options = {}) {
  Result<UpgradeSet> result = set.Load(options);
  EXPECT_FALSE(result.ok()) << "the set loaded, but should not have";
  if (result.ok()) return "";
  EXPECT_EQ(result.status().code(), Code::kInvalidSet) << result.status().message();
  return result.status().message();
}

// ---- File names -----------------------------------------------------------

TEST(LoadErrors, RejectsLowercaseVersionPrefix) {
  TempSet set;
  set.Item("v1__0__create_t.sql", kTable);
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message, "items/v1__0__create_t.sql: not a valid item file name");
  EXPECT_CONTAINS(message, "the version must start with a capital V");
  EXPECT_CONTAINS(message, "e.g. V4__5408__add_isbn_index.sql");
}

TEST(LoadErrors, RejectsSingleUnderscoreSeparators) {
  TempSet set;
  set.Item("V1_0_create_t.sql", kTable);
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message, "items/V1_0_create_t.sql: not a valid item file name");
  EXPECT_CONTAINS(message, "parts must be separated by two underscores");
}

TEST(LoadErrors, RejectsNonDigitTicket) {
  TempSet set;
  set.Item("V1__abc__create_t.sql", kTable);
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message, "items/V1__abc__create_t.sql: not a valid item file name");
  EXPECT_CONTAINS(message, "the ticket must be digits (use 0 when there is none)");
}

TEST(LoadErrors, RejectsUpperCaseDescription) {
  TempSet set;
  set.Item("V1__0__Create_T.sql", kTable);
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message, "items/V1__0__Create_T.sql: not a valid item file name");
  EXPECT_CONTAINS(message, "the description must be lower-case words joined by '_'");
}

TEST(LoadErrors, RejectsUnknownEngineSuffix) {
  TempSet set;
  set.Item("V1__0__create_t.mysql.sql", kTable);
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message, "items/V1__0__create_t.mysql.sql: not a valid item file name");
  EXPECT_CONTAINS(message, "'mysql' is not an engine: use .postgresql.sql or .sqlite.sql");
}

TEST(LoadErrors, RejectsVersionWithTooManyDigits) {
  TempSet set;
  set.Item("V1234567890__0__create_t.sql", kTable);
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message,
                  "items/V1234567890__0__create_t.sql: the version is too large: use at "
                  "most 9 digits");
}

TEST(LoadErrors, RejectsDirectoryInsideItems) {
  TempSet set;
  set.Item("V1__0__create_t.sql", kTable);
  std::filesystem::create_directory(set.dir() / "items" / "old");
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message, "items/old/: items/ holds item files only: move the directory out");
}

TEST(LoadErrors, IgnoresFilesThatAreNotSql) {
  TempSet set;
  set.Item("V1__0__create_t.sql", kTable);
  set.Item("README.md", "notes, not an item\n");
  Result<UpgradeSet> result = set.Load();
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ(result->items.size(), 1u);
}

// ---- Duplicate versions ---------------------------------------------------

TEST(LoadErrors, RejectsV2AndV2Point0AsOneVersion) {
  TempSet set;
  set.Item("V2__1__add_a.sql", kTable);
  set.Item("V2.0__1__add_b.sql", kTable);
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message, "version V2 is already used by items/");
  EXPECT_CONTAINS(message, "V2__1__add_a.sql");
  EXPECT_CONTAINS(message, "V2.0__1__add_b.sql");
  EXPECT_CONTAINS(message, "run 'ratchet new' for the next free one");
}

TEST(LoadErrors, RejectsTwoFilesOfOneVersionWithDifferentDescriptions) {
  TempSet set;
  set.Item("V2__1__add_a.sql", kTable);
  set.Item("V2__1__add_b.sql", kTable);
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message, "version V2 is already used by items/");
  EXPECT_CONTAINS(message, "V2__1__add_a.sql");
  EXPECT_CONTAINS(message, "V2__1__add_b.sql");
}

TEST(LoadErrors, RejectsEngineVariantsWithDifferentDescriptions) {
  TempSet set;
  set.Item("V3__7__audit.sql", kTable);
  set.Item("V3__7__audit_trigger.sqlite.sql", kTable);
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message, "engine variants of V3 must share ticket and description");
  EXPECT_CONTAINS(message, "V3__7__audit.sql");
  EXPECT_CONTAINS(message, "V3__7__audit_trigger.sqlite.sql");
}

// ---- Directives -----------------------------------------------------------

TEST(LoadErrors, SuggestsKnownDirectiveForUnknownOne) {
  TempSet set;
  set.Item("V1__0__create_t.sql",
           "-- the first table\n-- ratchet: requries V0\nCREATE TABLE t (a int);\n");
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message,
                  "items/V1__0__create_t.sql:2:1: unknown directive 'requries' "
                  "(did you mean 'requires'?)");
  EXPECT_CONTAINS(message, "directives are requires, optional, transaction");
}

TEST(LoadErrors, SuggestsFinalizeForMisspelledSectionMarker) {
  TempSet set;
  set.Item("V1__0__add_b.sql",
           "-- ratchet: prepare\n"
           "ALTER TABLE t ADD COLUMN b int;\n"
           "-- ratchet: finalise\n"
           "UPDATE t SET b = 1;\n");
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message,
                  "items/V1__0__add_b.sql:3:1: unknown directive 'finalise' "
                  "(did you mean 'finalize'?)");
}

TEST(LoadErrors, ReportsMissingColonAfterRatchet) {
  TempSet set;
  set.Item("V1__0__add_b.sql",
           "-- ratchet: optional\n"
           "-- ratchet prepare\n"
           "ALTER TABLE t ADD COLUMN b int;\n");
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message,
                  "items/V1__0__add_b.sql:2:1: '-- ratchet prepare' is missing its "
                  "colon: write '-- ratchet: prepare'");
}

TEST(LoadErrors, ReportsIndentedDirectiveAtItsColumn) {
  TempSet set;
  set.Item("V1__0__create_t.sql", "\n   -- ratchet: transaction banana\nCREATE TABLE t (a int);\n");
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message,
                  "items/V1__0__create_t.sql:2:4: 'transaction' accepts only "
                  "'none', found 'banana'");
}

TEST(LoadErrors, RejectsTransactionOtherThanNone) {
  TempSet set;
  set.Item("V1__0__create_t.sql", "-- ratchet: transaction banana\nCREATE TABLE t (a int);\n");
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message,
                  "items/V1__0__create_t.sql:1:1: 'transaction' accepts only "
                  "'none', found 'banana'");
  EXPECT_CONTAINS(message, "'-- ratchet: transaction none'");
}

TEST(LoadErrors, RejectsLockTimeoutWithUnknownUnit) {
  TempSet set;
  set.Item("V1__0__create_t.sql",
           "-- ratchet: optional\n-- ratchet: lock-timeout 5 parsecs\nCREATE TABLE t (a int);\n");
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message,
                  "items/V1__0__create_t.sql:2:1: 'lock-timeout' has a bad "
                  "duration '5 parsecs': write e.g. 500ms, 5s, 10min or 0");
}

TEST(LoadErrors, RejectsOptionalWithAValue) {
  TempSet set;
  set.Item("V1__0__create_t.sql", "-- ratchet: optional yes\nCREATE TABLE t (a int);\n");
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message,
                  "items/V1__0__create_t.sql:1:1: 'optional' takes no value, "
                  "found 'yes': write '-- ratchet: optional'");
}

TEST(LoadErrors, RejectsRequiresOfSomethingThatIsNotAVersion) {
  TempSet set;
  set.Item("V1__0__create_t.sql", kTable);
  set.Item("V2__0__add_b.sql",
           "-- adds b\n\n-- ratchet: requires V1, garbage\nALTER TABLE t ADD COLUMN b int;\n");
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message,
                  "items/V2__0__add_b.sql:3:1: 'garbage' in 'requires' is not a "
                  "version: write versions as V3 or V2.1, separated by commas");
}

TEST(LoadErrors, RejectsRequiresWithoutVersions) {
  TempSet set;
  set.Item("V1__0__create_t.sql", "-- ratchet: requires\nCREATE TABLE t (a int);\n");
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message,
                  "items/V1__0__create_t.sql:1:1: 'requires' needs at least one "
                  "version, e.g. '-- ratchet: requires V3'");
}

TEST(LoadErrors, RejectsDirectiveWrittenTwice) {
  TempSet set;
  set.Item("V1__0__create_t.sql",
           "-- ratchet: optional\n-- ratchet: optional\nCREATE TABLE t (a int);\n");
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message,
                  "items/V1__0__create_t.sql:2:1: directive 'optional' appears "
                  "twice: keep one");
}

TEST(LoadErrors, RejectsDirectiveAfterFirstStatement) {
  TempSet set;
  set.Item("V1__0__create_t.sql", "-- the table\nCREATE TABLE t (a int);\n-- ratchet: optional\n");
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message,
                  "items/V1__0__create_t.sql:3:1: directive 'optional' comes "
                  "after the first statement: move it to the top of the file");
}

// ---- Cross-item checks ----------------------------------------------------

TEST(LoadErrors, RejectsRequiresOfMissingVersion) {
  TempSet set;
  set.Item("V1__0__create_t.sql", kTable);
  set.Item("V2__0__add_b.sql", "-- adds b\n-- ratchet: requires V9\nALTER TABLE t ADD b int;\n");
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message, "items/V2__0__add_b.sql");
  EXPECT_CONTAINS(message,
                  "requires V9, which is not in items/: fix the version or add the "
                  "item");
}

TEST(LoadErrors, RequiresOfMissingVersionNamesTheDirectiveLine) {
  TempSet set;
  set.Item("V1__0__create_t.sql", kTable);
  set.Item("V2__0__add_b.sql", "-- adds b\n-- ratchet: requires V9\nALTER TABLE t ADD b int;\n");
  EXPECT_CONTAINS(LoadError(set), "items/V2__0__add_b.sql:2:1: requires V9");
}

TEST(LoadErrors, RejectsRequiresOfLaterVersion) {
  TempSet set;
  set.Item("V1__0__create_t.sql", "-- ratchet: requires V2\nCREATE TABLE t (a int);\n");
  set.Item("V2__0__add_b.sql", "ALTER TABLE t ADD b int;\n");
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message, "items/V1__0__create_t.sql");
  EXPECT_CONTAINS(message,
                  "requires V2, which is not earlier than V1: an item runs after "
                  "what it requires");
}

TEST(LoadErrors, RequiresOfLaterVersionNamesTheDirectiveLine) {
  TempSet set;
  set.Item("V1__0__create_t.sql", "-- ratchet: requires V2\nCREATE TABLE t (a int);\n");
  set.Item("V2__0__add_b.sql", "ALTER TABLE t ADD b int;\n");
  EXPECT_CONTAINS(LoadError(set), "items/V1__0__create_t.sql:1:1: requires V2");
}

TEST(LoadErrors, ReportsDependencyCycleRatherThanLaterVersion) {
  TempSet set;
  set.Item("V1__0__create_t.sql", kTable);
  set.Item("V3__0__add_b.sql", "-- ratchet: requires V4\nALTER TABLE t ADD b int;\n");
  set.Item("V4__0__add_c.sql", "-- ratchet: requires V1, V3\nALTER TABLE t ADD c int;\n");
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message,
                  "items/V3__0__add_b.sql:1:1: dependency cycle V3 -> V4 -> V3: an item can only "
                  "require earlier versions; remove one of these requires");
  EXPECT_EQ(message.find("not earlier than"), std::string::npos) << message;
}

// Found by fuzzing: an item that requires itself is a cycle of one, named
// at its requires line like any other.
TEST(LoadErrors, AnItemThatRequiresItselfNamesItsRequiresLine) {
  TempSet set;
  set.Item("V12__0__self.sql", "-- a comment\n-- ratchet: requires V12\nSELECT 1;\n");
  EXPECT_CONTAINS(LoadError(set), "items/V12__0__self.sql:2:1: dependency cycle V12 -> V12");
}

TEST(LoadErrors, RejectsSameAsOfMissingVersion) {
  TempSet set;
  set.Item("V1__0__create_t.sql", kTable);
  set.Item("V5__12__fix_b.sql", "-- ratchet: same-as V2.1\nALTER TABLE t ADD b int;\n");
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message, "items/V5__12__fix_b.sql");
  EXPECT_CONTAINS(message,
                  "same-as V2.1, which is not in items/: name the version this "
                  "item was back-ported as");
}

TEST(LoadErrors, SameAsOfMissingVersionNamesTheDirectiveLine) {
  TempSet set;
  set.Item("V1__0__create_t.sql", kTable);
  set.Item("V5__12__fix_b.sql", "-- ratchet: same-as V2.1\nALTER TABLE t ADD b int;\n");
  EXPECT_CONTAINS(LoadError(set), "items/V5__12__fix_b.sql:1:1: same-as V2.1");
}

TEST(LoadErrors, RejectsSameAsOfItself) {
  TempSet set;
  set.Item("V5__12__fix_b.sql", "-- ratchet: same-as V5\nALTER TABLE t ADD b int;\n");
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message, "items/V5__12__fix_b.sql");
  EXPECT_CONTAINS(message, "same-as names the item itself");
}

// ---- Sections and content -------------------------------------------------

// Real sets hold items with no SQL (a change only another engine needed):
// they load, marked as such.
TEST(LoadSet, LoadsAnItemWithOnlyCommentsMarkedNoSql) {
  TempSet set;
  set.Item("V1__0__create_t.sql", kTable);
  set.Item("V2__0__sqlite_only.sql", "-- only SQLite needed this change\n/* later */\n\n");
  Result<UpgradeSet> loaded = set.Load();
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  ASSERT_EQ(loaded->items.size(), 2u);
  EXPECT_FALSE(loaded->items[0].no_sql);
  EXPECT_TRUE(loaded->items[1].no_sql);
  LoadOptions parse;
  parse.parse_for = EngineKind::kPostgres;
  Result<UpgradeSet> parsed = set.Load(parse);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_TRUE(parsed->items[1].sections[0].statements.empty());
}

TEST(LoadErrors, RejectsEmptySection) {
  TempSet set;
  set.Item("V1__0__add_b.sql",
           "-- ratchet: prepare\n"
           "ALTER TABLE t ADD COLUMN b int;\n"
           "-- ratchet: rollback\n"
           "-- nothing yet\n"
           "\n");
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message,
                  "items/V1__0__add_b.sql:3:1: section 'rollback' is empty: add its "
                  "SQL or remove the marker");
}

TEST(LoadErrors, RejectsSqlBeforeFirstSectionMarker) {
  TempSet set;
  set.Item("V1__0__add_b.sql",
           "-- header\n"
           "  ALTER TABLE t ADD COLUMN b int;\n"
           "-- ratchet: finalize\n"
           "UPDATE t SET b = 1;\n");
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message,
                  "items/V1__0__add_b.sql:2:3: SQL before the first section "
                  "marker: put it under the section it belongs to");
}

TEST(LoadErrors, RejectsDuplicateSection) {
  TempSet set;
  set.Item("V1__0__add_b.sql",
           "-- ratchet: prepare\n"
           "ALTER TABLE t ADD COLUMN b int;\n"
           "-- ratchet: finalize\n"
           "UPDATE t SET b = 1;\n"
           "-- ratchet: prepare\n"
           "ALTER TABLE t ADD COLUMN c int;\n");
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message,
                  "items/V1__0__add_b.sql:5:1: section 'prepare' appears twice: "
                  "merge them into one");
}

TEST(LoadErrors, RejectsSectionMarkerWithAValue) {
  TempSet set;
  set.Item("V1__0__add_b.sql", "-- ratchet: prepare now\nALTER TABLE t ADD COLUMN b int;\n");
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message,
                  "items/V1__0__add_b.sql:1:1: section marker 'prepare' takes no "
                  "value, found 'now'");
}

TEST(LoadErrors, ReportsLineAndColumnOfByteThatIsNotUtf8) {
  TempSet set;
  set.Item("V1__0__create_t.sql",
           "CREATE TABLE t (a text);\n"
           "INSERT INTO t VALUES ('caf\xe9');\n");
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message,
                  "items/V1__0__create_t.sql:2:27: the file is not valid UTF-8 "
                  "(byte 0xe9): save it as UTF-8");
}

TEST(LoadErrors, CountsColumnsInCharactersAfterMultibyteUtf8) {
  TempSet set;
  // "é" is two bytes; the bad byte is the 4th character of line 1.
  set.Item("V1__0__create_t.sql", "-- \xc3\xa9\xff\nCREATE TABLE t (a text);\n");
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message,
                  "items/V1__0__create_t.sql:1:5: the file is not valid UTF-8 "
                  "(byte 0xff)");
}

// ---- ratchet.toml ---------------------------------------------------------

TEST(LoadErrors, ReportsTomlSyntaxErrorWithLineAndColumn) {
  TempSet set;
  set.Toml("[project]\nname = \"shop\"\nengines = [\"sqlite\" \"postgresql\"]\n");
  set.Item("V1__0__create_t.sql", kTable);
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message, "ratchet.toml:3:21: ");
  EXPECT_CONTAINS(message, "fix the TOML syntax");
}

TEST(LoadErrors, ReportsBareTomlValueAtItsPosition) {
  TempSet set;
  set.Toml("[project]\nname = shop\n");
  set.Item("V1__0__create_t.sql", kTable);
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message, "ratchet.toml:2:8: ");
  EXPECT_CONTAINS(message, "fix the TOML syntax");
}

TEST(LoadErrors, ReportsUnknownTomlKeyWithItsLine) {
  TempSet set;
  set.Toml("[project]\nname = \"shop\"\ncolour = \"blue\"\n");
  set.Item("V1__0__create_t.sql", kTable);
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message, "ratchet.toml:3:");
  EXPECT_CONTAINS(message, "unknown key 'colour' in [project]: the keys are");
  EXPECT_CONTAINS(message, "history-schema");
}

TEST(LoadErrors, ReportsUnknownTopLevelTable) {
  TempSet set;
  set.Toml("[project]\nname = \"shop\"\n\n[projekt]\nname = \"x\"\n");
  set.Item("V1__0__create_t.sql", kTable);
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message, "ratchet.toml:4:");
  EXPECT_CONTAINS(message, "unknown key 'projekt' in ratchet.toml");
}

TEST(LoadErrors, RejectsReleaseHeadNotInItems) {
  TempSet set;
  set.Toml("[project]\nname = \"shop\"\n\n[[release]]\nname = \"1.0\"\nhead = \"V9\"\n");
  set.Item("V1__0__create_t.sql", kTable);
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message,
                  "ratchet.toml:4: release '1.0' has head V9, which is not in "
                  "items/: set head to the release's last item");
}

TEST(LoadErrors, RejectsReleaseHeadThatIsNotAVersion) {
  TempSet set;
  set.Toml("[project]\nname = \"shop\"\n\n[[release]]\nname = \"1.0\"\nhead = \"banana\"\n");
  set.Item("V1__0__create_t.sql", kTable);
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message,
                  "ratchet.toml:6:8: release '1.0': head 'banana' is not a "
                  "version: write e.g. \"V3\" or \"V2.1\"");
}

TEST(LoadErrors, RejectsBadDurationInToml) {
  TempSet set;
  set.Toml("[project]\nname = \"shop\"\nlock-timeout = \"5 parsecs\"\n");
  set.Item("V1__0__create_t.sql", kTable);
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message, "ratchet.toml:3:16: 'lock-timeout' must be a duration string");
}

// A duration too long for any engine is refused when the set loads, not
// when the database is half-way through the upgrade.
TEST(LoadErrors, RejectsDurationsBeyondWhatTheEnginesAccept) {
  TempSet set;
  set.Item("V1__0__create_t.sql",
           "-- ratchet: lock-timeout 99999999999999999999h\nCREATE TABLE t (a integer);\n");
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message,
                  "V1__0__create_t.sql:1:1: 'lock-timeout' has a bad duration "
                  "'99999999999999999999h'");
  EXPECT_CONTAINS(message, "at most 596h");

  TempSet toml;
  toml.Toml("[project]\nname = \"shop\"\nstatement-timeout = \"597h\"\n");
  toml.Item("V1__0__create_t.sql", kTable);
  message = LoadError(toml);
  EXPECT_CONTAINS(message, "ratchet.toml:3:21: 'statement-timeout' must be a duration string");
  EXPECT_CONTAINS(message, "at most \"596h\"");
}

TEST(ParseDuration, IsExactAndBounded) {
  EXPECT_EQ(ParseDuration("1.5s"), std::chrono::milliseconds(1500));
  EXPECT_EQ(ParseDuration("0.25 min"), std::chrono::milliseconds(15000));
  EXPECT_EQ(ParseDuration("596h"), std::chrono::milliseconds(596LL * 3600 * 1000));
  EXPECT_EQ(ParseDuration("2147483647ms"), kMaxDuration);
  EXPECT_EQ(ParseDuration("2147483648ms"), std::nullopt);
  EXPECT_EQ(ParseDuration("597h"), std::nullopt);
  EXPECT_EQ(ParseDuration(std::string(5000, '9') + "s"), std::nullopt);
  EXPECT_EQ(ParseDuration("0." + std::string(5000, '9') + "s"), std::chrono::milliseconds(999));
  EXPECT_EQ(ParseDuration("0"), std::chrono::milliseconds(0));
  EXPECT_EQ(ParseDuration("5"), std::nullopt);
}

// A setting name of any length is read without recursion and refused with
// its start quoted, not echoed whole.
TEST(LoadErrors, RejectsAHugeSettingNameWithoutEchoingIt) {
  TempSet set;
  std::string key(50000, 'a');
  key += "-";
  set.Toml("[project]\nname = \"shop\"\n[requirements.settings]\n\"" + key + "\" = \"on\"\n");
  set.Item("V1__0__create_t.sql", kTable);
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message, "is not a setting name");
  EXPECT_CONTAINS(message, "... (50001 bytes)");
  EXPECT_LT(message.size(), 400u);
}

// A value of megabytes in a directive is quoted in part.
TEST(LoadErrors, QuotesOnlyTheStartOfAHugeDirectiveValue) {
  TempSet set;
  set.Item("V1__0__create_t.sql",
           "-- ratchet: lock-timeout " + std::string(1 << 20, 'x') + "\n" + kTable);
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message, "'lock-timeout' has a bad duration 'xxxx");
  EXPECT_LT(message.size(), 400u);
}

TEST(LoadErrors, ReportsMissingRatchetToml) {
  TempSet set;
  std::filesystem::remove(set.dir() / "ratchet.toml");
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message, set.dir().string() +
                               ": no ratchet.toml here: point --set at the "
                               "directory of your upgrade set");
}

TEST(LoadErrors, ReportsMissingItemsDirectory) {
  TempSet set;
  std::filesystem::remove_all(set.dir() / "items");
  std::string message = LoadError(set);
  EXPECT_CONTAINS(message, "no items/ directory: create it and put the item files there");
}

// ---- What loads -----------------------------------------------------------

TEST(LoadSet, ParsesDirectivesIntoItemFields) {
  TempSet set;
  set.Item("V1__0__create_t.sql", kTable);
  set.Item("V2__0__add_b.sql", "ALTER TABLE t ADD b int;\n");
  set.Item("V2.1__12__index_b.sql", "CREATE INDEX t_b ON t (b);\n");
  set.Item("V5__12__index_b.sql",
           "-- Index b on the main line too.\n"
           "--ratchet:requires V1,V2\n"
           "-- ratchet: optional\n"
           "-- RATCHET: transaction none\n"
           "-- ratchet:   lock-timeout 2s\n"
           "-- ratchet: statement-timeout 10min\n"
           "-- ratchet: same-as V2.1\n"
           "CREATE INDEX IF NOT EXISTS t_b ON t (b);\n");
  Result<UpgradeSet> result = set.Load();
  ASSERT_TRUE(result.ok()) << result.status().message();
  const Item* item = FindItem(*result, "V5");
  ASSERT_NE(item, nullptr);
  EXPECT_EQ(item->ticket, "12");
  EXPECT_EQ(item->description, "index_b");
  EXPECT_EQ(item->engine, "");
  EXPECT_EQ(item->file_name, "V5__12__index_b.sql");
  ASSERT_EQ(item->requires_versions.size(), 2u);
  EXPECT_EQ(item->requires_versions[0].ToString(), "V1");
  EXPECT_EQ(item->requires_versions[1].ToString(), "V2");
  EXPECT_TRUE(item->optional);
  EXPECT_EQ(item->transaction, TransactionMode::kNone);
  EXPECT_TRUE(item->transaction_declared);
  ASSERT_TRUE(item->lock_timeout.has_value());
  EXPECT_EQ(*item->lock_timeout, std::chrono::milliseconds(2000));
  ASSERT_TRUE(item->statement_timeout.has_value());
  EXPECT_EQ(*item->statement_timeout, std::chrono::milliseconds(600000));
  ASSERT_TRUE(item->same_as.has_value());
  EXPECT_EQ(item->same_as->ToString(), "V2.1");

  const Item* plain = FindItem(*result, "V2");
  ASSERT_NE(plain, nullptr);
  EXPECT_TRUE(plain->requires_versions.empty());
  EXPECT_FALSE(plain->optional);
  EXPECT_EQ(plain->transaction, TransactionMode::kPerItem);
  EXPECT_FALSE(plain->transaction_declared);
  EXPECT_FALSE(plain->lock_timeout.has_value());
  EXPECT_FALSE(plain->statement_timeout.has_value());
  EXPECT_FALSE(plain->same_as.has_value());
  EXPECT_EQ(plain->checksum.size(), 64u);
}

TEST(LoadSet, AcceptsTabsBetweenRequiredVersions) {
  TempSet set;
  set.Item("V1__0__create_t.sql", kTable);
  set.Item("V2__0__add_b.sql", "ALTER TABLE t ADD b int;\n");
  set.Item("V3__0__add_c.sql", "-- ratchet: requires V1,\tV2\nALTER TABLE t ADD c int;\n");
  Result<UpgradeSet> result = set.Load();
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ(FindItem(*result, "V3")->requires_versions.size(), 2u);
}

TEST(LoadSet, SplitsSectionsWithTextAndOffsets) {
  TempSet set;
  const std::string check = "SELECT email FROM users GROUP BY email HAVING count(*) > 1;\n";
  const std::string prepare = "ALTER TABLE users ADD COLUMN email_lower text;\n\n";
  const std::string finalize = "CREATE UNIQUE INDEX users_email ON users (email_lower);\n";
  const std::string rollback = "ALTER TABLE users DROP COLUMN email_lower;\n";
  const std::string content =
      "-- ratchet: optional\n"      // line 1
      "-- ratchet: check\n" +       // line 2
      check +                       // line 3
      "-- ratchet: prepare\n" +     // line 4
      prepare +                     // lines 5-6
      "-- ratchet: finalize\n" +    // line 7
      finalize +                    // line 8
      "  -- ratchet: rollback\n" +  // line 9
      rollback;                     // line 10
  set.Item("V1__0__unique_email.sql", content);
  Result<UpgradeSet> result = set.Load();
  ASSERT_TRUE(result.ok()) << result.status().message();
  const Item* item = FindItem(*result, "V1");
  ASSERT_NE(item, nullptr);
  ASSERT_EQ(item->sections.size(), 4u);

  struct Expected {
    SectionKind kind;
    std::string text;
    int marker_line;
  };
  const Expected expected[] = {{SectionKind::kCheck, check, 2},
                               {SectionKind::kPrepare, prepare, 4},
                               {SectionKind::kFinalize, finalize, 7},
                               {SectionKind::kRollback, rollback, 9}};
  for (size_t i = 0; i < 4; ++i) {
    const Section& s = item->sections[i];
    SCOPED_TRACE(SectionName(expected[i].kind));
    EXPECT_EQ(s.kind, expected[i].kind);
    EXPECT_EQ(s.text, expected[i].text);
    EXPECT_EQ(s.offset, content.find(expected[i].text));
    EXPECT_EQ(content.substr(s.offset, s.text.size()), s.text);
    EXPECT_EQ(s.marker_line, expected[i].marker_line);
    EXPECT_EQ(item->section(expected[i].kind), &s);
  }
  EXPECT_TRUE(item->optional);
  // A position inside a section maps back to the file's line.
  EXPECT_EQ(item->Position(item->sections[2].offset + 7), "items/V1__0__unique_email.sql:8:8");
}

TEST(LoadSet, TreatsUnmarkedFileAsOneFinalizeSection) {
  TempSet set;
  const std::string content =
      "-- ratchet: optional\nCREATE TABLE t (a int);\nCREATE TABLE u (b int);\n";
  set.Item("V1__0__create_t.sql", content);
  Result<UpgradeSet> result = set.Load();
  ASSERT_TRUE(result.ok()) << result.status().message();
  const Item* item = FindItem(*result, "V1");
  ASSERT_NE(item, nullptr);
  ASSERT_EQ(item->sections.size(), 1u);
  EXPECT_EQ(item->sections[0].kind, SectionKind::kFinalize);
  EXPECT_EQ(item->sections[0].offset, 0u);
  EXPECT_EQ(item->sections[0].text, content);
  EXPECT_EQ(item->sections[0].marker_line, 0);
  EXPECT_EQ(item->section(SectionKind::kPrepare), nullptr);
  EXPECT_EQ(item->section(SectionKind::kRollback), nullptr);
}

TEST(LoadSet, PicksEngineVariantOverGenericFile) {
  TempSet set;
  set.Item("V1__0__create_t.sql", kTable);
  set.Item("V3__12__audit_trigger.sql", "CREATE TABLE audit (a int);\n");
  set.Item("V3__12__audit_trigger.sqlite.sql", "CREATE TABLE audit (a integer);\n");
  set.Item("V4__0__pg_only.postgresql.sql", "CREATE TABLE pg (a int);\n");
  Result<UpgradeSet> result = set.Load();
  ASSERT_TRUE(result.ok()) << result.status().message();
  ASSERT_EQ(result->items.size(), 4u);

  std::vector<const Item*> sqlite = result->ItemsFor(EngineKind::kSqlite);
  ASSERT_EQ(sqlite.size(), 2u);
  EXPECT_EQ(sqlite[0]->file_name, "V1__0__create_t.sql");
  EXPECT_EQ(sqlite[1]->file_name, "V3__12__audit_trigger.sqlite.sql");
  EXPECT_EQ(sqlite[1]->engine, "sqlite");

  std::vector<const Item*> postgres = result->ItemsFor(EngineKind::kPostgres);
  ASSERT_EQ(postgres.size(), 3u);
  EXPECT_EQ(postgres[0]->file_name, "V1__0__create_t.sql");
  EXPECT_EQ(postgres[1]->file_name, "V3__12__audit_trigger.sql");
  EXPECT_EQ(postgres[2]->file_name, "V4__0__pg_only.postgresql.sql");
}

TEST(LoadSet, IgnoresDirectiveInsideStringLiteral) {
  TempSet set;
  // Read as a directive this would be "after the first statement".
  set.Item("V1__0__notes.sql",
           "CREATE TABLE notes (body text);\n"
           "INSERT INTO notes VALUES ('\n"
           "-- ratchet: optional\n"
           "');\n");
  Result<UpgradeSet> result = set.Load();
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_FALSE(FindItem(*result, "V1")->optional);
}

TEST(LoadSet, IgnoresDirectiveInsideBlockComment) {
  TempSet set;
  set.Item("V1__0__notes.sql",
           "/* An example of a directive:\n"
           "-- ratchet: optional\n"
           "-- ratchet: prepare\n"
           "*/\n"
           "CREATE TABLE notes (body text);\n");
  Result<UpgradeSet> result = set.Load();
  ASSERT_TRUE(result.ok()) << result.status().message();
  const Item* item = FindItem(*result, "V1");
  EXPECT_FALSE(item->optional);
  ASSERT_EQ(item->sections.size(), 1u);
  EXPECT_EQ(item->sections[0].kind, SectionKind::kFinalize);
}

TEST(LoadSet, IgnoresTrailingRatchetCommentAfterCode) {
  TempSet set;
  set.Item("V1__0__notes.sql", "CREATE TABLE notes (body text); -- ratchet: optional\n");
  Result<UpgradeSet> result = set.Load();
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_FALSE(FindItem(*result, "V1")->optional);
}

TEST(LoadSet, ReadsReleasesFromToml) {
  TempSet set;
  set.Toml(
      "[project]\nname = \"shop\"\nengines = [\"sqlite\", \"postgresql\"]\n"
      "lock-timeout = \"2s\"\n\n"
      "[[release]]\nname = \"1.0\"\nhead = \"V1\"\n\n"
      "[[release]]\nname = \"2.0\"\nhead = \"V2\"\n");
  set.Item("V1__0__create_t.sql", kTable);
  set.Item("V2__0__add_b.sql", "ALTER TABLE t ADD b int;\n");
  Result<UpgradeSet> result = set.Load();
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ(result->project.name, "shop");
  EXPECT_EQ(result->project.engines, (std::vector<std::string>{"sqlite", "postgresql"}));
  EXPECT_EQ(result->project.lock_timeout, std::chrono::milliseconds(2000));
  ASSERT_EQ(result->project.releases.size(), 2u);
  ASSERT_NE(result->FindRelease("2.0"), nullptr);
  EXPECT_EQ(result->FindRelease("2.0")->head.ToString(), "V2");
  EXPECT_EQ(result->FindRelease("3.0"), nullptr);
}

// ---- Parsed for SQLite ----------------------------------------------------

TEST(LoadForSqlite, RefusesItemWithItsOwnTransaction) {
  TempSet set;
  set.Item("V1__0__create_t.sql",
           "CREATE TABLE t (a int);\n"
           "BEGIN;\n"
           "INSERT INTO t VALUES (1);\n"
           "COMMIT;\n");
  std::string message = LoadError(set, LoadOptions{.parse_for = EngineKind::kSqlite});
  EXPECT_CONTAINS(message,
                  "items/V1__0__create_t.sql:2:1: the item controls its own "
                  "transaction (BEGIN)");
  EXPECT_CONTAINS(message, "remove BEGIN/COMMIT/ROLLBACK/SAVEPOINT from the item");
}

TEST(LoadForSqlite, AcceptsOwnTransactionInItemMarkedTransactionNone) {
  TempSet set;
  set.Item("V1__0__create_t.sql",
           "-- ratchet: transaction none\n"
           "BEGIN;\n"
           "CREATE TABLE IF NOT EXISTS t (a int);\n"
           "COMMIT;\n");
  Result<UpgradeSet> result = set.Load(LoadOptions{.parse_for = EngineKind::kSqlite});
  EXPECT_TRUE(result.ok()) << result.status().message();
}

TEST(LoadForSqlite, RefusesVacuumMixedWithOtherStatements) {
  TempSet set;
  set.Item("V1__0__compact.sql",
           "-- ratchet: prepare\n"
           "CREATE TABLE u (a int);\n"
           "-- ratchet: finalize\n"
           "DELETE FROM t;\n"
           "  VACUUM;\n");
  std::string message = LoadError(set, LoadOptions{.parse_for = EngineKind::kSqlite});
  EXPECT_CONTAINS(message,
                  "items/V1__0__compact.sql:5:3: this statement cannot run inside "
                  "a transaction, but the finalize section also holds statements "
                  "that can. Either move it into an item of its own");
  EXPECT_CONTAINS(message, "or add '-- ratchet: transaction none' at the top of the file");
}

TEST(LoadForSqlite, MarksVacuumOnlySectionNonTransactional) {
  TempSet set;
  set.Item("V1__0__create_t.sql", kTable);
  set.Item("V2__0__compact.sql", "-- reclaim space\nVACUUM;\n");
  Result<UpgradeSet> result = set.Load(LoadOptions{.parse_for = EngineKind::kSqlite});
  ASSERT_TRUE(result.ok()) << result.status().message();
  const Item* vacuum = FindItem(*result, "V2");
  ASSERT_EQ(vacuum->sections.size(), 1u);
  EXPECT_TRUE(vacuum->sections[0].non_transactional);
  ASSERT_EQ(vacuum->sections[0].statements.size(), 1u);
  EXPECT_TRUE(vacuum->sections[0].statements[0].non_transactional);
  const Item* table = FindItem(*result, "V1");
  EXPECT_FALSE(table->sections[0].non_transactional);
  EXPECT_EQ(table->sections[0].statements.size(), 1u);
}

TEST(LoadForSqlite, WithoutParseForStatementsStayEmpty) {
  TempSet set;
  set.Item("V1__0__compact.sql", "VACUUM;\n");
  Result<UpgradeSet> result = set.Load();
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_TRUE(result->items[0].sections[0].statements.empty());
  EXPECT_FALSE(result->items[0].sections[0].non_transactional);
}

TEST(LoadForSqlite, ReportsUnterminatedTriggerAtItsFirstLine) {
  TempSet set;
  set.Item("V1__0__audit.sql",
           "CREATE TABLE t (a int);\n"
           "CREATE TABLE log (a int);\n"
           "\n"
           "CREATE TRIGGER t_log AFTER INSERT ON t BEGIN\n"
           "  INSERT INTO log VALUES (new.a);\n");
  std::string message = LoadError(set, LoadOptions{.parse_for = EngineKind::kSqlite});
  EXPECT_CONTAINS(message, "items/V1__0__audit.sql:4:1: the last statement is incomplete");
}

TEST(LoadForSqlite, SkipsOtherEnginesVariants) {
  TempSet set;
  // Not SQLite-safe (BEGIN inside), but only PostgreSQL runs it.
  set.Item("V1__0__create_t.postgresql.sql", "BEGIN;\nCREATE TABLE t (a int);\nCOMMIT;\n");
  Result<UpgradeSet> result = set.Load(LoadOptions{.parse_for = EngineKind::kSqlite});
  EXPECT_TRUE(result.ok()) << result.status().message();
}

}  // namespace
}  // namespace ratchet
