// Tests of the PostgreSQL Connection against a real server (see
// scripts/pg-test-server.sh): scripts, errors, locks, timeouts, connecting.
#include "engine/postgres/postgres_connection.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "engine/postgres/pg_parse.h"
#include "postgres/pg_test_database.h"

namespace ratchet::postgres {
namespace {

using std::chrono::milliseconds;

constexpr char kPassword[] = "s3cret-pw";

// Expects `status` to be a one-line kConnection failure that names no password.
void ExpectConnectionFailure(const Status& status, const std::string& must_contain) {
  EXPECT_EQ(status.code(), Code::kConnection) << status.message();
  EXPECT_EQ(status.message().find('\n'), std::string::npos) << status.message();
  EXPECT_EQ(status.message().find(kPassword), std::string::npos) << status.message();
  EXPECT_EQ(status.message().find("wrong-pw"), std::string::npos) << status.message();
  EXPECT_EQ(status.message().rfind("cannot connect to postgresql://", 0), 0u) << status.message();
  EXPECT_NE(status.message().find(must_contain), std::string::npos) << status.message();
}

TEST(PostgresDisplayName, BuildsUrlWithoutPassword) {
  EXPECT_EQ(DisplayName("postgresql://app:s3cret-pw@db1:6432/shop?sslmode=require"),
            "postgresql://app@db1:6432/shop");
  EXPECT_EQ(DisplayName("host=db1 port=6432 user=app password=s3cret-pw dbname=shop"),
            "postgresql://app@db1:6432/shop");
  EXPECT_EQ(DisplayName("host=/tmp/pg port=5433 user=app dbname=shop"),
            "postgresql://app@:5433/shop?host=/tmp/pg");
  EXPECT_EQ(DisplayName("postgresql://app@h1:5432,h2:5433/shop"),
            "postgresql://app@h1:5432,h2:5433/shop");
}

TEST(PostgresDisplayName, StripsPasswordsFromMalformedInput) {
  for (const char* conninfo :
       {"host=db1 password='s3cret-pw", "postgresql://app:s3cret-pw@db1:5432/shop?bogus_option=1",
        "postgresql://app:s3cret-pw@[db1/shop", "user=app password = s3cret-pw nonsense"}) {
    std::string shown = DisplayName(conninfo);
    EXPECT_EQ(shown.find(kPassword), std::string::npos) << conninfo << " -> " << shown;
  }
}

class PostgresConnectionTest : public PostgresTest {};

TEST_F(PostgresConnectionTest, SetsApplicationNameRatchet) {
  std::unique_ptr<Connection> conn = Open();
  ASSERT_NE(conn, nullptr);
  EXPECT_EQ(conn->kind(), EngineKind::kPostgres);
  EXPECT_EQ(Scalar(*conn,
                   "SELECT application_name FROM pg_stat_activity WHERE pid = "
                   "pg_backend_pid()"),
            "ratchet");
  std::unique_ptr<Connection> named = MustConnect(conninfo() + " application_name=mine");
  ASSERT_NE(named, nullptr);
  EXPECT_EQ(Scalar(*named, "SHOW application_name"), "mine");
  EXPECT_NE(conn->display_name().find("/" + name()), std::string::npos) << conn->display_name();
}

TEST_F(PostgresConnectionTest, QueryBindsParametersAndReturnsNulls) {
  std::unique_ptr<Connection> conn = Open();
  ASSERT_NE(conn, nullptr);
  Result<QueryResult> result =
      conn->Query("SELECT $1::bigint + 1 AS n, $2::text AS s, $3::text AS missing",
                  {Value(int64_t{41}), Value(std::string("it's")), Value(std::monostate{})});
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ(result->columns, (std::vector<std::string>{"n", "s", "missing"}));
  ASSERT_EQ(result->rows.size(), 1u);
  EXPECT_EQ(result->rows[0][0], "42");
  EXPECT_EQ(result->rows[0][1], "it's");
  EXPECT_EQ(result->rows[0][2], std::nullopt);
}

TEST_F(PostgresConnectionTest, ExecutesAnItemInTwoRoundTrips) {
  std::unique_ptr<Connection> conn = Open();
  ASSERT_NE(conn, nullptr);
  std::string script =
      "CREATE TABLE customer (id int PRIMARY KEY, email text);\n"
      "INSERT INTO customer VALUES (1, 'a@x'), (2, 'b@x');\n"
      "CREATE FUNCTION n_customers() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM "
      "customer; $$;\n"
      "DO $$ BEGIN INSERT INTO customer VALUES (3, 'c@x'); END $$;\n"
      "CREATE INDEX customer_email ON customer (email);\n";
  int64_t before = RoundTrips(*conn);
  ASSERT_TRUE(conn->Begin().ok());
  Status run = conn->ExecuteScript(script);
  ASSERT_TRUE(run.ok()) << run.message();
  ASSERT_TRUE(conn->Commit().ok());
  // BEGIN travels with the script's pipeline; COMMIT is the second trip.
  EXPECT_EQ(RoundTrips(*conn) - before, 2);
  std::unique_ptr<Connection> other = Open();
  EXPECT_EQ(Scalar(*other, "SELECT n_customers()"), "3");
  EXPECT_EQ(Scalar(*other, "SELECT to_regclass('customer_email') IS NOT NULL"), "t");
}

TEST_F(PostgresConnectionTest, RunnerSequenceCostsThreeRoundTripsPerItem) {
  std::unique_ptr<Connection> conn = Open();
  ASSERT_NE(conn, nullptr);
  ASSERT_TRUE(conn->Execute("CREATE TABLE applied (version text)").ok());
  int64_t before = RoundTrips(*conn);
  ASSERT_TRUE(conn->Begin().ok());
  ASSERT_TRUE(conn->ExecuteScript("CREATE TABLE a (id int); CREATE TABLE b (id int);").ok());
  ASSERT_TRUE(conn->Execute("INSERT INTO applied VALUES ($1)", {Value(std::string("V1"))}).ok());
  ASSERT_TRUE(conn->Commit().ok());
  EXPECT_EQ(RoundTrips(*conn) - before, 3);
  EXPECT_EQ(Scalar(*Open(), "SELECT version FROM applied"), "V1");
}

TEST_F(PostgresConnectionTest, DroppedConnectionIsAConnectionError) {
  std::unique_ptr<Connection> conn = Open();
  std::unique_ptr<Connection> killer = Open();
  ASSERT_NE(conn, nullptr);
  ASSERT_NE(killer, nullptr);
  ASSERT_TRUE(conn->Execute("CREATE TABLE t (a int)").ok());
  std::string pid = Scalar(*conn, "SELECT pg_backend_pid()");
  ASSERT_TRUE(conn->Begin().ok());
  ASSERT_TRUE(conn->Execute("INSERT INTO t VALUES (1)").ok());
  EXPECT_EQ(Scalar(*killer, "SELECT pg_terminate_backend($1::int)", {Value(pid)}), "t");
  Status run = conn->ExecuteScript("INSERT INTO t VALUES (2); INSERT INTO t VALUES (3);");
  EXPECT_EQ(run.code(), Code::kConnection) << run.message();
  EXPECT_NE(run.message().find("lost the connection to postgresql://"), std::string::npos)
      << run.message();
  EXPECT_FALSE(conn->Rollback().ok());
  EXPECT_EQ(Scalar(*killer, "SELECT count(*) FROM t"), "0");
}

TEST_F(PostgresConnectionTest, ExecuteBatchSendsItemBookkeepingAndCommitInOneRoundTrip) {
  std::unique_ptr<Connection> conn = Open();
  ASSERT_NE(conn, nullptr);
  ASSERT_TRUE(conn->Execute("CREATE TABLE applied (version text, ticket int)").ok());
  int64_t before = RoundTrips(*conn);
  ASSERT_TRUE(conn->Begin().ok());
  std::vector<BatchStep> steps(2);
  steps[0].sql = "CREATE TABLE orders (id int); INSERT INTO orders VALUES (7);";
  steps[0].script = true;
  steps[1].sql = "INSERT INTO applied VALUES ($1, $2)";
  steps[1].params = {Value(std::string("V1")), Value(int64_t{5408})};
  Status run = ExecuteBatch(*conn, steps, /*commit=*/true);
  ASSERT_TRUE(run.ok()) << run.message();
  EXPECT_EQ(RoundTrips(*conn) - before, 1);
  std::unique_ptr<Connection> other = Open();
  EXPECT_EQ(Scalar(*other, "SELECT version || ':' || ticket FROM applied"), "V1:5408");
  EXPECT_EQ(Scalar(*other, "SELECT id FROM orders"), "7");
}

TEST_F(PostgresConnectionTest, ExecuteBatchFailureCommitsNothing) {
  std::unique_ptr<Connection> conn = Open();
  ASSERT_NE(conn, nullptr);
  ASSERT_TRUE(conn->Execute("CREATE TABLE applied (version text)").ok());
  ASSERT_TRUE(conn->Begin().ok());
  std::vector<BatchStep> steps(2);
  steps[0].sql = "CREATE TABLE orders (id int);\nINSERT INTO orders VALUES ('x');";
  steps[0].script = true;
  steps[1].sql = "INSERT INTO applied VALUES ('V1')";
  size_t failed_step = 99;
  Status run = ExecuteBatch(*conn, steps, /*commit=*/true, &failed_step);
  ASSERT_EQ(run.code(), Code::kUpgradeFailed);
  EXPECT_EQ(failed_step, 0u);
  ASSERT_NE(run.db_error(), nullptr);
  EXPECT_EQ(run.db_error()->sqlstate, "22P02");
  EXPECT_EQ(run.db_error()->statement_offset, steps[0].sql.find("INSERT"));
  ASSERT_TRUE(conn->Rollback().ok());
  EXPECT_EQ(Scalar(*conn, "SELECT count(*) FROM applied"), "0");
  EXPECT_EQ(Scalar(*conn, "SELECT to_regclass('orders') IS NULL"), "t");
}

TEST_F(PostgresConnectionTest, ExecuteBatchRunsTheStatementsTheLoaderFound) {
  std::unique_ptr<Connection> conn = Open();
  ASSERT_NE(conn, nullptr);
  // Split once, as LoadUpgradeSet does; the batch must not split again.
  const std::string script =
      "CREATE TABLE orders (id int);\n-- a comment\nINSERT INTO orders VALUES (1), (2);\n";
  std::vector<Statement> split;
  ASSERT_TRUE(SplitScript(script, &split).ok());
  ASSERT_EQ(split.size(), 2u);
  ASSERT_TRUE(conn->Begin().ok());
  std::vector<BatchStep> steps(1);
  steps[0].sql = script;
  steps[0].script = true;
  steps[0].statements = &split;
  Status run = ExecuteBatch(*conn, steps, /*commit=*/true);
  ASSERT_TRUE(run.ok()) << run.message();
  EXPECT_EQ(Scalar(*conn, "SELECT sum(id) FROM orders"), "3");

  // Given only the second statement, only the second statement runs.
  std::vector<Statement> second{split[1]};
  ASSERT_TRUE(conn->Begin().ok());
  steps[0].statements = &second;
  run = ExecuteBatch(*conn, steps, /*commit=*/true);
  ASSERT_TRUE(run.ok()) << run.message();
  EXPECT_EQ(Scalar(*conn, "SELECT count(*) FROM orders"), "4");

  // A failure is placed exactly as when the batch splits the script itself.
  const std::string failing = "CREATE TABLE more (id int);\nINSERT INTO more VALUES ('x');\n";
  std::vector<Statement> failing_split;
  ASSERT_TRUE(SplitScript(failing, &failing_split).ok());
  size_t offsets[2];
  for (int pre_split = 0; pre_split < 2; ++pre_split) {
    ASSERT_TRUE(conn->Begin().ok());
    steps[0].sql = failing;
    steps[0].statements = pre_split ? &failing_split : nullptr;
    run = ExecuteBatch(*conn, steps, /*commit=*/true);
    ASSERT_EQ(run.code(), Code::kUpgradeFailed);
    ASSERT_NE(run.db_error(), nullptr);
    EXPECT_EQ(run.db_error()->sqlstate, "22P02");
    offsets[pre_split] = run.db_error()->statement_offset;
    ASSERT_TRUE(conn->Rollback().ok());
  }
  EXPECT_EQ(offsets[0], failing.find("INSERT"));
  EXPECT_EQ(offsets[1], offsets[0]);
}

TEST_F(PostgresConnectionTest, RepeatedStatementsWithParametersArePreparedOncePerSession) {
  std::unique_ptr<Connection> conn = Open();
  ASSERT_NE(conn, nullptr);
  ASSERT_TRUE(conn->Execute("CREATE TABLE applied (version text PRIMARY KEY)").ok());
  const std::string insert = "INSERT INTO applied VALUES ($1)";
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(conn->Begin().ok());
    std::vector<BatchStep> steps(1);
    steps[0].sql = insert;
    steps[0].params = {Value("V" + std::to_string(i))};
    Status run = ExecuteBatch(*conn, steps, /*commit=*/true);
    ASSERT_TRUE(run.ok()) << run.message();
  }
  EXPECT_EQ(Scalar(*conn, "SELECT string_agg(version, ',' ORDER BY version) FROM applied"),
            "V1,V2,V3,V4,V5");
  EXPECT_EQ(Scalar(*conn,
                   "SELECT count(*) FROM pg_prepared_statements"
                   " WHERE statement = 'INSERT INTO applied VALUES ($1)'"),
            "1");
  // Once prepared, the statement and its transaction still cost one round trip.
  int64_t before = RoundTrips(*conn);
  ASSERT_TRUE(conn->Begin().ok());
  ASSERT_TRUE(conn->Execute(insert, {Value(std::string("V6"))}).ok());
  ASSERT_TRUE(conn->Commit().ok());
  EXPECT_EQ(RoundTrips(*conn) - before, 2);  // BEGIN+INSERT, COMMIT

