// The privileges family of check: what an ordinary role lacks is a problem
// naming the statement, the object's owner and the GRANT; what only
// prepare --freeze and copy-upgrade need are warnings; a superuser, or the
// role once granted, has none.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/harness.h"

namespace ratchet::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class PostgresPrivileges : public EngineTest {};
INSTANTIATE_TEST_SUITE_P(Engines, PostgresPrivileges, ::testing::Values(EngineKind::kPostgres),
                         [](const auto&) { return std::string("Postgres"); });

TEST_P(PostgresPrivileges, CheckNamesWhatAnOrdinaryRoleLacksBeforeAnythingChanges) {
  auto admin = Open();
  ASSERT_TRUE(admin);
  for (const char* sql :
       {"DO $$ BEGIN CREATE ROLE ratchet_checker LOGIN; EXCEPTION WHEN duplicate_object THEN "
        "NULL; END $$",
        "ALTER ROLE ratchet_checker NOSUPERUSER NOCREATEDB",
        "CREATE TABLE accounts (id integer PRIMARY KEY)", "CREATE SCHEMA locked",
        "GRANT USAGE ON SCHEMA locked TO ratchet_checker",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        "GRANT USAGE ON SCHEMA public TO ratchet_checker"}) {
    Status s = admin->Execute(sql);
    ASSERT_TRUE(s.ok()) << sql << ": " << s.message();
  }
  auto dbname = admin->Query("SELECT current_database()");
  ASSERT_TRUE(dbname.ok());
  const std::string name = dbname->rows[0][0].value_or("");
  ASSERT_TRUE(admin->Execute("REVOKE CREATE ON DATABASE " + name + " FROM PUBLIC").ok());
  WriteSet({{"V1__1__accounts_note.sql", "ALTER TABLE accounts ADD COLUMN note text;\n"},
            {"V2__2__locked_table.sql", "CREATE TABLE locked.audit (id integer);\n"},
            {"V3__3__own_table.sql",
             "CREATE TABLE locked.mine (id integer);\nALTER TABLE locked.mine ADD COLUMN n int;\n"},
            {"V4__4__online.sql",
             "-- ratchet: prepare\nSELECT 1;\n-- ratchet: finalize\nSELECT 2;\n"
             "-- ratchet: rollback\nSELECT 3;\n"}});
  const std::string as_checker = db() + " user=ratchet_checker";

  RunResult r = RunRatchet({"check", "--set", set_dir().string(), "--db", as_checker});
  EXPECT_EQ(r.exit_code, 3) << r.all();
  EXPECT_THAT(r.out, HasSubstr("may not create the bookkeeping schema ratchet"));
  EXPECT_THAT(r.out, HasSubstr("V1 items/V1__1__accounts_note.sql:1:1: role ratchet_checker does "
                               "not own table public.accounts, which this statement changes "
                               "(its owner is "));
  EXPECT_THAT(r.out, HasSubstr("V2 items/V2__2__locked_table.sql:1:1: role ratchet_checker may "
                               "not create objects in schema locked: GRANT CREATE ON SCHEMA "
                               "locked TO ratchet_checker"));
  // V3 creates in the same schema: reported once, at V2; its ALTER of a
  // table V3 itself creates is no problem.
  EXPECT_THAT(r.out, Not(HasSubstr("V3 items/")));
  EXPECT_THAT(r.out, HasSubstr("'ratchet prepare --freeze' needs a superuser"));
  EXPECT_THAT(r.out, HasSubstr("'ratchet copy-upgrade' would be refused"));
  EXPECT_THAT(r.out, HasSubstr("ALTER ROLE ratchet_checker CREATEDB"));
  EXPECT_THAT(r.out, HasSubstr("privileges           3 problem(s), 2 warning(s)"));
  // check changed nothing: no bookkeeping, no column.
  EXPECT_EQ(Value("SELECT count(*) FROM pg_namespace WHERE nspname = 'ratchet'"), "0");
  EXPECT_EQ(Value("SELECT count(*) FROM information_schema.columns WHERE table_name = "
                  "'accounts' AND column_name = 'note'"),
            "0");

  // The administrator has none of these problems.
  RunResult super = Ratchet("check");
  EXPECT_EQ(super.exit_code, 0) << super.all();
  EXPECT_THAT(super.out, HasSubstr("privileges           ok"));

  // Granted what it lacked, the role has only the warnings, and upgrades.
  for (std::string sql : {"GRANT CREATE ON DATABASE " + name + " TO ratchet_checker",
                          std::string("ALTER TABLE accounts OWNER TO ratchet_checker"),
                          std::string("GRANT CREATE ON SCHEMA locked TO ratchet_checker")}) {
    ASSERT_TRUE(admin->Execute(sql).ok()) << sql;
  }
  RunResult granted = RunRatchet({"check", "--set", set_dir().string(), "--db", as_checker});
  EXPECT_EQ(granted.exit_code, 0) << granted.all();
  EXPECT_THAT(granted.out, HasSubstr("privileges           2 warning(s)"));
  RunResult upgrade = RunRatchet({"upgrade", "--set", set_dir().string(), "--db", as_checker});
  EXPECT_EQ(upgrade.exit_code, 0) << upgrade.all();
  EXPECT_EQ(Value("SELECT count(*) FROM information_schema.columns WHERE table_name = "
                  "'accounts' AND column_name = 'note'"),
            "1");
  ASSERT_TRUE(admin->Execute("GRANT CREATE ON SCHEMA public TO PUBLIC").ok());
  ASSERT_TRUE(admin->Execute("GRANT CREATE ON DATABASE " + name + " TO PUBLIC").ok());
}

}  // namespace
}  // namespace ratchet::testing
