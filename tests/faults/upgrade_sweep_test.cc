// `ratchet upgrade` killed at every fault point converges: the bookshop from
// a live 1.0 shop and from nothing, a set with non-transactional items, and
// on PostgreSQL the resume of a failed concurrent index build.
#include <gtest/gtest.h>

#include "faults/fault_sweep.h"

namespace ratchet::testing {
namespace {

class UpgradeSweep : public FaultSweep {
 protected:
  // The points every upgrade passes on this engine.
  std::set<std::string> UpgradePoints() const {
    std::set<std::string> points = {"statement.before", "statement.after", "commit.before",
                                    "commit.after"};
    if (!is_sqlite()) points.insert("pipeline.sent");
    return points;
  }

  // The bookshop's points: on PostgreSQL its 3.0 backfill (V11) runs
  // outside a transaction, journaled.
  std::set<std::string> BookshopPoints() const {
    std::set<std::string> points = UpgradePoints();
    if (!is_sqlite()) points.insert({"journal.started", "journal.statement", "journal.ran"});
    return points;
  }

  // A set of notes with a non-transactional item in the middle: an index
  // built concurrently on PostgreSQL, VACUUM on SQLite; then an item marked
  // `transaction none` whose statements are each idempotent; then an
  // ordinary item that needs both.
  std::filesystem::path WriteNonTransactionalSet() {
    WriteSet({{"V1__1__notes.sql",
               "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);\n"
               "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 500)\n"
               "INSERT INTO notes (id, body) SELECT n, 'note ' || n FROM g;\n"},
              {"V2__2__index_notes.postgresql.sql",
               "CREATE INDEX CONCURRENTLY IF NOT EXISTS notes_body_idx ON notes (body);\n"},
              {"V2__2__index_notes.sqlite.sql", "VACUUM;\n"},
              {"V3__3__tags.sql",
               "-- ratchet: transaction none\n"
               "CREATE TABLE IF NOT EXISTS tags (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"
               "INSERT INTO tags (id, name) SELECT 1, 'draft'\n"
               "  WHERE NOT EXISTS (SELECT 1 FROM tags WHERE id = 1);\n"
               "INSERT INTO tags (id, name) SELECT 2, 'final'\n"
               "  WHERE NOT EXISTS (SELECT 1 FROM tags WHERE id = 2);\n"
               "UPDATE notes SET body = upper(body) WHERE id <= 10 AND body <> upper(body);\n"},
              {"V4__4__tag_notes.sql",
               "ALTER TABLE notes ADD COLUMN tag_id INTEGER REFERENCES tags (id);\n"
               "UPDATE notes SET tag_id = CASE WHEN id % 2 = 0 THEN 2 ELSE 1 END;\n"}});
    return set_dir();
  }
};
RATCHET_ALL_ENGINES(UpgradeSweep);

TEST_P(UpgradeSweep, BookshopFromALiveOneDotZeroShop) {
  Scenario s;
  s.name = "bookshop 1.0 -> 3.0";
  s.set_dir = BookshopSet();
  s.setup = [&](const std::string& db) {
    RunResult r = RatchetOn(s.set_dir, db, {"upgrade", "--to", "1.0"});
    ASSERT_EQ(r.exit_code, 0) << r.all();
    // The shop's own rows: V6 backfills their slugs, and none may be lost.
    ExecuteOn(db,
              "INSERT INTO authors (id, name) VALUES (4, 'Leo Tolstoy'), (5, 'George Eliot');\n"
              "INSERT INTO books (id, author_id, title, price_cents) VALUES\n"
              "  (4, 4, 'War and Peace', 1999), (5, 4, 'Anna Karenina', 1599),\n"
              "  (6, 5, 'Middlemarch', 1199);\n");
  };
  s.steps = {{{"upgrade"}}};
  s.points = BookshopPoints();
  Sweep(s);
}

TEST_P(UpgradeSweep, BookshopOnANewDatabase) {
  Scenario s;
  s.name = "bookshop new -> 3.0";
  s.set_dir = BookshopSet();
  s.setup = [](const std::string&) {};
  s.steps = {{{"upgrade"}}};
  s.points = BookshopPoints();
  Sweep(s);
}

TEST_P(UpgradeSweep, NonTransactionalItemsAreJournaledAndReRun) {
  Scenario s;
  s.name = "non-transactional items";
  s.set_dir = WriteNonTransactionalSet();
  s.setup = [&](const std::string& db) {
    RunResult r = RatchetOn(s.set_dir, db, {"upgrade", "--to", "V1"});
    ASSERT_EQ(r.exit_code, 0) << r.all();
  };
  s.steps = {{{"upgrade"}}};
  s.points = UpgradePoints();
  s.points.insert({"journal.started", "journal.statement", "journal.ran"});
  Sweep(s);
}

class PostgresUpgradeSweep : public UpgradeSweep {};
INSTANTIATE_TEST_SUITE_P(Engines, PostgresUpgradeSweep, ::testing::Values(EngineKind::kPostgres),
                         [](const auto&) { return std::string("Postgres"); });

TEST_P(PostgresUpgradeSweep, ResumingAFailedConcurrentIndexBuild) {
  Scenario s;
  s.name = "resume of a failed concurrent index build";
  WriteSet({{"V1__1__accounts.sql",
             "CREATE TABLE accounts (id integer PRIMARY KEY, email text NOT NULL);\n"
             "INSERT INTO accounts SELECT g, 'user' || g || '@example.com'\n"
             "  FROM generate_series(1, 300) g;\n"
             "INSERT INTO accounts VALUES (301, 'user1@example.com');\n"},
            {"V2__2__unique_email.sql",
             "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS accounts_email_key\n"
             "  ON accounts (email);\n"},
            {"V3__3__email_lookup.sql",
             "CREATE VIEW account_emails AS SELECT id, lower(email) AS email FROM accounts;\n"}});
  s.set_dir = set_dir();
  s.setup = [&](const std::string& db) {
    // The duplicate makes the build fail, leaving an INVALID index behind;
    // the operator then removes the duplicate and runs ratchet again.
    RunResult failed = RatchetOn(s.set_dir, db, {"upgrade"});
    ASSERT_EQ(failed.exit_code, 1) << failed.all();
    ExecuteOn(db, "DELETE FROM accounts WHERE id = 301;\n");
  };
  s.steps = {{{"upgrade"}}};
  s.points = UpgradePoints();
  s.points.insert({"journal.started", "journal.statement", "journal.ran", "index.dropped"});
  Sweep(s);
}

}  // namespace
}  // namespace ratchet::testing