  // A prepared statement follows its table through DROP and CREATE, and
  // fails as the unprepared statement would when the table is gone.
  ASSERT_TRUE(conn->Execute("DROP TABLE applied").ok());
  Status gone = conn->Execute(insert, {Value(std::string("V7"))});
  ASSERT_EQ(gone.code(), Code::kUpgradeFailed);
  ASSERT_NE(gone.db_error(), nullptr);
  EXPECT_EQ(gone.db_error()->sqlstate, "42P01") << gone.message();
  ASSERT_TRUE(conn->Execute("CREATE TABLE applied (version text PRIMARY KEY, note text)").ok());
  ASSERT_TRUE(conn->Execute(insert, {Value(std::string("V8"))}).ok());
  EXPECT_EQ(Scalar(*conn, "SELECT version FROM applied"), "V8");

  // A statement whose table does not exist is never prepared, and fails in
  // its transaction exactly as it would unprepared.
  const std::string missing = "INSERT INTO nosuch VALUES ($1)";
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(conn->Begin().ok());
    ASSERT_TRUE(conn->Execute("INSERT INTO applied VALUES ('kept?')").ok());
    Status failed = conn->Execute(missing, {Value(int64_t{1})});
    ASSERT_NE(failed.db_error(), nullptr);
    EXPECT_EQ(failed.db_error()->sqlstate, "42P01") << failed.message();
    ASSERT_TRUE(conn->Rollback().ok());
  }
  EXPECT_EQ(Scalar(*conn, "SELECT count(*) FROM applied"), "1");
  EXPECT_EQ(Scalar(*conn,
                   "SELECT count(*) FROM pg_prepared_statements"
                   " WHERE statement LIKE '%nosuch%'"),
            "0");
}

