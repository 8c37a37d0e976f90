// The name conflicts check on SQLite and PostgreSQL: sets that apply cleanly
// are not refused (drops that take indexes, constraints and dependents
// along, subcommands in order, renames, schemas, quoted names), what ratchet
// cannot see is a warning, and a genuine conflict stays a problem.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "snapshot/checks_fixture.h"

namespace ratchet::testing {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

class NameConflicts : public ChecksTest {
 protected:
  // How many objects of the database are called `name`: relations,
  // triggers, constraints and types (PostgreSQL), or sqlite_schema rows.
  int Named(const std::string& name) {
    if (is_sqlite()) {
      return std::stoi(Value("SELECT count(*) FROM sqlite_schema WHERE name = '" + name + "'"));
    }
    return std::stoi(Value("SELECT (SELECT count(*) FROM pg_class WHERE relname = '" + name +
                           "') + (SELECT count(*) FROM pg_trigger WHERE tgname = '" + name +
                           "') + (SELECT count(*) FROM pg_constraint WHERE conname = '" + name +
                           "') + (SELECT count(*) FROM pg_type WHERE typname = '" + name +
                           "' AND typtype <> 'c')"));
  }

  // Checks the set on a database that has none of it and on one at V1,
  // expecting name conflicts to find nothing either time, then upgrades.
  void ExpectNoConflictsAndUpgrade() {
    Load("CREATE TABLE unrelated (id INTEGER);\n");
    RunResult fresh = Ratchet("check");
    EXPECT_EQ(fresh.exit_code, 0) << fresh.all();
    EXPECT_THAT(fresh.out, ContainsRegex("name conflicts +ok\n")) << fresh.out;
    ASSERT_EQ(Ratchet("upgrade", {"--to", "V1"}).exit_code, 0);
    RunResult live = Ratchet("check");
    EXPECT_EQ(live.exit_code, 0) << live.all();
    EXPECT_THAT(live.out, ContainsRegex("name conflicts +ok\n")) << live.out;
    RunResult upgrade = Ratchet("upgrade");
    ASSERT_EQ(upgrade.exit_code, 0) << upgrade.all();
  }

  std::string Trigger(const std::string& name, const std::string& table) const {
    if (is_sqlite()) {
      return "CREATE TRIGGER " + name + " AFTER INSERT ON " + table + " BEGIN SELECT 1; END;\n";
    }
    return "CREATE TRIGGER " + name + " AFTER INSERT ON " + table +
           " FOR EACH ROW EXECUTE FUNCTION touch();\n";
  }

