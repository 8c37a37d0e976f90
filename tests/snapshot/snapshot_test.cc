// `ratchet snapshot` on SQLite and PostgreSQL: what a snapshot holds and
// leaves out, its JSON form, and how two snapshots differ.
#include "ratchet/snapshot.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "snapshot/checks_fixture.h"

namespace ratchet::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

class SnapshotCommand : public ChecksTest {};
RATCHET_ALL_ENGINES(SnapshotCommand);

TEST_P(SnapshotCommand, DescribesTheBookshopAndLeavesOutBookkeeping) {
  CopyBookshop();
  ASSERT_EQ(Ratchet("upgrade").exit_code, 0);
  RunResult r = Ratchet("snapshot");
  ASSERT_EQ(r.exit_code, 0) << r.all();
  EXPECT_THAT(r.out, HasSubstr("table books\n  column order: id, author_id, title, price_cents, "
                               "isbn, slug\n"));
  EXPECT_THAT(r.out, HasSubstr("column books.price_cents\n"));
  EXPECT_THAT(r.out, HasSubstr("  default: 0\n"));
  EXPECT_THAT(r.out, HasSubstr("view author_sales\n"));
  EXPECT_THAT(r.out, HasSubstr("trigger books_price_audit on books\n"));
  EXPECT_THAT(r.out, HasSubstr("index books_title_lower_idx on books\n"));
  // The primary key is known by what it is, not by a name the engine chose.
  EXPECT_THAT(r.out, HasSubstr("  definition: PRIMARY KEY (id)\n"));
  EXPECT_THAT(r.out, Not(HasSubstr("items")));
  EXPECT_THAT(r.out, Not(HasSubstr("events")));
  EXPECT_THAT(r.out, Not(HasSubstr("upgrade_id")));
  if (!is_sqlite()) {
    EXPECT_THAT(r.out, HasSubstr("function books_price_audit()\n"));
    EXPECT_THAT(r.out, HasSubstr("  language: plpgsql\n"));
    EXPECT_THAT(r.out, Not(HasSubstr("schema ratchet")));
  }
}

TEST_P(SnapshotCommand, JsonReadsBackAndADatabaseEqualsItsOwnSnapshot) {
  CopyBookshop();
  ASSERT_EQ(Ratchet("upgrade", {"--to", "1.1"}).exit_code, 0);
  RunResult json = Ratchet("snapshot", {"--json"});
  ASSERT_EQ(json.exit_code, 0) << json.all();
  auto parsed = nlohmann::json::parse(json.out);
  EXPECT_EQ(parsed["engine"], is_sqlite() ? "sqlite" : "postgresql");
  EXPECT_FALSE(parsed["objects"].empty());
  std::filesystem::path saved = dir() / "at-1.1.json";
  WriteFile(saved, json.out);

  RunResult same = Ratchet("snapshot", {"--diff", saved.string()});
  EXPECT_EQ(same.exit_code, 0) << same.all();
  EXPECT_THAT(same.out, HasSubstr("have the same schema"));

  ASSERT_EQ(Ratchet("upgrade").exit_code, 0);
  RunResult later = Ratchet("snapshot", {"--diff", saved.string()});
  EXPECT_EQ(later.exit_code, 3) << later.all();
  EXPECT_THAT(later.out, HasSubstr("table orders: only in"));
  EXPECT_THAT(later.out, HasSubstr("column books.slug: only in"));
}

