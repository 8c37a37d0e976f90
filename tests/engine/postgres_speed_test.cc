// What ratchet's speed work on PostgreSQL keeps: durability at the end of a
// run, every item atomic with its row, and results equal to a plain run.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/harness.h"

namespace ratchet::testing {
namespace {

using ::testing::ElementsAre;

class PostgresSpeed : public EngineTest {
 protected:
  // ratchet with the session default synchronous_commit = on, whatever the
  // test server's own default is.
  RunResult RatchetSynchronous(const std::string& command, const std::vector<std::string>& extra) {
    std::vector<std::string> args = {command, "--set", set_dir().string(), "--db", db()};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunRatchet(args, {"PGOPTIONS=-c synchronous_commit=on"});
  }
};
INSTANTIATE_TEST_SUITE_P(Engines, PostgresSpeed, ::testing::Values(EngineKind::kPostgres),
                         [](const auto&) { return std::string("Postgres"); });

// A deferred constraint trigger fires inside COMMIT, so it sees the setting
// that the commit itself obeys.
constexpr char kCommitProbe[] = R"sql(
CREATE TABLE commit_log (seq serial PRIMARY KEY, what text NOT NULL, setting text NOT NULL);
CREATE FUNCTION log_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO public.commit_log (what, setting)
    VALUES (TG_ARGV[0], current_setting('synchronous_commit'));
  RETURN NULL;
END
$$;
CREATE TABLE probe (id integer);
CREATE CONSTRAINT TRIGGER probe_commit AFTER INSERT ON probe
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION log_commit('item');
)sql";

TEST_P(PostgresSpeed, ItemsCommitWithoutWaitingAndTheRunClosesWithASynchronousCommit) {
  WriteSet({{"V1__1__probe.sql", kCommitProbe},
            {"V2__2__first.sql", "INSERT INTO probe VALUES (2);\n"},
            {"V3__3__last.sql", "INSERT INTO probe VALUES (3);\n"}});
  RunResult first = RatchetSynchronous("upgrade", {"--to", "V1"});
  ASSERT_EQ(first.exit_code, 0) << first.all();
  // Every write of the state row from now on logs how its commit waits.
  Rows(
      "CREATE CONSTRAINT TRIGGER state_commit AFTER UPDATE ON ratchet.state"
      " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION log_commit('state')");

  RunResult run = RatchetSynchronous("upgrade", {});
  ASSERT_EQ(run.exit_code, 0) << run.all();
  // Neither the run's start nor its items waited for the disk; its closing
  // write (the state row: done) did, and it covers everything before it
  // because WAL is flushed in order.
  EXPECT_THAT(Rows("SELECT what || ' ' || setting FROM commit_log ORDER BY seq"),
              ElementsAre("state off", "item off", "item off", "state on"));
  // Each item still committed with its row.
  EXPECT_EQ(Value("SELECT string_agg(version, ',' ORDER BY major) FROM ratchet.items"
                  " WHERE phase = 'applied'"),
            "V1,V2,V3");
  EXPECT_EQ(Value("SELECT status FROM ratchet.state"), "active");
}

TEST_P(PostgresSpeed, AFailedItemLeavesNoRowAndTheFailureIsRecordedSynchronously) {
  WriteSet({{"V1__1__probe.sql", kCommitProbe},
            {"V2__2__good.sql", "INSERT INTO probe VALUES (2);\n"},
            {"V3__3__bad.sql", "INSERT INTO probe VALUES (3);\nINSERT INTO nosuch VALUES (1);\n"}});
  RunResult first = RatchetSynchronous("upgrade", {"--to", "V1"});
  ASSERT_EQ(first.exit_code, 0) << first.all();
  Rows(
      "CREATE CONSTRAINT TRIGGER state_commit AFTER UPDATE ON ratchet.state"
      " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION log_commit('state')");

  RunResult run = RatchetSynchronous("upgrade", {});
  EXPECT_EQ(run.exit_code, 1) << run.all();
  EXPECT_THAT(Rows("SELECT what || ' ' || setting FROM commit_log ORDER BY seq"),
              ElementsAre("state off", "item off", "state on"));
  EXPECT_THAT(Rows("SELECT id FROM probe ORDER BY id"), ElementsAre("2"));
  EXPECT_EQ(Value("SELECT count(*) FROM ratchet.items WHERE version = 'V3'"), "0");
  EXPECT_EQ(Value("SELECT status || ' ' || error_item FROM ratchet.state"), "failed-upgrade V3");
}

}  // namespace
}  // namespace ratchet::testing
