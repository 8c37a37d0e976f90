// Items that run statement by statement ('-- ratchet: transaction none'),
// as real sets write them: ordinary statements mixed with ones that cannot
// run in a transaction. Each statement's completion is journaled, so a
// failure or a crash resumes at the first statement not recorded.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/harness.h"

namespace ratchet::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class StatementJournal : public EngineTest {
 protected:
  RunResult Upgrade(const std::vector<std::string>& env = {}) {
    return RunRatchet({"upgrade", "--set", set_dir().string(), "--db", db()}, env);
  }

  // V1 creates t and a log; V2 is the mixed item, its third statement
  // `third`: each statement leaves a row in the log, so a statement run
  // twice shows.
  void WriteMixed(const std::string& third, bool directive = true) {
    const std::string block = is_sqlite()
                                  ? "INSERT INTO log VALUES ('block');\n"
                                  : "DO $$ BEGIN INSERT INTO log VALUES ('block'); END $$;\n";
    WriteSet({{"V1__1__create_t.sql",
               "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER);\n"
               "CREATE TABLE log (what TEXT);\n"},
              {"V2__2__mixed.sql", std::string(directive ? "-- ratchet: transaction none\n" : "") +
                                       "ALTER TABLE t ADD COLUMN b INTEGER;\n"
                                       "INSERT INTO log VALUES ('alter');\n" +
                                       block + third}});
  }

  std::string Index() const {
    return is_sqlite() ? "CREATE INDEX IF NOT EXISTS t_b_idx ON t (b);\n"
                       : "CREATE INDEX CONCURRENTLY IF NOT EXISTS t_b_idx ON t (b);\n";
  }

  std::string Log() {
    auto rows = Rows("SELECT what FROM log ORDER BY what");
    std::string out;
    for (const std::string& r : rows) out += (out.empty() ? "" : ",") + r;
    return out;
  }
};
RATCHET_ALL_ENGINES(StatementJournal);

TEST_P(StatementJournal, AMixedItemRunsStatementByStatementUnderTransactionNone) {
  WriteMixed(Index());
  RunResult r = Upgrade();
  ASSERT_EQ(r.exit_code, 0) << r.all();
  EXPECT_EQ(Log(), "alter,block");
  if (!is_sqlite()) {
    EXPECT_EQ(Value("SELECT indisvalid FROM pg_index WHERE indexrelid = 't_b_idx'::regclass"), "t");
  } else {
    EXPECT_EQ(Value("SELECT count(*) FROM sqlite_master WHERE name = 't_b_idx'"), "1");
  }
  EXPECT_EQ(Value("SELECT count(*) FROM " + Books("events") +
                  " WHERE event = 'statement-done' AND version = 'V2'"),
            "4");
  EXPECT_EQ(Value("SELECT phase FROM " + Books("items") + " WHERE version = 'V2'"), "applied");
}

TEST_P(StatementJournal, WithoutTheDirectiveAMixIsRefusedNamingBothWaysOut) {
  if (is_sqlite())
    GTEST_SKIP() << "SQLite's only statement that cannot run in a transaction is "
                    "VACUUM, and a mix with it is the same refusal";
  WriteMixed(Index(), /*directive=*/false);
  RunResult r = Upgrade();
  EXPECT_EQ(r.exit_code, 2) << r.all();
  EXPECT_THAT(r.err, HasSubstr("items/V2__2__mixed.sql:4:1: this statement cannot run inside a "
                               "transaction"));
  EXPECT_THAT(r.err, HasSubstr("move it into an item of its own"));
  EXPECT_THAT(r.err, HasSubstr("add '-- ratchet: transaction none'"));
  EXPECT_EQ(Tables(), std::vector<std::string>{});
}

TEST_P(StatementJournal, AFailureKeepsTheStatementsBeforeItAndTheRunGoesOnFromThere) {
  WriteMixed(is_sqlite() ? "CREATE INDEX t_c_idx ON t (missing);\n"
                         : "CREATE INDEX CONCURRENTLY t_c_idx ON t (missing);\n");
  RunResult failed = Upgrade();
  EXPECT_EQ(failed.exit_code, 1) << failed.all();
  EXPECT_THAT(failed.err, HasSubstr("items/V2__2__mixed.sql:5:"));
  EXPECT_THAT(failed.err, HasSubstr("Statements 1-3 of V2 ran outside a transaction and stay "
                                    "applied; re-running goes on with statement 4."));
  EXPECT_THAT(failed.err, Not(HasSubstr("rolled back")));
  EXPECT_EQ(Log(), "alter,block");
  EXPECT_EQ(Value("SELECT status FROM " + Books("state")), "failed-upgrade");

  // Fixed, the item goes on at statement 4: nothing before it runs twice.
  WriteMixed(Index());
  RunResult resumed = Upgrade();
  EXPECT_EQ(resumed.exit_code, 0) << resumed.all();
  EXPECT_THAT(resumed.all(), HasSubstr("V2: statements 1-3 finished before the last run "
                                       "stopped; going on with statement 4 of 4"));
  EXPECT_EQ(Log(), "alter,block");
  EXPECT_EQ(Value("SELECT phase FROM " + Books("items") + " WHERE version = 'V2'"), "applied");
}