TEST_F(PostgresConnectionTest, ReportsFirstFailingStatementWithOffsetAndSqlstate) {
  std::unique_ptr<Connection> conn = Open();
  ASSERT_NE(conn, nullptr);
  std::string script =
      "CREATE TABLE t (a int);\n"
      "INSERT INTO t VALUES (1);\n"
      "-- 'é' before the error counts one character\n"
      "SELECT 'é', a FROM nosuch;\n"
      "INSERT INTO t VALUES (2);\n";
  ASSERT_TRUE(conn->Begin().ok());
  Status run = conn->ExecuteScript(script);
  ASSERT_EQ(run.code(), Code::kUpgradeFailed);
  EXPECT_EQ(run.message(), "ERROR 42P01: relation \"nosuch\" does not exist");
  const DbError* error = run.db_error();
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(error->sqlstate, "42P01");
  EXPECT_EQ(error->message, "relation \"nosuch\" does not exist");
  EXPECT_EQ(error->statement, "SELECT 'é', a FROM nosuch");
  EXPECT_EQ(error->statement_offset, script.find("SELECT 'é'"));
  EXPECT_EQ(error->statement_offset + error->error_offset, script.find("nosuch;"));
  ASSERT_TRUE(conn->Rollback().ok());
  EXPECT_EQ(Scalar(*conn, "SELECT to_regclass('t') IS NULL"), "t");
}

