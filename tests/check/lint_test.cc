// `ratchet lint`: the set alone, no database: load errors, version gaps,
// statements unsafe to repeat where they must be, locks and rewrites.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/harness.h"

namespace ratchet::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A set in a scratch directory, linted through the tool.
class Lint : public ::testing::Test {
 protected:
  void Write(const std::map<std::string, std::string>& items, const std::string& toml = "") {
    WriteFile(dir_.path() / "ratchet.toml", "[project]\nname = \"linted\"\n" + toml);
    for (const auto& [name, content] : items) WriteFile(dir_.path() / "items" / name, content);
  }
  RunResult Run(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"lint", "--set", dir_.path().string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunRatchet(args);
  }
  ScratchDir dir_;
};

TEST_F(Lint, TheBookshopHasNoProblemsButItsIndexBuildsAreNamed) {
  RunResult r = RunRatchet({"lint", "--set", BookshopSet().string()});
  EXPECT_EQ(r.exit_code, 0) << r.all();
  EXPECT_THAT(r.out, HasSubstr("Lint of bookshop for sqlite, postgresql:"));
  EXPECT_THAT(r.out, HasSubstr("idempotence          ok"));
  EXPECT_THAT(r.out, HasSubstr("warning  V9 items/V9__170__title_search_helper.sql:4:1: CREATE "
                               "INDEX books_title_lower_idx without CONCURRENTLY builds an index "
                               "on books holding a SHARE lock"));
  // V11 proves full_name complete with a validated CHECK, so V12's SET NOT
  // NULL reads no rows.
  EXPECT_THAT(r.out, Not(HasSubstr("SET NOT NULL")));
  EXPECT_THAT(RunRatchet({"lint", "--set", BookshopSet().string(), "--strict"}).exit_code, 3);
}

TEST_F(Lint, VersionGapsAreNamed) {
  Write({{"V1__1__a.sql", "CREATE TABLE a (id INTEGER);\n"},
         {"V2__2__b.sql", "CREATE TABLE b (id INTEGER);\n"},
         {"V2.2__3__b_fix.sql", "CREATE TABLE b2 (id INTEGER);\n"},
         {"V5__4__c.sql", "CREATE TABLE c (id INTEGER);\n"}});
  RunResult r = Run();
  EXPECT_EQ(r.exit_code, 0) << r.all();
  EXPECT_THAT(r.out, HasSubstr("V3 to V4 are missing between V2 and V5"));
  EXPECT_THAT(r.out, HasSubstr("V2.1 is missing on the release line of V2 (before V2.2)"));
}

TEST_F(Lint, StatementsUnsafeToRepeatOutsideATransactionAreProblems) {
  Write({{"V1__1__t.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY, x INTEGER);\n"},
         {"V2__2__backfill.sql",
          "-- ratchet: transaction none\n"
          "CREATE TABLE IF NOT EXISTS copy_of_t (id INTEGER);\n"
          "CREATE TABLE log (id INTEGER);\n"
          "INSERT INTO log (id) VALUES (1);\n"
          "UPDATE t SET x = 0 WHERE x IS NULL;\n"},
         {"V3__3__safe.sql",
          "-- ratchet: transaction none\n"
          "DROP INDEX IF EXISTS t_x_idx;\n"
          "CREATE INDEX IF NOT EXISTS t_x_idx ON t (x);\n"}},
        "engines = [\"sqlite\", \"postgresql\"]\n");
  RunResult r = Run();
  EXPECT_EQ(r.exit_code, 3) << r.all();
  EXPECT_THAT(r.out, HasSubstr("problem  V2 items/V2__2__backfill.sql:3:1: CREATE TABLE without "
                               "IF NOT EXISTS fails when it exists"));
  EXPECT_THAT(r.out, HasSubstr("problem  V2 items/V2__2__backfill.sql:4:1: INSERT without"));
  EXPECT_THAT(r.out, HasSubstr("is run again on resume"));
  EXPECT_THAT(r.out, Not(HasSubstr("V2__2__backfill.sql:2:1")));
  EXPECT_THAT(r.out, Not(HasSubstr("V2__2__backfill.sql:5:1")));
  EXPECT_THAT(r.out, Not(HasSubstr("problem  V3")));
  EXPECT_THAT(r.out, HasSubstr("idempotence          2 problem(s)"));
}

TEST_F(Lint, ARollbackUndoingAPrepareOutsideATransactionMustBeSafeToRepeat) {
  Write({{"V1__1__t.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY);\n"},
         {"V2__2__online.sql",
          "-- ratchet: transaction none\n"
          "-- ratchet: prepare\n"
          "ALTER TABLE t DROP CONSTRAINT IF EXISTS t_id_positive;\n"
          "ALTER TABLE t ADD CONSTRAINT t_id_positive CHECK (id > 0) NOT VALID;\n"
          "-- ratchet: finalize\n"
          "ALTER TABLE t VALIDATE CONSTRAINT t_id_positive;\n"
          "-- ratchet: rollback\n"
          "ALTER TABLE t DROP CONSTRAINT t_id_positive;\n"}},
        "engines = [\"postgresql\"]\n");
  RunResult r = Run();
  EXPECT_EQ(r.exit_code, 3) << r.all();
  EXPECT_THAT(r.out, HasSubstr("problem  V2 items/V2__2__online.sql:8:1: DROP CONSTRAINT without "
                               "IF EXISTS fails when it is gone"));
  EXPECT_THAT(r.out, HasSubstr("a rollback section must work on a partly prepared database"));
  // The ADD CONSTRAINT is safe: the DROP ... IF EXISTS before it clears the way.
  EXPECT_THAT(r.out, Not(HasSubstr("online.sql:4:1")));
}