TEST_P(SnapshotCommand, DiffReadsObjectByObject) {
  WriteSet({});
  Load(
      "CREATE TABLE orders (id INTEGER PRIMARY KEY, status TEXT NOT NULL DEFAULT 'new', "
      "note TEXT);\n"
      "CREATE INDEX orders_status_idx ON orders (status);\n");
  // The same table built differently: a wider type, no default, a NOT NULL
  // and an extra index.
  ScratchDir other_dir;
  std::string other;
  std::unique_ptr<Connection> conn;
  if (is_sqlite()) {
    other = "sqlite:" + (other_dir.path() / "other.db").string();
    auto target = ParseTarget(other);
    auto made = Connect(*target, {});
    ASSERT_TRUE(made.ok());
    conn = std::move(*made);
  } else {
    auto admin = ParseTarget(std::getenv("RATCHET_TEST_PG"));
    auto admin_conn = Connect(*admin, {});
    ASSERT_TRUE(admin_conn.ok());
    std::string name = "ratchet_snapshot_other_" + std::to_string(getpid());
    ASSERT_TRUE((*admin_conn)->Execute("DROP DATABASE IF EXISTS " + name).ok());
    ASSERT_TRUE((*admin_conn)->Execute("CREATE DATABASE " + name).ok());
    other = db().substr(0, db().rfind("dbname=")) + "dbname=" + name;
    auto made = Connect(*ParseTarget(other), {});
    ASSERT_TRUE(made.ok());
    conn = std::move(*made);
  }
  ASSERT_TRUE(conn->ExecuteScript(
                      "CREATE TABLE orders (id INTEGER PRIMARY KEY, status VARCHAR(20) NOT NULL, "
                      "note TEXT NOT NULL);\n"
                      "CREATE INDEX orders_status_idx ON orders (status);\n"
                      "CREATE INDEX orders_note_idx ON orders (note);\n")
                  .ok());
  conn.reset();

  RunResult r = Ratchet("snapshot", {"--diff", other});
  EXPECT_EQ(r.exit_code, 3) << r.all();
  const std::string wider = is_sqlite() ? "TEXT → VARCHAR(20)" : "text → character varying(20)";
  EXPECT_THAT(r.out, HasSubstr("column orders.status: type " + wider + "\n"));
  EXPECT_THAT(r.out, HasSubstr("column orders.status: default 'new'"));
  EXPECT_THAT(r.out, HasSubstr("→ (none)\n"));
  EXPECT_THAT(r.out, HasSubstr("column orders.note: nullable yes → no\n"));
  EXPECT_THAT(r.out, HasSubstr("index orders_note_idx on orders: only in"));
  EXPECT_THAT(r.out, HasSubstr("4 difference(s)"));
  if (!is_sqlite()) {
    auto admin = Connect(*ParseTarget(std::getenv("RATCHET_TEST_PG")), {});
    ASSERT_TRUE(admin.ok());
    (*admin)->Execute("DROP DATABASE IF EXISTS ratchet_snapshot_other_" + std::to_string(getpid()) +
                      " WITH (FORCE)");
  }
}

TEST_P(SnapshotCommand, NamesTheEngineChoseAndSpacingDoNotCount) {
  WriteSet({});
  // The constraint names PostgreSQL picks depend on what exists already;
  // SQLite stores the CREATE text as written.
  Load(is_sqlite() ? "CREATE TABLE t (a INTEGER UNIQUE, b TEXT CHECK (b <> ''));\n"
                     "CREATE INDEX t_b ON t (b);\n"
                   : "CREATE TABLE t_a_key (x INTEGER);\n"
                     "CREATE TABLE t (a INTEGER UNIQUE, b TEXT CHECK (b <> ''));\n"
                     "DROP TABLE t_a_key;\n"
                     "CREATE INDEX t_b ON t (b);\n");
  std::filesystem::path saved = dir() / "one.json";
  RunResult first = Ratchet("snapshot", {"--json"});
  ASSERT_EQ(first.exit_code, 0) << first.all();
  WriteFile(saved, first.out);
  if (!is_sqlite()) {
    // The first build named the unique constraint t_a_key1.
    EXPECT_THAT(first.out, HasSubstr("t_a_key1"));
  }
  Load(
      "DROP TABLE t;\n"
      "create table T (\n  a integer unique,\n  b text check(b<>'') -- not empty\n);\n"
      "create index T_B on T(B);\n");
  RunResult again = Ratchet("snapshot", {"--diff", saved.string()});
  EXPECT_EQ(again.exit_code, 0) << again.all();
  EXPECT_THAT(again.out, HasSubstr("have the same schema"));
}

TEST_P(SnapshotCommand, ACommentOrAGrantIsADifferenceOnPostgres) {
  if (is_sqlite()) GTEST_SKIP() << "SQLite has neither comments nor grants";
  WriteSet({});
  Load("CREATE TABLE t (a INTEGER);\n");
  std::filesystem::path saved = dir() / "plain.json";
  WriteFile(saved, Ratchet("snapshot", {"--json"}).out);
  Load(
      "COMMENT ON COLUMN t.a IS 'the answer';\n"
      "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ratchet_reader') "
      "THEN CREATE ROLE ratchet_reader; END IF; END $$;\n"
      "GRANT SELECT ON t TO ratchet_reader;\n");
  RunResult r = Ratchet("snapshot", {"--diff", saved.string()});
  EXPECT_EQ(r.exit_code, 3) << r.all();
  EXPECT_THAT(r.out, HasSubstr("column t.a: comment the answer → (none)"));
  EXPECT_THAT(r.out, HasSubstr("table t: grants ratchet_reader SELECT → (none)"));
}