TEST_F(PostgresConnectionTest, OutsideTransactionEachStatementCommitsAndRunStopsAtError) {
  std::unique_ptr<Connection> conn = Open();
  ASSERT_NE(conn, nullptr);
  std::string script =
      "CREATE TABLE t (a int UNIQUE);\n"
      "INSERT INTO t VALUES (1);\n"
      "INSERT INTO t VALUES (1);\n"
      "INSERT INTO t VALUES (2);\n";
  Status run = conn->ExecuteScript(script);
  ASSERT_EQ(run.code(), Code::kUpgradeFailed);
  ASSERT_NE(run.db_error(), nullptr);
  EXPECT_EQ(run.db_error()->sqlstate, "23505");
  EXPECT_EQ(run.db_error()->statement_offset,
            script.find("INSERT INTO t VALUES (1);\nINSERT INTO t VALUES (2)"));
  EXPECT_NE(run.db_error()->detail.find("Key (a)=(1) already exists"), std::string::npos);
  EXPECT_EQ(Scalar(*conn, "SELECT string_agg(a::text, ',') FROM t"), "1");
}

TEST_F(PostgresConnectionTest, RunsNonTransactionalStatementsOnTheirOwn) {
  std::unique_ptr<Connection> conn = Open();
  ASSERT_NE(conn, nullptr);
  std::string script =
      "CREATE TABLE t (a int);\n"
      "INSERT INTO t SELECT generate_series(1, 100);\n"
      "CREATE INDEX CONCURRENTLY t_a ON t (a);\n"
      "VACUUM (ANALYZE) t;\n";
  Status run = conn->ExecuteScript(script);
  ASSERT_TRUE(run.ok()) << run.message();
  EXPECT_EQ(Scalar(*conn, "SELECT indisvalid FROM pg_index WHERE indexrelid = 't_a'::regclass"),
            "t");
  EXPECT_EQ(Scalar(*conn, "SELECT reltuples FROM pg_class WHERE oid = 't'::regclass"), "100");

  // Inside a transaction the server refuses it, and says so.
  ASSERT_TRUE(conn->Begin().ok());
  Status refused = conn->ExecuteScript("DROP INDEX CONCURRENTLY t_a;");
  ASSERT_EQ(refused.code(), Code::kUpgradeFailed);
  EXPECT_EQ(refused.db_error()->sqlstate, "25001");
  ASSERT_TRUE(conn->Rollback().ok());
  EXPECT_EQ(Scalar(*conn, "SELECT to_regclass('t_a') IS NOT NULL"), "t");
}

