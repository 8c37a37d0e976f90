// Interruptions that do not come from ratchet's own fault points: the server
// terminating ratchet's connection in the middle of an item, the PostgreSQL
// server stopping and starting again in the middle of an upgrade, and a
// kill -9 in the middle of a large SQLite backfill. Each run must converge.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "faults/fault_sweep.h"
#include "support/image.h"

namespace ratchet::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;

// Polls `ready` every 20 ms for up to `seconds`; true once it holds.
template <typename F>
bool WaitFor(F ready, int seconds = 30) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

std::unique_ptr<Connection> ConnectTo(const std::string& db) {
  auto target = ParseTarget(db);
  EXPECT_TRUE(target.ok()) << target.status().message();
  if (!target.ok()) return nullptr;
  auto conn = Connect(*target, {});
  EXPECT_TRUE(conn.ok()) << conn.status().message();
  if (!conn.ok()) return nullptr;
  return std::move(*conn);
}

// The pid of ratchet's session on `conn`'s database while it waits for a
// lock, or "" when there is none.
std::string WaitingRatchet(Connection& conn) {
  auto r = conn.Query(
      "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND "
      "application_name = 'ratchet' AND wait_event_type = 'Lock'");
  if (!r.ok()) {
    ADD_FAILURE() << "cannot read pg_stat_activity: " << r.status().message();
    return "";
  }
  return r->rows.empty() ? "" : r->rows[0][0].value_or("");
}

// A set whose second item updates every row of `stock` and adds a column:
// it waits for any lock the application holds on the table.
const std::map<std::string, std::string> kStockSet = {
    {"V1__1__stock.sql",
     "CREATE TABLE stock (id integer PRIMARY KEY, qty integer NOT NULL);\n"
     "INSERT INTO stock SELECT g, g % 17 FROM generate_series(1, 2000) g;\n"},
    {"V2__2__reserve_stock.sql",
     "-- ratchet: lock-timeout 60s\n"
     "UPDATE stock SET qty = qty + 1;\n"
     "ALTER TABLE stock ADD COLUMN reserved integer NOT NULL DEFAULT 0;\n"},
    {"V3__3__available.sql",
     "CREATE VIEW available AS SELECT id, qty - reserved AS qty FROM stock;\n"}};

class PostgresInterruptions : public FaultSweep {
 protected:
  // Checks what status says after the run stopped during `item`, runs the
  // command it names, and requires the end state to be `expected`.
  void ResumeAndCompare(const std::string& db, const std::string& item, bool journaled,
                        const DatabaseImage& expected) {
    WaitUntilIdle(db);
    RunResult status = RatchetOn(set_dir(), db, {"status"});
    ASSERT_EQ(status.exit_code, 0) << status.all();
    EXPECT_THAT(status.out, HasSubstr("interrupted"));
    EXPECT_THAT(status.out, HasSubstr(item + " (items/"));
    EXPECT_THAT(status.out, HasSubstr(journaled ? "journaled" : "transactional"));
    EXPECT_THAT(status.out, HasSubstr("Pivoted:     no"));
    std::vector<std::string> next = NextCommand(status.out);
    ASSERT_FALSE(next.empty()) << status.out;
    RunResult resumed = RunRatchet(next);
    ASSERT_EQ(resumed.exit_code, 0) << resumed.all();
    DatabaseImage actual = TakeImage(db);
    EXPECT_EQ(actual, expected) << DescribeDifference(expected, actual);
  }
};
INSTANTIATE_TEST_SUITE_P(Engines, PostgresInterruptions, ::testing::Values(EngineKind::kPostgres),
                         [](const auto&) { return std::string("Postgres"); });

