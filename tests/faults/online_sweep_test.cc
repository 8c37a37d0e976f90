// The online path killed at every fault point converges: prepare then
// finalize of the bookshop's release 3.0, rollback after prepare, and
// finalize over two databases killed between their pivots.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "faults/fault_sweep.h"
#include "util/fault.h"

namespace ratchet::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class OnlineSweep : public FaultSweep {
 protected:
  // A live 2.0 shop with rows of its own, waiting for the online 3.0.
  std::function<void(const std::string&)> ShopAtTwoDotZero() {
    return [this](const std::string& db) {
      RunResult r = RatchetOn(BookshopSet(), db, {"upgrade", "--to", "2.0"});
      ASSERT_EQ(r.exit_code, 0) << r.all();
      ExecuteOn(db,
                "INSERT INTO authors (id, name) VALUES (4, 'Leo Tolstoy'), (5, 'George Eliot');\n"
                "INSERT INTO books (id, author_id, title, price_cents) VALUES\n"
                "  (4, 4, 'War and Peace', 1999), (5, 5, 'Middlemarch', 1199);\n"
                "INSERT INTO orders (id, book_id, quantity, ordered_at) VALUES\n"
                "  (1, 4, 2, '2026-01-05T10:00:00Z');\n");
    };
  }

  std::set<std::string> CommonPoints() const {
    std::set<std::string> points = {"statement.before", "statement.after", "commit.before",
                                    "commit.after"};
    if (!is_sqlite()) points.insert("pipeline.sent");
    return points;
  }
};
RATCHET_ALL_ENGINES(OnlineSweep);

TEST_P(OnlineSweep, PrepareThenFinalize) {
  Scenario s;
  s.name = "bookshop 2.0 -> 3.0 online";
  s.set_dir = BookshopSet();
  s.setup = ShopAtTwoDotZero();
  s.steps = {{{"prepare"}}, {{"finalize"}}};
  s.points = CommonPoints();
  s.points.insert({"finalize.dry-run-done", "pivot.committed"});
  // PostgreSQL's backfill (V11) runs outside a transaction, journaled.
  if (!is_sqlite()) s.points.insert({"journal.started", "journal.statement", "journal.ran"});
  Sweep(s);
}

TEST_P(OnlineSweep, RollbackAfterPrepare) {
  Scenario s;
  s.name = "bookshop 3.0 prepared, rolled back";
  s.set_dir = BookshopSet();
  s.setup = ShopAtTwoDotZero();
  s.steps = {{{"prepare"}, /*faulted=*/false}, {{"rollback"}}};
  s.points = CommonPoints();
  Sweep(s);
}

// With several databases, finalize pivots them one after another: killed
// between two pivots, one database has pivoted and the other is still
// prepared; status says so for each, and finalize run again completes the
// second without touching the first.
TEST_P(OnlineSweep, FinalizeKilledBetweenTwoDatabases) {
  const std::string start = ExtraDatabase();
  ShopAtTwoDotZero()(start);
  ASSERT_FALSE(HasFatalFailure());
  WaitUntilIdle(start);
  const std::string reference = ExtraDatabase(start);
  for (const char* command : {"prepare", "finalize"}) {
    ASSERT_EQ(RatchetOn(BookshopSet(), reference, {command}).exit_code, 0);
  }
  WaitUntilIdle(reference);
  const DatabaseImage expected = TakeImage(reference);

  const std::string first = ExtraDatabase(start), second = ExtraDatabase(start);
  auto both = [&](const std::string& command) {
    return RunRatchet({command, "--set", BookshopSet().string(), "--db", first, "--db", second},
                      {});
  };
  ASSERT_EQ(both("prepare").exit_code, 0);
  RunResult killed =
      RunRatchet({"finalize", "--set", BookshopSet().string(), "--db", first, "--db", second},
                 {"RATCHET_FAULT=pivot.committed:1"});
  ASSERT_EQ(killed.exit_code, fault::kFaultExitCode) << killed.all();
  WaitUntilIdle(first);
  WaitUntilIdle(second);

  RunResult pivoted = RatchetOn(BookshopSet(), first, {"status"});
  EXPECT_THAT(pivoted.out, HasSubstr("Status:      active\n"));
  EXPECT_THAT(pivoted.out, HasSubstr("Pivoted:     yes"));
  EXPECT_THAT(pivoted.out, Not(HasSubstr("Next:")));
  RunResult waiting = RatchetOn(BookshopSet(), second, {"status"});
  EXPECT_THAT(waiting.out, HasSubstr("Status:      prepared\n"));
  EXPECT_THAT(waiting.out, HasSubstr("Pivoted:     no\n"));
  EXPECT_THAT(waiting.out, HasSubstr("Next:        ratchet finalize"));
  // Rollback refuses the database that pivoted.
  RunResult refused = RatchetOn(BookshopSet(), first, {"rollback"});
  EXPECT_EQ(refused.exit_code, 5) << refused.all();

  RunResult again = both("finalize");
  ASSERT_EQ(again.exit_code, 0) << again.all();
  EXPECT_THAT(again.all(), HasSubstr("pivoted earlier: skipped"));
  for (const std::string& db : {first, second}) {
    DatabaseImage actual = TakeImage(db);
    EXPECT_EQ(actual, expected) << db << "\n" << DescribeDifference(expected, actual);
  }
}

}  // namespace
}  // namespace ratchet::testing