TEST_F(PostgresConnectionTest, PlacesErrorInsideDoBlockOnItsLine) {
  std::unique_ptr<Connection> conn = Open();
  ASSERT_NE(conn, nullptr);
  std::string script =
      "CREATE TABLE t (a int);\n"
      "DO $$\n"
      "BEGIN\n"
      "  INSERT INTO t VALUES (1);\n"
      "  PERFORM a FROM missing_table;\n"
      "END\n"
      "$$;\n";
  ASSERT_TRUE(conn->Begin().ok());
  Status run = conn->ExecuteScript(script);
  ASSERT_EQ(run.code(), Code::kUpgradeFailed);
  const DbError* error = run.db_error();
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(error->sqlstate, "42P01");
  EXPECT_EQ(error->statement_offset, script.find("DO $$"));
  ASSERT_NE(error->error_offset, std::string::npos);
  EXPECT_EQ(error->statement_offset + error->error_offset, script.find("missing_table"));
  EXPECT_NE(error->detail.find("CONTEXT: "), std::string::npos);
  EXPECT_NE(error->detail.find("line 4 at PERFORM"), std::string::npos) << error->detail;
  ASSERT_TRUE(conn->Rollback().ok());
}

TEST_F(PostgresConnectionTest, PlacesErrorsInFunctionBodies) {
  std::unique_ptr<Connection> conn = Open();
  ASSERT_NE(conn, nullptr);
  // A PL/pgSQL syntax error: the server maps it into the CREATE statement.
  std::string script =
      "CREATE FUNCTION bad() RETURNS int LANGUAGE plpgsql AS $fn$\n"
      "BEGIN\n"
      "  RETURN 1 +;\n"
      "END\n"
      "$fn$;\n";
  Status run = conn->ExecuteScript(script);
  ASSERT_EQ(run.code(), Code::kUpgradeFailed);
  ASSERT_NE(run.db_error(), nullptr);
  EXPECT_EQ(run.db_error()->sqlstate, "42601");
  EXPECT_EQ(run.db_error()->statement_offset, 0u);
  EXPECT_EQ(run.db_error()->error_offset, script.find(";\nEND"));

  // A run-time error in a function called by a statement: the statement is
  // placed and the function's line is in the CONTEXT.
  std::string second =
      "CREATE FUNCTION boom() RETURNS int LANGUAGE plpgsql AS $fn$\n"
      "BEGIN\n"
      "  RETURN 1 / 0;\n"
      "END\n"
      "$fn$;\n"
      "SELECT boom();\n";
  run = conn->ExecuteScript(second);
  ASSERT_EQ(run.code(), Code::kUpgradeFailed);
  ASSERT_NE(run.db_error(), nullptr);
  EXPECT_EQ(run.db_error()->sqlstate, "22012");
  EXPECT_EQ(run.db_error()->statement_offset, second.find("SELECT boom()"));
  EXPECT_NE(run.db_error()->detail.find("PL/pgSQL function boom() line 3 at RETURN"),
            std::string::npos)
      << run.db_error()->detail;
}