TEST_P(SnapshotCommand, PostgresObjectsOfEveryKindCompareByMeaning) {
  if (is_sqlite()) GTEST_SKIP() << "types, domains, sequences and policies are PostgreSQL's";
  WriteSet({});
  Load(
      "CREATE SCHEMA sales;\n"
      "CREATE TYPE sales.mood AS ENUM ('sad', 'ok', 'happy');\n"
      "CREATE DOMAIN sales.cents AS integer NOT NULL CHECK (VALUE >= 0);\n"
      "CREATE TABLE sales.orders (id serial PRIMARY KEY, n bigint GENERATED ALWAYS AS IDENTITY,"
      " total sales.cents, mood sales.mood DEFAULT 'ok', note text COLLATE \"C\");\n"
      "CREATE MATERIALIZED VIEW sales.totals AS SELECT mood, sum(total) AS total FROM "
      "sales.orders GROUP BY mood;\n"
      "ALTER TABLE sales.orders ENABLE ROW LEVEL SECURITY;\n"
      "CREATE POLICY own ON sales.orders USING (mood <> 'sad');\n"
      "CREATE FUNCTION sales.double(x integer) RETURNS integer LANGUAGE sql IMMUTABLE AS "
      "'SELECT x * 2';\n");
  RunResult text = Ratchet("snapshot");
  ASSERT_EQ(text.exit_code, 0) << text.all();
  EXPECT_THAT(text.out, HasSubstr("type sales.mood\n  enum: 'sad', 'ok', 'happy'\n"));
  EXPECT_THAT(text.out, HasSubstr("domain sales.cents\n  type: integer\n  nullable: no\n"));
  EXPECT_THAT(text.out, HasSubstr("sequence sales.orders_id_seq (owned by sales.orders.id)\n"));
  EXPECT_THAT(text.out, HasSubstr("  identity: GENERATED ALWAYS\n"));
  EXPECT_THAT(text.out, HasSubstr("  collation: C\n"));
  EXPECT_THAT(text.out, HasSubstr("materialized view sales.totals\n"));
  EXPECT_THAT(text.out, HasSubstr("policy own on sales.orders\n"));
  EXPECT_THAT(text.out, HasSubstr("function sales.double(x integer)\n"));
  EXPECT_THAT(text.out, HasSubstr("  volatility: immutable\n"));
  std::filesystem::path saved = dir() / "first.json";
  WriteFile(saved, Ratchet("snapshot", {"--json"}).out);

  // The same schema made in another order, with a body spaced differently,
  // and a sequence in the way of the name serial picks.
  Load(
      "DROP SCHEMA sales CASCADE;\n"
      "CREATE SCHEMA sales;\n"
      "CREATE SEQUENCE sales.orders_id_seq;\n"
      "CREATE FUNCTION sales.double(x integer) RETURNS integer LANGUAGE sql IMMUTABLE AS "
      "'SELECT   x * 2';\n"
      "CREATE DOMAIN sales.cents AS integer NOT NULL CHECK (VALUE >= 0);\n"
      "CREATE TYPE sales.mood AS ENUM ('sad', 'ok', 'happy');\n"
      "CREATE TABLE sales.orders (id serial PRIMARY KEY, n bigint GENERATED ALWAYS AS IDENTITY,"
      " total sales.cents, mood sales.mood DEFAULT 'ok', note text COLLATE \"C\");\n"
      "DROP SEQUENCE sales.orders_id_seq;\n"
      "CREATE MATERIALIZED VIEW sales.totals AS SELECT mood, sum(total) AS total FROM "
      "sales.orders GROUP BY mood;\n"
      "ALTER TABLE sales.orders ENABLE ROW LEVEL SECURITY;\n"
      "CREATE POLICY own ON sales.orders USING (mood <> 'sad');\n");
  RunResult again = Ratchet("snapshot", {"--diff", saved.string()});
  // The serial's sequence is now orders_id_seq1: it and the default that
  // calls it are known by the column they serve.
  EXPECT_EQ(again.exit_code, 0) << again.all();
  EXPECT_THAT(again.out, HasSubstr("have the same schema"));
  EXPECT_THAT(Ratchet("snapshot").out,
              HasSubstr("  default: nextval(sequence owned by sales.orders.id)\n"));
}

TEST(SnapshotJson, RejectsWhatIsNotASnapshot) {
  auto bad = SnapshotFromJson("{\"engine\": \"oracle\", \"objects\": []}");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("oracle"));
  EXPECT_FALSE(SnapshotFromJson("[1, 2").ok());
}

TEST(SnapshotDiff, ReportsEachPropertyOnceInOrder) {
  Snapshot a, b;
  a.objects.push_back({"column", "t.x", "t.x", {{"type", "text"}, {"default", "'a'"}}});
  b.objects.push_back({"column", "t.x", "t.x", {{"type", "integer"}}});
  b.objects.push_back(
      {"index", "INDEX ON t (x)", "t_x_idx on t", {{"definition", "INDEX ON t (x)"}}});
  std::vector<std::string> lines;
  for (const Difference& d : DiffSnapshots(a, b)) {
    lines.push_back(FormatDifference(d, {"a", "b"}));
  }
  EXPECT_THAT(lines,
              ElementsAre("column t.x: type text → integer", "column t.x: default 'a' → (none)",
                          "index t_x_idx on t: only in b (INDEX ON t (x))"));
}

}  // namespace
}  // namespace ratchet::testing