  std::string TouchFunction() const {
    return is_sqlite() ? ""
                       : "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS "
                         "$$ BEGIN RETURN NEW; END $$;\n";
  }
};
RATCHET_ALL_ENGINES(NameConflicts);

TEST_P(NameConflicts, DroppingATableFreesItsIndexesAndTriggers) {
  WriteSet({{"V1__1__t.sql", TouchFunction() +
                                 "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER);\n"
                                 "CREATE INDEX t_v_idx ON t (v);\n" +
                                 Trigger("t_touch", "t")},
            {"V2__2__t_again.sql",
             "DROP TABLE t;\n"
             "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER);\n"
             "CREATE INDEX t_v_idx ON t (v);\n" +
                 Trigger("t_touch", "t")}});
  ExpectNoConflictsAndUpgrade();
  EXPECT_EQ(Named("t_v_idx"), 1);
  EXPECT_EQ(Named("t_touch"), 1);
}

TEST_P(NameConflicts, DroppingATableFreesItsConstraintsSequencesAndRowType) {
  if (is_sqlite()) GTEST_SKIP() << "constraints, sequences and row types are PostgreSQL's";
  WriteSet({{"V1__1__t.sql",
             "CREATE TABLE t (id serial PRIMARY KEY, v int CONSTRAINT t_v_check CHECK (v > 0));\n"
             "CREATE INDEX t_v_idx ON t (v);\n"},
            {"V2__2__t_again.sql",
             "DROP TABLE t;\n"
             "CREATE TYPE t AS (a int);\n"
             "DROP TYPE t;\n"
             "CREATE SEQUENCE t_id_seq;\n"
             "CREATE TABLE t (id int DEFAULT nextval('t_id_seq'), v int);\n"
             "ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY (id), "
             "ADD CONSTRAINT t_v_check CHECK (v > 0);\n"
             "CREATE INDEX t_v_idx ON t (v);\n"}});
  ExpectNoConflictsAndUpgrade();
  EXPECT_EQ(Named("t_pkey"), 2);  // the index and its constraint
  EXPECT_EQ(Named("t_id_seq"), 1);
  EXPECT_EQ(Named("t_v_check"), 1);
}

TEST_P(NameConflicts, DroppingAMaterializedViewFreesItsIndexes) {
  if (is_sqlite()) GTEST_SKIP() << "SQLite has no materialized views";
  WriteSet({{"V1__1__mv.sql",
             "CREATE TABLE t (id int);\n"
             "CREATE MATERIALIZED VIEW mv AS SELECT id FROM t;\n"
             "CREATE UNIQUE INDEX mv_id_idx ON mv (id);\n"},
            {"V2__2__mv_again.sql",
             "DROP MATERIALIZED VIEW mv;\n"
             "CREATE MATERIALIZED VIEW mv AS SELECT id FROM t;\n"
             "CREATE UNIQUE INDEX mv_id_idx ON mv (id);\n"}});
  ExpectNoConflictsAndUpgrade();
  EXPECT_EQ(Named("mv_id_idx"), 1);
}

TEST_P(NameConflicts, CascadeFreesTheDependents) {
  if (is_sqlite()) GTEST_SKIP() << "SQLite has no CASCADE";
  WriteSet({{"V1__1__views.sql",
             "CREATE TABLE t (id int);\n"
             "CREATE VIEW v AS SELECT * FROM t;\n"
             "CREATE MATERIALIZED VIEW mv AS SELECT * FROM v;\n"
             "CREATE VIEW vv AS WITH x AS (SELECT * FROM mv) SELECT * FROM x;\n"},
            {"V2__2__views_again.sql",
             "DROP VIEW v CASCADE;\n"
             "CREATE VIEW v AS SELECT * FROM t;\n"
             "CREATE MATERIALIZED VIEW mv AS SELECT * FROM v;\n"
             "CREATE VIEW vv AS SELECT * FROM mv;\n"}});
  ExpectNoConflictsAndUpgrade();
  EXPECT_EQ(Named("mv"), 1);
  EXPECT_EQ(Named("vv"), 1);
}

TEST_P(NameConflicts, AlterTableSubcommandsTakeEffectInOrder) {
  if (is_sqlite()) GTEST_SKIP() << "SQLite's ALTER TABLE has one subcommand";
  WriteSet({{"V1__1__fk.sql",
             "CREATE TABLE p (id int PRIMARY KEY);\n"
             "CREATE TABLE c (id int, pid int);\n"
             "ALTER TABLE c ADD CONSTRAINT c_pid_fk FOREIGN KEY (pid) REFERENCES p (id);\n"},
            {"V2__2__fk_again.sql",
             "ALTER TABLE c DROP CONSTRAINT c_pid_fk, "
             "ADD CONSTRAINT c_pid_fk FOREIGN KEY (pid) REFERENCES p (id);\n"}});
  ExpectNoConflictsAndUpgrade();
  EXPECT_EQ(Named("c_pid_fk"), 1);
}

TEST_P(NameConflicts, RenamingATableMovesItsIndexesAndTriggers) {
  WriteSet({{"V1__1__t.sql", TouchFunction() +
                                 "CREATE TABLE t (id INTEGER, v INTEGER);\n"
                                 "CREATE INDEX t_v_idx ON t (v);\n" +
                                 Trigger("t_touch", "t")},
            {"V2__2__swap.sql",
             "ALTER TABLE t RENAME TO t_old;\n"
             "CREATE TABLE t (id INTEGER, v INTEGER);\n"
             "DROP TABLE t_old;\n"
             "CREATE INDEX t_v_idx ON t (v);\n" +
                 Trigger("t_touch", "t")}});
  ExpectNoConflictsAndUpgrade();
  EXPECT_EQ(Named("t_old"), 0);
  EXPECT_EQ(Named("t_v_idx"), 1);
  EXPECT_EQ(Named("t_touch"), 1);
}

TEST_P(NameConflicts, RenamesFreeTheOldNameAndTakeTheNewOne) {
  if (is_sqlite()) GTEST_SKIP() << "constraint, index and view renames are PostgreSQL's";
  WriteSet({{"V1__1__t.sql",
             "CREATE TABLE t (id int, v int);\n"
             "CREATE INDEX t_v_idx ON t (v);\n"
             "ALTER TABLE t ADD CONSTRAINT t_v_check CHECK (v > 0);\n"
             "CREATE VIEW tv AS SELECT id FROM t;\n"},
            {"V2__2__renames.sql",
             "ALTER TABLE t RENAME TO t_old;\n"
             "ALTER INDEX t_v_idx RENAME TO t_old_v_idx;\n"
             "ALTER TABLE t_old RENAME CONSTRAINT t_v_check TO t_old_v_check;\n"
             "ALTER VIEW tv RENAME TO tv_old;\n"
             "ALTER TABLE t_old RENAME COLUMN v TO w;\n"
             "CREATE TABLE t (id int, v int);\n"
             "CREATE INDEX t_v_idx ON t (v);\n"
             "ALTER TABLE t ADD CONSTRAINT t_v_check CHECK (v > 0);\n"
             "CREATE VIEW tv AS SELECT id FROM t;\n"
             "ALTER TABLE t_old ADD COLUMN v int;\n"}});
  ExpectNoConflictsAndUpgrade();
  EXPECT_EQ(Named("t_old_v_idx"), 1);
  EXPECT_EQ(Named("t_old_v_check"), 1);
  EXPECT_EQ(Named("t_v_check"), 1);
  EXPECT_EQ(Named("tv_old"), 1);
  EXPECT_EQ(Value("SELECT count(*) FROM information_schema.columns WHERE table_name = 't_old'"),
            "3");
}

TEST_P(NameConflicts, IfExistsIfNotExistsAndOrReplaceAreHonoured) {
  std::string replace = is_sqlite() ? "" : "CREATE OR REPLACE VIEW v AS SELECT id FROM t;\n";
  WriteSet({{"V1__1__t.sql", "CREATE TABLE t (id INTEGER);\nCREATE VIEW v AS SELECT id FROM t;\n"},
            {"V2__2__again.sql",
             "DROP TABLE IF EXISTS never_made;\n"
             "DROP VIEW IF EXISTS v;\n"
             "CREATE VIEW v AS SELECT id FROM t;\n" +
                 replace +
                 "CREATE TABLE IF NOT EXISTS t (id INTEGER);\n"
                 "CREATE INDEX IF NOT EXISTS t_id_idx ON t (id);\n"
                 "CREATE INDEX IF NOT EXISTS t_id_idx ON t (id);\n"}});
  Load("CREATE TABLE unrelated (id INTEGER);\n");
  RunResult fresh = Ratchet("check");
  EXPECT_EQ(fresh.exit_code, 0) << fresh.all();
  EXPECT_THAT(fresh.out, ContainsRegex("name conflicts +ok\n"));
  ASSERT_EQ(Ratchet("upgrade", {"--to", "V1"}).exit_code, 0);
  RunResult live = Ratchet("check");
  EXPECT_EQ(live.exit_code, 0) << live.all();
  // t exists, and V2 does not drop it: IF NOT EXISTS keeps the old one.
  EXPECT_THAT(live.out, HasSubstr("warning  V2 items/V2__2__again.sql:" +
                                  std::string(is_sqlite() ? "4" : "5") +
                                  ":1: table t exists already: IF NOT EXISTS keeps"));
  EXPECT_THAT(live.out, ContainsRegex("name conflicts +1 warning\\(s\\)\n"));
  ASSERT_EQ(Ratchet("upgrade").exit_code, 0);
  EXPECT_EQ(Named("t_id_idx"), 1);
  EXPECT_EQ(Named("v"), 1);
}

TEST_P(NameConflicts, DroppingASchemaWithCascadeFreesEverythingInIt) {
  if (is_sqlite()) GTEST_SKIP() << "SQLite has no schemas to drop";
  WriteSet({{"V1__1__s.sql",
             "CREATE SCHEMA s;\n"
             "CREATE TABLE s.t (id int PRIMARY KEY);\n"
             "CREATE INDEX t_id_idx ON s.t (id);\n"
             "CREATE TABLE t (id int);\n"},
            {"V2__2__s_again.sql",
             "DROP SCHEMA s CASCADE;\n"
             "CREATE SCHEMA s;\n"
             "CREATE TABLE s.t (id int PRIMARY KEY);\n"
             "CREATE INDEX t_id_idx ON s.t (id);\n"
             "CREATE INDEX t_id_idx ON public.t (id);\n"}});
  ExpectNoConflictsAndUpgrade();
  EXPECT_EQ(Named("t_id_idx"), 2);  // one in each schema
}

TEST_P(NameConflicts, QuotedNamesAreFoldedAsTheEngineFoldsThem) {
  WriteSet({{"V1__1__orders.sql", "CREATE TABLE \"Orders\" (id INTEGER);\n"},
            {"V2__2__orders.sql", "CREATE TABLE orders (id INTEGER);\n"},
            {"V3__3__orders.sql",
             "CREATE TABLE Orders_Archive (id INTEGER);\n"
             "CREATE TABLE \"orders_archive\" (id INTEGER);\n"}});
  Load("CREATE TABLE unrelated (id INTEGER);\n");
  RunResult r = Ratchet("check");
  EXPECT_EQ(r.exit_code, 3) << r.all();
  // Unquoted names fold to lower case on both engines.
  EXPECT_THAT(r.out, HasSubstr("problem  V3 items/V3__3__orders.sql:2:1: table orders_archive is "
                               "created twice in this upgrade"));
  if (is_sqlite()) {
    // SQLite ignores case even in quoted names.
    EXPECT_THAT(r.out, HasSubstr("problem  V2 items/V2__2__orders.sql:1:1: table orders is "
                                 "created twice in this upgrade"));
  } else {
    EXPECT_THAT(r.out, Not(HasSubstr("V2 items")));  // "Orders" and orders differ
    ASSERT_EQ(Ratchet("upgrade", {"--to", "V2"}).exit_code, 0);
    EXPECT_EQ(Named("Orders"), 1);
    EXPECT_EQ(Named("orders"), 1);
  }
}

TEST_P(NameConflicts, WhatADoBlockOrAFunctionMayCreateIsAWarning) {
  if (is_sqlite()) GTEST_SKIP() << "SQLite has no DO blocks or functions that create tables";
  WriteSet({{"V1__1__base.sql", "CREATE TABLE base (id int);\n"},
            {"V2__2__do.sql",
             "DO $$ BEGIN\n"
             "  IF NOT EXISTS (SELECT 1 FROM pg_class WHERE relname = 'legacy') THEN\n"
             "    CREATE TABLE legacy (id int);\n"
             "  END IF;\n"
             "END $$;\n"},
            {"V3__3__legacy.sql", "CREATE TABLE legacy (id int);\n"},
            {"V4__4__maker.sql",
             "CREATE FUNCTION make_things() RETURNS void LANGUAGE plpgsql AS\n"
             "  $$ BEGIN CREATE TABLE made (id int); END $$;\n"
             "SELECT make_things();\n"},
            {"V5__5__made.sql", "CREATE TABLE made (id int);\n"}});
  ASSERT_EQ(Ratchet("upgrade", {"--to", "V1"}).exit_code, 0);
  RunResult r = Ratchet("check");
  EXPECT_EQ(r.exit_code, 0) << r.all();
  EXPECT_THAT(r.out, HasSubstr("warning  V3 items/V3__3__legacy.sql:1:1: table legacy may exist "
                               "when this statement runs, and then the statement fails: a DO "
                               "block at V2 (items/V2__2__do.sql:1:1) names it and may create "
                               "it"));
  EXPECT_THAT(r.out, HasSubstr("warning  V5 items/V5__5__made.sql:1:1: table made may exist"));
  EXPECT_THAT(r.out, HasSubstr("a call of make_things() at V4 (items/V4__4__maker.sql:3:1)"));
  EXPECT_THAT(r.out, ContainsRegex("name conflicts +2 warning\\(s\\)\n"));
  EXPECT_EQ(Ratchet("check", {"--strict"}).exit_code, 3);
  // The warning was right: the DO block made legacy, and V3 fails.
  EXPECT_NE(Ratchet("upgrade", {"--to", "V3"}).exit_code, 0);
  EXPECT_EQ(Named("legacy"), 1);
}

TEST_P(NameConflicts, ACascadeRatchetDoesNotFollowMakesARecreateAWarning) {
  if (is_sqlite()) GTEST_SKIP() << "SQLite has no CASCADE";
  WriteSet({{"V1__1__t.sql",
             "CREATE TYPE mood AS ENUM ('ok');\n"
             "CREATE TABLE t (id int, m mood);\n"
             "CREATE INDEX t_id_idx ON t (id);\n"},
            {"V2__2__again.sql", "DROP TYPE mood CASCADE;\nCREATE INDEX t_id_idx ON t (id);\n"}});
  ASSERT_EQ(Ratchet("upgrade", {"--to", "V1"}).exit_code, 0);
  RunResult r = Ratchet("check");
  EXPECT_EQ(r.exit_code, 0) << r.all();
  EXPECT_THAT(r.out, HasSubstr("warning  V2 items/V2__2__again.sql:2:1: index t_id_idx may exist "
                               "when this statement runs"));
  EXPECT_THAT(r.out, HasSubstr("DROP ... CASCADE of type mood at V2"));
}

TEST_P(NameConflicts, GenuineConflictsAreStillProblems) {
  WriteSet({{"V1__1__t.sql", "CREATE TABLE t (id INTEGER);\n"},
            {"V2__2__clash.sql", "CREATE TABLE clash (id INTEGER);\n"},
            {"V3__3__index.sql",
             "CREATE TABLE other (id INTEGER);\n"
             "DROP TABLE other;\n"
             "CREATE INDEX clash_idx ON t (id);\n"},
            {"V4__4__rename.sql",
             "ALTER TABLE t RENAME TO renamed;\n"
             "CREATE TABLE renamed (id INTEGER);\n"}});
  ASSERT_EQ(Ratchet("upgrade", {"--to", "V1"}).exit_code, 0);
  Load("CREATE TABLE clash (id INTEGER);\nCREATE INDEX clash_idx ON clash (id);\n");
  RunResult r = Ratchet("check");
  EXPECT_EQ(r.exit_code, 3) << r.all();
  EXPECT_THAT(r.out, HasSubstr("problem  V2 items/V2__2__clash.sql:1:1: table clash cannot be "
                               "created: a table of that name exists already"));
  EXPECT_THAT(r.out, HasSubstr("problem  V3 items/V3__3__index.sql:3:1: index clash_idx cannot be "
                               "created: an index of that name exists already"));
  EXPECT_THAT(r.out, HasSubstr("problem  V4 items/V4__4__rename.sql:2:1: table renamed is created "
                               "twice in this upgrade: V4 (items/V4__4__rename.sql:1:1) creates it "
                               "already"));
  EXPECT_THAT(r.out, ContainsRegex("name conflicts +3 problem\\(s\\)\n"));
  RunResult upgrade = Ratchet("upgrade");
  EXPECT_EQ(upgrade.exit_code, 3) << upgrade.all();
  EXPECT_EQ(Named("t"), 1);
  EXPECT_EQ(Named("renamed"), 0);
}

}  // namespace
}  // namespace ratchet::testing