TEST_F(PostgresConnectionTest, CommitAfterFailedStatementIsAnError) {
  std::unique_ptr<Connection> conn = Open();
  ASSERT_NE(conn, nullptr);
  ASSERT_TRUE(conn->Execute("CREATE TABLE t (a int)").ok());
  ASSERT_TRUE(conn->Begin().ok());
  ASSERT_TRUE(conn->Execute("INSERT INTO t VALUES (1)").ok());
  EXPECT_FALSE(conn->Execute("INSERT INTO t VALUES ('x')").ok());
  Status commit = conn->Commit();
  EXPECT_FALSE(commit.ok());
  EXPECT_EQ(Scalar(*conn, "SELECT count(*) FROM t"), "0");
  EXPECT_TRUE(conn->Rollback().ok());
  EXPECT_TRUE(conn->Rollback().ok());
}

TEST_F(PostgresConnectionTest, SecondSessionGetsLockBusyNamingTheHolder) {
  std::unique_ptr<Connection> first = Open();
  std::unique_ptr<Connection> second = Open();
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  ASSERT_TRUE(first->AcquireUpgradeLock(milliseconds(0)).ok());
  std::string holder_pid = Scalar(*first, "SELECT pg_backend_pid()");

  auto started = std::chrono::steady_clock::now();
  Status busy = second->AcquireUpgradeLock(milliseconds(300));
  auto waited = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(busy.code(), Code::kLockBusy);
  EXPECT_GE(waited, milliseconds(300));
  EXPECT_NE(busy.message().find("pid " + holder_pid), std::string::npos) << busy.message();
  EXPECT_NE(busy.message().find("application \"ratchet\""), std::string::npos) << busy.message();
  EXPECT_NE(busy.message().find("local socket"), std::string::npos) << busy.message();
  EXPECT_NE(busy.message().find("since"), std::string::npos) << busy.message();
  EXPECT_EQ(second->AcquireUpgradeLock(milliseconds(0)).code(), Code::kLockBusy);

  // A different bookkeeping schema is a different lock.
  ConnectOptions other_schema;
  other_schema.history_schema = "ratchet_other";
  std::unique_ptr<Connection> third = Open(other_schema);
  ASSERT_NE(third, nullptr);
  EXPECT_TRUE(third->AcquireUpgradeLock(milliseconds(0)).ok());

  // Released while the second one waits: it gets the lock.
  std::thread release([&first] {
    std::this_thread::sleep_for(milliseconds(200));
    first->ReleaseUpgradeLock();
  });
  Status got = second->AcquireUpgradeLock(milliseconds(5000));
  release.join();
  EXPECT_TRUE(got.ok()) << got.message();
  EXPECT_EQ(first->AcquireUpgradeLock(milliseconds(0)).code(), Code::kLockBusy);
}