TEST_P(PostgresInterruptions, ConnectionTerminatedByTheServerMidItem) {
  WriteSet(kStockSet);
  const std::string start = ExtraDatabase();
  ASSERT_EQ(RatchetOn(set_dir(), start, {"upgrade", "--to", "V1"}).exit_code, 0);
  WaitUntilIdle(start);
  const std::string reference = ExtraDatabase(start);
  ASSERT_EQ(RatchetOn(set_dir(), reference, {"upgrade"}).exit_code, 0);
  const DatabaseImage expected = TakeImage(reference);

  const std::string db = ExtraDatabase(start);
  auto app = ConnectTo(db);
  ASSERT_TRUE(app);
  // The application holds a lock that V2's UPDATE must wait for.
  ASSERT_TRUE(app->Begin().ok());
  ASSERT_TRUE(app->Execute("LOCK TABLE stock IN SHARE MODE").ok());
  BackgroundRun run({"upgrade", "--set", set_dir().string(), "--db", db});
  auto watcher = ConnectTo(db);
  std::string pid;
  ASSERT_TRUE(WaitFor([&] { return !(pid = WaitingRatchet(*watcher)).empty(); }))
      << "ratchet never waited for the lock";
  auto killed = watcher->Query("SELECT pg_terminate_backend($1::int)", {pid});
  ASSERT_TRUE(killed.ok()) << killed.status().message();
  RunResult r = run.Wait();
  EXPECT_EQ(r.exit_code, 1) << r.all();
  EXPECT_THAT(r.err, HasSubstr("lost the connection"));
  // ... and says why, never an empty reason.
  EXPECT_THAT(r.err, ContainsRegex("lost the connection to [^\n]*: [[:alnum:]]")) << r.err;
  EXPECT_THAT(r.err, HasSubstr("ratchet status"));
  ASSERT_TRUE(app->Rollback().ok());
  app.reset();
  watcher.reset();
  // V1 stays applied; V2 left nothing behind.
  EXPECT_EQ(TakeImage(db).items.size(), 1u);
  ResumeAndCompare(db, "V2", /*journaled=*/false, expected);
}

TEST_P(PostgresInterruptions, ConnectionTerminatedDuringAConcurrentIndexBuild) {
  WriteSet({{"V1__1__notes.sql",
             "CREATE TABLE notes (id integer PRIMARY KEY, body text NOT NULL);\n"
             "INSERT INTO notes SELECT g, 'note ' || g FROM generate_series(1, 2000) g;\n"},
            {"V2__2__index_notes.sql",
             "CREATE INDEX CONCURRENTLY IF NOT EXISTS notes_body_idx ON notes (body);\n"},
            {"V3__3__notes_view.sql", "CREATE VIEW short_notes AS SELECT id FROM notes;\n"}});
  const std::string start = ExtraDatabase();
  ASSERT_EQ(RatchetOn(set_dir(), start, {"upgrade", "--to", "V1"}).exit_code, 0);
  WaitUntilIdle(start);
  const std::string reference = ExtraDatabase(start);
  ASSERT_EQ(RatchetOn(set_dir(), reference, {"upgrade"}).exit_code, 0);
  const DatabaseImage expected = TakeImage(reference);

  const std::string db = ExtraDatabase(start);
  auto app = ConnectTo(db);
  ASSERT_TRUE(app);
  // A reader's old snapshot: the concurrent build waits for it to end after
  // the index is already in the catalog, INVALID.
  ASSERT_TRUE(app->Execute("BEGIN ISOLATION LEVEL REPEATABLE READ").ok());
  ASSERT_TRUE(app->Query("SELECT COUNT(*) FROM notes").ok());
  BackgroundRun run({"upgrade", "--set", set_dir().string(), "--db", db});
  auto watcher = ConnectTo(db);
  std::string pid;
  ASSERT_TRUE(WaitFor([&] { return !(pid = WaitingRatchet(*watcher)).empty(); }))
      << "the concurrent build never waited";
  ASSERT_TRUE(watcher->Query("SELECT pg_terminate_backend($1::int)", {pid}).ok());
  RunResult r = run.Wait();
  EXPECT_EQ(r.exit_code, 1) << r.all();
  ASSERT_TRUE(app->Execute("ROLLBACK").ok());
  app.reset();
  auto invalid = watcher->Query(
      "SELECT COUNT(*) FROM pg_index WHERE indexrelid = 'notes_body_idx'::regclass AND NOT "
      "indisvalid");
  ASSERT_TRUE(invalid.ok()) << invalid.status().message();
  EXPECT_EQ(invalid->rows[0][0], "1") << "the interrupted build left no INVALID index";
  watcher.reset();
  ResumeAndCompare(db, "V2", /*journaled=*/true, expected);
  auto check = ConnectTo(db);
  auto dropped = check->Query(
      "SELECT COUNT(*) FROM ratchet.events WHERE event = 'invalid-index-dropped' AND version = "
      "'V2'");
  ASSERT_TRUE(dropped.ok());
  EXPECT_EQ(dropped->rows[0][0], "1");
}