TEST_F(Lint, LocksAndRewritesAreWarnings) {
  Write({{"V1__1__t.sql",
          "CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT);\n"
          "CREATE INDEX t_code_idx ON t (code);\n"},
         {"V2__2__wider.sql", "ALTER TABLE t ALTER COLUMN id TYPE BIGINT;\n"},
         {"V3__3__stamps.sql",
          "ALTER TABLE t ADD COLUMN seen TIMESTAMPTZ DEFAULT now();\n"
          "ALTER TABLE t ADD COLUMN token UUID DEFAULT gen_random_uuid();\n"}},
        "engines = [\"postgresql\"]\n");
  RunResult r = Run();
  EXPECT_EQ(r.exit_code, 0) << r.all();
  // V1 indexes a table it creates itself: nothing to lock out.
  EXPECT_THAT(r.out, Not(HasSubstr("V1 items")));
  EXPECT_THAT(r.out, HasSubstr("warning  V2 items/V2__2__wider.sql:1:1: ALTER COLUMN id TYPE "
                               "bigint rewrites t holding an ACCESS EXCLUSIVE lock"));
  EXPECT_THAT(r.out, HasSubstr("unless the new type is binary-coercible"));
  EXPECT_THAT(r.out, Not(HasSubstr("V3__3__stamps.sql:1:1")));
  EXPECT_THAT(r.out, HasSubstr("warning  V3 items/V3__3__stamps.sql:2:1: ADD COLUMN token with a "
                               "default that calls gen_random_uuid() rewrites t"));
}

// Widening a varchar, or making it text, rewrites nothing: where the set's
// own earlier items say what the column was, lint does not warn.
TEST_F(Lint, ATypeChangeTheSetShowsBinaryCoercibleIsNoWarning) {
  Write({{"V1__1__t.sql",
          "CREATE TABLE t (id INTEGER PRIMARY KEY, name VARCHAR(20), code VARCHAR(5));\n"},
         {"V2__2__add.sql", "ALTER TABLE t ADD COLUMN note VARCHAR(10);\n"},
         {"V3__3__widen.sql",
          "ALTER TABLE t ALTER COLUMN name TYPE text;\n"
          "ALTER TABLE t ALTER COLUMN code TYPE varchar(50);\n"
          "ALTER TABLE t ALTER COLUMN note TYPE text;\n"
          "ALTER TABLE t ALTER COLUMN code TYPE varchar(8);\n"}},
        "engines = [\"postgresql\"]\n");
  RunResult r = Run();
  EXPECT_EQ(r.exit_code, 0) << r.all();
  for (const char* line : {":1:1", ":2:1", ":3:1"}) {
    EXPECT_THAT(r.out, Not(HasSubstr(std::string("V3__3__widen.sql") + line))) << r.out;
  }
  // Narrowing checks every row: that is a rewrite warning still.
  EXPECT_THAT(r.out, HasSubstr("warning  V3 items/V3__3__widen.sql:4:1: ALTER COLUMN code TYPE"));
}

TEST_F(Lint, LoadErrorsNameTheFileLineAndEngine) {
  Write({{"V1__1__t.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY);\n"},
         {"V2__2__broken.postgresql.sql", "CREATE TABLE u (id INTEGER;\n"},
         {"V2__2__broken.sqlite.sql", "CREATE TABLE u (id INTEGER);\n"}});
  RunResult r = Run();
  EXPECT_EQ(r.exit_code, 3) << r.all();
  EXPECT_THAT(r.out, HasSubstr("load                 1 problem(s)"));
  EXPECT_THAT(r.out, HasSubstr("items/V2__2__broken.postgresql.sql:1:"));
  EXPECT_THAT(r.out, HasSubstr("[postgresql]"));
  RunResult sqlite_only = Run({"--engine", "sqlite"});
  EXPECT_EQ(sqlite_only.exit_code, 0) << sqlite_only.all();
  EXPECT_EQ(Run({"--engine", "oracle"}).exit_code, 2);
}

// A set that does not load is still named by its project, for its engines.
TEST_F(Lint, ASetThatFailsToLoadIsNamedByItsProjectAndEngines) {
  Write({{"V1__1__t.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY);\n"},
         {"V2__2__bad.sql", "-- ratchet: lock-timeout forever\nSELECT 1;\n"}},
        "engines = [\"postgresql\"]\n");
  RunResult r = Run();
  EXPECT_EQ(r.exit_code, 3) << r.all();
  EXPECT_THAT(r.out, HasSubstr("Lint of linted for postgresql:"));
  EXPECT_THAT(r.out, HasSubstr("items/V2__2__bad.sql:1:1: 'lock-timeout' has a bad duration"));
}

TEST_F(Lint, ASettingRequirementMustBeAString) {
  Write({{"V1__1__t.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY);\n"}},
        "[requirements.settings]\nmax_connections = 100\n");
  RunResult r = Run();
  EXPECT_EQ(r.exit_code, 3) << r.all();
  EXPECT_THAT(r.out, HasSubstr("ratchet.toml:4:19: setting 'max_connections' must be a string"));
}

TEST(CheckCommands, EachHasHelpAndRejectsBadOptions) {
  for (const char* command : {"check", "lint", "verify", "snapshot"}) {
    RunResult help = RunRatchet({command, "--help"});
    EXPECT_EQ(help.exit_code, 0) << command;
    EXPECT_THAT(help.out, HasSubstr("--set")) << command;
    EXPECT_EQ(RunRatchet({command, "--no-such-option"}).exit_code, 2) << command;
  }
  EXPECT_THAT(RunRatchet({"baseline", "--help"}).out, HasSubstr("--detect"));
}

}  // namespace
}  // namespace ratchet::testing