TEST_F(PostgresConnectionTest, LockTimeoutFailsStatementWith55P03) {
  std::unique_ptr<Connection> app = Open();
  std::unique_ptr<Connection> upgrader = Open();
  ASSERT_NE(app, nullptr);
  ASSERT_NE(upgrader, nullptr);
  ASSERT_TRUE(app->Execute("CREATE TABLE t (a int)").ok());
  ASSERT_TRUE(app->Begin().ok());
  ASSERT_TRUE(app->Execute("LOCK TABLE t IN ACCESS EXCLUSIVE MODE").ok());

  Timeouts timeouts;
  timeouts.lock_timeout = milliseconds(200);
  ASSERT_TRUE(upgrader->SetTimeouts(timeouts).ok());
  EXPECT_EQ(Scalar(*upgrader, "SHOW lock_timeout"), "200ms");
  auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(upgrader->Begin().ok());
  Status run = upgrader->ExecuteScript("ALTER TABLE t ADD COLUMN b int;");
  ASSERT_EQ(run.code(), Code::kUpgradeFailed);
  EXPECT_LT(std::chrono::steady_clock::now() - started, milliseconds(3000));
  EXPECT_EQ(run.db_error()->sqlstate, "55P03");
  EXPECT_EQ(run.message(), "ERROR 55P03: canceling statement due to lock timeout");
  ASSERT_TRUE(upgrader->Rollback().ok());
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(Scalar(*upgrader,
                   "SELECT count(*) FROM pg_attribute WHERE attrelid = 't'::regclass "
                   "AND attname = 'b'"),
            "0");

  ASSERT_TRUE(upgrader->SetTimeouts(Timeouts{}).ok());
  EXPECT_EQ(Scalar(*upgrader, "SHOW lock_timeout"), "0");
  timeouts.lock_timeout = milliseconds(0);
  timeouts.statement_timeout = milliseconds(100);
  ASSERT_TRUE(upgrader->SetTimeouts(timeouts).ok());
  Status slow = upgrader->ExecuteScript("SELECT pg_sleep(2);");
  ASSERT_EQ(slow.code(), Code::kUpgradeFailed);
  EXPECT_EQ(slow.db_error()->sqlstate, "57014");
}

TEST_F(PostgresConnectionTest, BookkeepingNamesAreQuotedAndDetected) {
  ConnectOptions options;
  options.history_schema = "Up\"grade";
  std::unique_ptr<Connection> conn = Open(options);
  ASSERT_NE(conn, nullptr);
  EXPECT_EQ(conn->BookkeepingTable("items"), "\"Up\"\"grade\".items");
  Result<bool> has = conn->HasBookkeeping();
  ASSERT_TRUE(has.ok()) << has.status().message();
  EXPECT_FALSE(*has);
  for (const std::string& sql : conn->BookkeepingPrelude()) ASSERT_TRUE(conn->Execute(sql).ok());
  ASSERT_TRUE(conn->Execute("CREATE TABLE " + conn->BookkeepingTable("state") + " (x int)").ok());
  EXPECT_EQ(Scalar(*conn, "SELECT count(*) FROM pg_namespace WHERE nspname = 'Up\"grade'"), "1");
  has = conn->HasBookkeeping();
  ASSERT_TRUE(has.ok());
  EXPECT_TRUE(*has);
}