TEST_P(StatementJournal, KilledBeforeItsJournalAStatementThatCanRunInATransactionLeavesNothing) {
  WriteMixed(Index());
  // The second statement of V2 (an INSERT) runs in a transaction together
  // with its journal entry, and ratchet dies before that commits.
  RunResult killed = Upgrade({"RATCHET_FAULT=journal.statement:2"});
  ASSERT_EQ(killed.exit_code, 86) << killed.all();
  EXPECT_EQ(Log(), "");
  RunResult resumed = Upgrade();
  EXPECT_EQ(resumed.exit_code, 0) << resumed.all();
  EXPECT_THAT(resumed.all(), HasSubstr("going on with statement 2 of 4"));
  EXPECT_EQ(Log(), "alter,block");
  // Lint still asks for the INSERT to be safe twice: under 'transaction
  // none' a statement that commits on its own may run again.
  RunResult lint = RunRatchet({"lint", "--set", set_dir().string()});
  EXPECT_EQ(lint.exit_code, 3) << lint.all();
  EXPECT_THAT(lint.all(), HasSubstr("items/V2__2__mixed.sql:3:1: INSERT without ON CONFLICT"));
}

TEST_P(StatementJournal, KilledBeforeItsJournalOnlyAStatementThatCommitsOnItsOwnRunsAgain) {
  WriteMixed(Index());
  // The third statement is a DO block on PostgreSQL, which may commit from
  // inside and so commits on its own before its journal entry; on SQLite it
  // is an INSERT, which commits together with its entry.
  RunResult killed = Upgrade({"RATCHET_FAULT=journal.statement:3"});
  ASSERT_EQ(killed.exit_code, 86) << killed.all();
  EXPECT_EQ(Log(), is_sqlite() ? "alter" : "alter,block");
  RunResult resumed = Upgrade();
  EXPECT_EQ(resumed.exit_code, 0) << resumed.all();
  EXPECT_THAT(resumed.all(), HasSubstr("going on with statement 3 of 4"));
  EXPECT_EQ(Log(), is_sqlite() ? "alter,block" : "alter,block,block");
}

TEST_P(StatementJournal, AnItemThatHoldsItsOwnTransactionRunsItAsWritten) {
  // Under 'transaction none' an item may open and commit its own
  // transaction: ratchet then opens none around its statements, and the
  // journal entries of the statements inside it commit with it.
  WriteSet({{"V1__1__create_log.sql", "CREATE TABLE log (what TEXT);\n"},
            {"V2__2__own_transaction.sql",
             "-- ratchet: transaction none\n"
             "BEGIN;\n"
             "INSERT INTO log VALUES ('a');\n"
             "INSERT INTO log VALUES ('b');\n"
             "COMMIT;\n"
             "INSERT INTO log VALUES ('c');\n"}});
  RunResult r = Upgrade();
  ASSERT_EQ(r.exit_code, 0) << r.all();
  EXPECT_EQ(Log(), "a,b,c");
  EXPECT_EQ(Value("SELECT phase FROM " + Books("items") + " WHERE version = 'V2'"), "applied");
  EXPECT_EQ(Value("SELECT COUNT(*) FROM " + Books("events") +
                  " WHERE version = 'V2' AND event = 'statement-done'"),
            "5");
}

// An item with no SQL, as real sets have for a change only another engine
// needed: lint warns, plan shows it, upgrade records it applied.
class EmptyItem : public EngineTest {};
RATCHET_ALL_ENGINES(EmptyItem);

TEST_P(EmptyItem, IsShownByPlanWarnedByLintAndRecordedAppliedByUpgrade) {
  WriteSet({{"V1__1__create_t.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY);\n"},
            {"V2__2__only_the_other_engine.sql",
             "-- The other engine needed an index here; this one has it already.\n"},
            {"V3__3__add_a.sql", "ALTER TABLE t ADD COLUMN a INTEGER;\n"}},
           "engines = [\"sqlite\", \"postgresql\"]\n");
  RunResult plan = Ratchet("plan");
  EXPECT_EQ(plan.exit_code, 0) << plan.all();
  EXPECT_THAT(plan.out, ::testing::MatchesRegex("(.|\n)*V2 +only_the_other_engine +no SQL(.|\n)*"));
  RunResult lint = RunRatchet({"lint", "--set", set_dir().string()});
  EXPECT_EQ(lint.exit_code, 0) << lint.all();
  EXPECT_THAT(lint.out, HasSubstr("warning  V2 items/V2__2__only_the_other_engine.sql: the item "
                                  "holds no SQL"));
  RunResult r = Ratchet("upgrade");
  EXPECT_EQ(r.exit_code, 0) << r.all();
  EXPECT_EQ(Value("SELECT count(*) FROM " + Books("items") + " WHERE phase = 'applied'"), "3");
  RunResult again = Ratchet("upgrade");
  EXPECT_EQ(again.exit_code, 0) << again.all();
  EXPECT_THAT(again.out, HasSubstr("Nothing to do"));
}

}  // namespace
}  // namespace ratchet::testing