// A PostgreSQL server of this test's own, so that stopping it disturbs no
// other test.
class OwnServer {
 public:
  OwnServer() {
    char pattern[] = "/tmp/ratchet-own-XXXXXX";
    dir_ = mkdtemp(pattern) ? pattern : "";
    chmod(dir_.c_str(), 0755);
  }
  ~OwnServer() {
    Script("stop");
    std::remove((dir_ + ".env").c_str());
  }

  // Starts (or restarts) the server; false if it did not come up.
  bool Start() {
    if (Script("start", dir_ + ".env") != 0) return false;
    std::ifstream in(dir_ + ".env");
    for (std::string line; std::getline(in, line);) {
      const std::string key = "export RATCHET_TEST_PG_PORT=";
      if (line.rfind(key, 0) == 0) port_ = line.substr(key.size());
    }
    return !port_.empty();
  }
  // Stops the server at once, as a crash would; its data stays.
  bool Crash() { return Script("crash") == 0; }

  // What to pass to --db for database `name` on this server.
  std::string Db(const std::string& name) const {
    return "host=" + dir_ + " port=" + port_ + " user=postgres dbname=" + name;
  }

 private:
  int Script(const std::string& command, const std::string& out = "/dev/null") {
    std::string line = "bash " + std::string(RATCHET_SOURCE_DIR) + "/scripts/pg-test-server.sh " +
                       command + " " + dir_ + " >" + out;
    return std::system(line.c_str());
  }
  std::string dir_;
  std::string port_;
};

TEST_P(PostgresInterruptions, ServerStoppedAndStartedMidUpgrade) {
  OwnServer server;
  ASSERT_TRUE(server.Start()) << "could not start a PostgreSQL server of the test's own";
  {
    auto admin = ConnectTo(server.Db("postgres"));
    ASSERT_TRUE(admin);
    ASSERT_TRUE(admin->Execute("CREATE DATABASE shop").ok());
    ASSERT_TRUE(admin->Execute("CREATE DATABASE shop_reference").ok());
    // The test servers run with synchronous_commit off, which loses the last
    // commits in a crash; a production server keeps every commit it
    // acknowledged, and so does this database.
    ASSERT_TRUE(admin->Execute("ALTER DATABASE shop SET synchronous_commit = on").ok());
  }
  WriteSet(kStockSet);
  const std::string db = server.Db("shop");
  const std::string reference = server.Db("shop_reference");
  for (const std::string& d : {db, reference}) {
    ASSERT_EQ(RatchetOn(set_dir(), d, {"upgrade", "--to", "V1"}).exit_code, 0);
  }
  ASSERT_EQ(RatchetOn(set_dir(), reference, {"upgrade"}).exit_code, 0);
  const DatabaseImage expected = TakeImage(reference);

  auto app = ConnectTo(db);
  ASSERT_TRUE(app->Begin().ok());
  ASSERT_TRUE(app->Execute("LOCK TABLE stock IN SHARE MODE").ok());
  BackgroundRun run({"upgrade", "--set", set_dir().string(), "--db", db});
  auto watcher = ConnectTo(db);
  ASSERT_TRUE(WaitFor([&] { return !WaitingRatchet(*watcher).empty(); }));
  // The run's start was committed without waiting for the disk; the WAL
  // writer flushes such commits within three wal_writer_delay (200 ms by
  // default), so by now status can tell that a run was interrupted. (Had the
  // crash come sooner, the start would be lost together with everything
  // after it, and status would rightly show the database as before the run.)
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ASSERT_TRUE(server.Crash());
  RunResult r = run.Wait();
  EXPECT_NE(r.exit_code, 0) << r.all();
  EXPECT_THAT(r.err, HasSubstr("lost the connection"));
  // ... and says why, never an empty reason.
  EXPECT_THAT(r.err, ContainsRegex("lost the connection to [^\n]*: [[:alnum:]]")) << r.err;
  app.reset();
  watcher.reset();
  ASSERT_TRUE(server.Start()) << "the server did not come back";
  // The server recovered from its WAL: V1 is there, V2 is not.
  EXPECT_EQ(TakeImage(db).items.size(), 1u);
  ResumeAndCompare(db, "V2", /*journaled=*/false, expected);
}