TEST_F(PostgresConnectionTest, ExecutesOneMegabyteScript) {
  std::unique_ptr<Connection> conn = Open();
  ASSERT_NE(conn, nullptr);
  std::string script = "CREATE TABLE bulk (id int PRIMARY KEY, payload text);\n";
  const std::string payload(60, 'x');
  int rows = 0;
  while (script.size() < (1u << 20)) {
    ++rows;
    script += "INSERT INTO bulk VALUES (" + std::to_string(rows) + ", '" + payload + "; " +
              std::to_string(rows) + "');\n";
  }
  int64_t before = RoundTrips(*conn);
  ASSERT_TRUE(conn->Begin().ok());
  Status run = conn->ExecuteScript(script);
  ASSERT_TRUE(run.ok()) << run.message();
  ASSERT_TRUE(conn->Commit().ok());
  EXPECT_EQ(RoundTrips(*conn) - before, 2);
  EXPECT_EQ(Scalar(*conn, "SELECT count(*) || ':' || max(id) FROM bulk"),
            std::to_string(rows) + ":" + std::to_string(rows));
  EXPECT_EQ(Scalar(*conn, "SELECT payload FROM bulk WHERE id = 7"), payload + "; 7");
}

TEST_F(PostgresConnectionTest, ServerDownIsOneLineConnectionError) {
  Result<std::unique_ptr<Connection>> conn =
      TryConnect("postgresql://ratchet_pw:s3cret-pw@127.0.0.1:1/" + name() + "?connect_timeout=5");
  ASSERT_FALSE(conn.ok());
  ExpectConnectionFailure(conn.status(), "connection refused — is the server running");
  EXPECT_NE(conn.status().message().find("ratchet_pw@127.0.0.1:1/"), std::string::npos);
}

TEST_F(PostgresConnectionTest, WrongPasswordIsOneLineConnectionError) {
  std::string host = Env("RATCHET_TEST_PG_HOST");
  std::string port = Env("RATCHET_TEST_PG_PORT");
  ASSERT_FALSE(port.empty()) << "RATCHET_TEST_PG_PORT is not set";
  Result<std::unique_ptr<Connection>> conn =
      TryConnect("postgresql://ratchet_pw:wrong-pw@" + host + ":" + port + "/" + name());
  ASSERT_FALSE(conn.ok());
  ExpectConnectionFailure(conn.status(), "password authentication failed for user \"ratchet_pw\"");

  // The right password, written in keywords, connects.
  std::unique_ptr<Connection> good = MustConnect(
      "host=" + host + " port=" + port + " user=ratchet_pw password=s3cret-pw dbname=" + name());
  ASSERT_NE(good, nullptr);
  EXPECT_EQ(Scalar(*good, "SELECT current_user"), "ratchet_pw");
  EXPECT_EQ(good->display_name().find(kPassword), std::string::npos);
  Status failed = good->Execute("SELECT 's3cret-pw'::int");
  EXPECT_EQ(failed.message().find(kPassword), std::string::npos) << failed.message();
}

TEST_F(PostgresConnectionTest, MissingDatabaseIsOneLineConnectionError) {
  std::string host = Env("RATCHET_TEST_PG_HOST");
  std::string port = Env("RATCHET_TEST_PG_PORT");
  Result<std::unique_ptr<Connection>> conn = TryConnect(
      "host=" + host + " port=" + port + " user=ratchet_pw password=s3cret-pw dbname=no_such_db");
  ASSERT_FALSE(conn.ok());
  ExpectConnectionFailure(conn.status(), "database \"no_such_db\" does not exist");
}

}  // namespace
}  // namespace ratchet::postgres