class SqliteInterruptions : public FaultSweep {};
INSTANTIATE_TEST_SUITE_P(Engines, SqliteInterruptions, ::testing::Values(EngineKind::kSqlite),
                         [](const auto&) { return std::string("Sqlite"); });

TEST_P(SqliteInterruptions, KillNineDuringALargeBackfillLeavesAConsistentFile) {
  WriteSet(
      {{"V1__1__events.sql",
        "CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT NOT NULL);\n"
        "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 200000)\n"
        "INSERT INTO events (id, kind) SELECT n, 'kind-' || (n % 13) FROM g;\n"},
       {"V2__2__backfill_codes.sql",
        "ALTER TABLE events ADD COLUMN code TEXT;\n"
        "UPDATE events SET code = upper(kind) || '/' || printf('%08d', id * 7919 % 99991);\n"}});
  const std::string start = ExtraDatabase();
  ASSERT_EQ(RatchetOn(set_dir(), start, {"upgrade", "--to", "V1"}).exit_code, 0);
  const std::string reference = ExtraDatabase(start);
  const fs::path trace = dir() / "reference-trace";
  ASSERT_EQ(RatchetOn(set_dir(), reference, {"upgrade"}, {"RATCHET_FAULT_TRACE=" + trace.string()})
                .exit_code,
            0);
  const DatabaseImage expected = TakeImage(reference);
  // The backfill is the last statement the upgrade runs.
  const long backfill = ReadTrace(trace).at("statement.before");

  const std::string db = ExtraDatabase(start);
  const std::string path = db.substr(db.find(':') + 1);
  const fs::path live_trace = dir() / "live-trace";
  BackgroundRun run({"upgrade", "--set", set_dir().string(), "--db", db},
                    {"RATCHET_FAULT_TRACE=" + live_trace.string()});
  const std::string started = "statement.before " + std::to_string(backfill) + "\n";
  ASSERT_TRUE(WaitFor([&] {
    std::ifstream in(live_trace);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return text.find(started) != std::string::npos;
  })) << "the backfill never started";
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_EQ(kill(run.pid(), SIGKILL), 0);
  RunResult r = run.Wait();
  ASSERT_EQ(r.exit_code, 128 + SIGKILL)
      << "ratchet finished before it could be killed: " << r.all();
  EXPECT_TRUE(fs::exists(path + "-journal")) << "no write transaction was open";

  {
    auto conn = ConnectTo(db);
    ASSERT_TRUE(conn);
    auto check = conn->Query("PRAGMA integrity_check");
    ASSERT_TRUE(check.ok()) << check.status().message();
    EXPECT_EQ(check->rows.at(0).at(0), "ok");
    // The hot journal was rolled back: no code column, every row as before.
    auto columns =
        conn->Query("SELECT COUNT(*) FROM pragma_table_info('events') WHERE name = 'code'");
    EXPECT_EQ(columns->rows[0][0], "0");
    auto rows = conn->Query("SELECT COUNT(*), SUM(id) FROM events");
    EXPECT_EQ(rows->rows[0][0], "200000");
    EXPECT_EQ(rows->rows[0][1], "20000100000");
  }
  RunResult status = RatchetOn(set_dir(), db, {"status"});
  EXPECT_THAT(status.out, HasSubstr("interrupted"));
  EXPECT_THAT(status.out, HasSubstr("V2 (items/V2__2__backfill_codes.sql), transactional"));
  RunResult resumed = RatchetOn(set_dir(), db, {"upgrade"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.all();
  DatabaseImage actual = TakeImage(db);
  EXPECT_EQ(actual, expected) << DescribeDifference(expected, actual);
}

}  // namespace
}  // namespace ratchet::testing
