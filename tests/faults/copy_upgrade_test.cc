// copy-upgrade and cleanup on both engines: the swapped-in copy equals an
// in-place upgrade and the kept original equals the database before it; a
// failed upgrade of the copy leaves the original as it was; sessions on a
// PostgreSQL database are refused by name; only cleanup --approve removes
// the original; and killed at any fault point, --recover converges.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "faults/fault_sweep.h"
#include "util/fault.h"

namespace ratchet::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

class CopyUpgrade : public FaultSweep {
 protected:
  // A live 1.0 shop with rows of its own; on SQLite enough of them that the
  // copy takes several backup steps.
  void ShopAtOneDotZero(const std::string& db) {
    RunResult r = RatchetOn(BookshopSet(), db, {"upgrade", "--to", "1.0"});
    ASSERT_EQ(r.exit_code, 0) << r.all();
    ExecuteOn(
        db,
        "INSERT INTO authors (id, name) VALUES (4, 'Leo Tolstoy');\n"
        "INSERT INTO books (id, author_id, title, price_cents) VALUES\n"
        "  (4, 4, 'War and Peace', 1999), (5, 4, 'Anna Karenina', 1599);\n"
        "CREATE TABLE reviews (id INTEGER PRIMARY KEY, book_id INTEGER NOT NULL, body TEXT);\n"
        "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 1500)\n"
        "INSERT INTO reviews (id, book_id, body)\n"
        "SELECT n, 1 + n % 5, 'review ' || n || ' ' || " +
            std::string(is_sqlite() ? "printf('%.2000c', 'x')" : "repeat('x', 2000)") +
            " FROM g;\n");
  }

  // The kept original of `db`, for --db; on PostgreSQL it is opened to
  // connections first (copy-upgrade keeps it closed).
  std::string Kept(const std::string& db) {
    if (is_sqlite()) return db + ".old";
    std::string name = db.substr(db.rfind("dbname=") + 7) + "_old";
    auto admin = AdminConnection();
    Status s = admin->Execute("ALTER DATABASE " + name + " ALLOW_CONNECTIONS true");
    EXPECT_TRUE(s.ok()) << s.message();
    return db.substr(0, db.rfind("dbname=") + 7) + name;
  }

  // What copy-upgrade may put beside `db`, as it is now: on SQLite the
  // files <file>.copying, .new and .old; on PostgreSQL the databases
  // <db>_copying, _new and _old, and the original when it is closed to
  // connections.
  std::vector<std::string> Beside(const std::string& db) {
    std::vector<std::string> found;
    if (is_sqlite()) {
      for (const char* suffix : {".copying", ".new", ".old"}) {
        if (fs::exists(db.substr(7) + suffix)) found.push_back(db.substr(7) + suffix);
      }
      return found;
    }
    const std::string name = db.substr(db.rfind("dbname=") + 7);
    auto admin = AdminConnection();
    auto r = admin->Query(
        "SELECT datname || CASE WHEN datallowconn THEN '' ELSE ' (closed)' END FROM "
        "pg_database WHERE datname IN ($1 || '_copying', $1 || '_new', $1 || '_old') OR "
        "(datname = $1 AND NOT datallowconn) ORDER BY 1",
        {name});
    EXPECT_TRUE(r.ok()) << r.status().message();
    if (!r.ok()) return {"(pg_database cannot be read)"};
    for (const Row& row : r->rows) found.push_back(row[0].value_or(""));
    return found;
  }

  // Nothing of a run is left but the kept original.
  std::string Leftovers(const std::string& db) {
    RunResult r = RatchetOn(BookshopSet(), db, {"status", "--json"});
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    if (j.is_discarded()) return "status --json failed: " + r.all();
    const auto& copy = j["copy_upgrade"];
    if (!copy.is_object() || copy["unfinished"] != false || !copy["kept"].is_string()) {
      return "status should show only a kept original: " + j["copy_upgrade"].dump();
    }
    return "";
  }
};
RATCHET_ALL_ENGINES(CopyUpgrade);

TEST_P(CopyUpgrade, SwapsInAnUpgradedCopyAndKeepsTheOriginalUntilCleanupApproves) {
  const std::string original = ExtraDatabase();
  ShopAtOneDotZero(original);
  ASSERT_FALSE(HasFatalFailure());
  WaitUntilIdle(original);
  const DatabaseImage before = TakeImage(original);
  const std::string in_place = ExtraDatabase(original);
  ASSERT_EQ(RatchetOn(BookshopSet(), in_place, {"upgrade"}).exit_code, 0);
  const DatabaseImage upgraded = TakeImage(in_place);

  RunResult r = RatchetOn(BookshopSet(), original, {"copy-upgrade"});
  ASSERT_EQ(r.exit_code, 0) << r.all();
  EXPECT_THAT(r.out, HasSubstr("Copy-upgrade complete"));
  EXPECT_THAT(r.out, HasSubstr("the original is kept as "));
  EXPECT_THAT(r.out, HasSubstr("ratchet cleanup --approve"));
  WaitUntilIdle(original);
  DatabaseImage now = TakeImage(original);
  EXPECT_EQ(now, upgraded) << DescribeDifference(upgraded, now);
  EXPECT_EQ(Leftovers(original), "");
  RunResult status = RatchetOn(BookshopSet(), original, {"status"});
  EXPECT_THAT(status.out, HasSubstr("Original:    kept as "));

  // A second copy-upgrade would need somewhere to keep its original.
  RunResult again = RatchetOn(BookshopSet(), original, {"copy-upgrade"});
  EXPECT_EQ(again.exit_code, 5) << again.all();
  EXPECT_THAT(again.err, HasSubstr("cleanup --approve"));

  // cleanup without --approve removes nothing.
  RunResult dry = RatchetOn(BookshopSet(), original, {"cleanup"});
  EXPECT_EQ(dry.exit_code, 0) << dry.all();
  EXPECT_THAT(dry.out, HasSubstr("Nothing was removed: add --approve"));
  const std::string kept = Kept(original);
  DatabaseImage old = TakeImage(kept);
  EXPECT_EQ(old, before) << DescribeDifference(before, old);
  WaitUntilIdle(kept);

  RunResult removed = RatchetOn(BookshopSet(), original, {"cleanup", "--approve"});
  ASSERT_EQ(removed.exit_code, 0) << removed.all();
  EXPECT_THAT(removed.out, HasSubstr("removed "));
  if (is_sqlite()) {
    EXPECT_FALSE(fs::exists(kept.substr(7)));
  } else {
    auto admin = AdminConnection();
    auto left = admin->Query("SELECT COUNT(*) FROM pg_database WHERE datname LIKE $1",
                             {original.substr(original.rfind("dbname=") + 7) + "\\_%"});
    EXPECT_EQ(left->rows[0][0], "0");
  }
  RunResult status_after = RatchetOn(BookshopSet(), original, {"status"});
  EXPECT_THAT(status_after.out, Not(HasSubstr("Original:")));
}

TEST_P(CopyUpgrade, AFailedUpgradeOfTheCopyLeavesTheOriginalAsItWas) {
  WriteSet({{"V1__1__t.sql",
             "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);\n"
             "INSERT INTO t (id, name) VALUES (1, 'one');\n"},
            {"V2__2__broken.sql",
             "INSERT INTO t (id, name) VALUES (2, 'two');\n"
             "INSERT INTO nosuch (id) VALUES (1);\n"}});
  const std::string db = ExtraDatabase();
  ASSERT_EQ(RatchetOn(set_dir(), db, {"upgrade", "--to", "V1"}).exit_code, 0);
  WaitUntilIdle(db);
  const DatabaseImage before = TakeImage(db);

  RunResult failed = RatchetOn(set_dir(), db, {"copy-upgrade"});
  EXPECT_EQ(failed.exit_code, 1) << failed.all();
  EXPECT_THAT(failed.err, HasSubstr("items/V2__2__broken.sql:2:"));
  EXPECT_THAT(failed.err, HasSubstr("was not swapped in"));
  EXPECT_THAT(failed.err, HasSubstr("copy-upgrade --recover"));
  WaitUntilIdle(db);
  DatabaseImage after = TakeImage(db);
  EXPECT_EQ(after, before) << DescribeDifference(before, after);
  // The original takes writes again; the copy stays for a look.
  ExecuteOn(db, "INSERT INTO t (id, name) VALUES (10, 'written after the failure');\n");
  RunResult status = RatchetOn(set_dir(), db, {"status"});
  EXPECT_THAT(status.out, HasSubstr("(its state: failed-upgrade)"));
  EXPECT_THAT(status.out, HasSubstr("Next:        ratchet copy-upgrade --recover"));

  // Fixed, --recover copies the original afresh: the row written after the
  // failure is in the swapped-in database.
  WriteSet({{"V1__1__t.sql",
             "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);\n"
             "INSERT INTO t (id, name) VALUES (1, 'one');\n"},
            {"V2__2__broken.sql", "INSERT INTO t (id, name) VALUES (2, 'two');\n"}});
  RunResult recovered = RatchetOn(set_dir(), db, {"copy-upgrade", "--recover"});
  ASSERT_EQ(recovered.exit_code, 0) << recovered.all();
  WaitUntilIdle(db);
  std::vector<std::string> rows =
      is_sqlite() ? std::vector<std::string>{"t 1|one", "t 2|two", "t 10|written after the failure"}
                  : std::vector<std::string>{"public.t (1,one)", "public.t (2,two)",
                                             "public.t (10,\"written after the failure\")"};
  std::sort(rows.begin(), rows.end());
  EXPECT_EQ(TakeImage(db).rows, rows);
  EXPECT_EQ(Leftovers(db), "");
}

TEST_P(CopyUpgrade, ChecksTheOriginalFirstAndStopsWithNothingChanged) {
  WriteSet({{"V1__1__create_users.sql",
             "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);\n"
             "INSERT INTO users (id, email) VALUES (1, 'a@example.com'), (2, 'a@example.com');\n"},
            {"V2__2__unique_email.sql",
             "-- ratchet: check\n"
             "SELECT email, count(*) FROM users GROUP BY email HAVING count(*) > 1;\n"
             "-- ratchet: finalize\n"
             "CREATE UNIQUE INDEX users_email_key ON users (email);\n"}});
  const std::string db = ExtraDatabase();
  ASSERT_EQ(RatchetOn(set_dir(), db, {"upgrade", "--to", "V1"}).exit_code, 0);
  WaitUntilIdle(db);
  const DatabaseImage before = TakeImage(db);
  RunResult r = RatchetOn(set_dir(), db, {"copy-upgrade"});
  EXPECT_EQ(r.exit_code, 3) << r.all();
  EXPECT_THAT(r.all(), HasSubstr("a@example.com"));
  WaitUntilIdle(db);
  // The original as it was, and open to connections; no copy beside it.
  DatabaseImage after = TakeImage(db);
  EXPECT_EQ(after, before) << DescribeDifference(before, after);
  EXPECT_EQ(Beside(db), std::vector<std::string>{});
  RunResult status = RatchetOn(set_dir(), db, {"status", "--json"});
  auto j = nlohmann::json::parse(status.out);
  EXPECT_TRUE(j["copy_upgrade"].is_null()) << j.dump();
  EXPECT_EQ(j["status"], "active");
}

class PostgresCopyUpgrade : public CopyUpgrade {};
INSTANTIATE_TEST_SUITE_P(Engines, PostgresCopyUpgrade, ::testing::Values(EngineKind::kPostgres),
                         [](const auto&) { return std::string("Postgres"); });

TEST_P(PostgresCopyUpgrade, RefusesWhileOtherSessionsUseTheDatabaseAndNamesThem) {
  const std::string db = ExtraDatabase();
  ASSERT_EQ(RatchetOn(BookshopSet(), db, {"upgrade", "--to", "1.0"}).exit_code, 0);
  WaitUntilIdle(db);
  auto target = ParseTarget(db);
  ConnectOptions options;
  auto app = Connect(*target, options);
  ASSERT_TRUE(app.ok());
  ASSERT_TRUE((*app)->Execute("SET application_name = 'shop-frontend'").ok());

  RunResult refused = RatchetOn(BookshopSet(), db, {"copy-upgrade"});
  EXPECT_EQ(refused.exit_code, 5) << refused.all();
  EXPECT_THAT(refused.err, HasSubstr("1 other session(s) are connected"));
  EXPECT_THAT(refused.err, HasSubstr("application \"shop-frontend\""));
  // Nothing was changed: no copy, and the database still takes connections.
  app->reset();
  auto admin = AdminConnection();
  auto rows = admin->Query(
      "SELECT string_agg(datname || ':' || datallowconn, ',' ORDER BY datname) FROM pg_database "
      "WHERE datname LIKE $1",
      {db.substr(db.rfind("dbname=") + 7) + "%"});
  EXPECT_EQ(rows->rows[0][0], db.substr(db.rfind("dbname=") + 7) + ":true");
  EXPECT_EQ(RatchetOn(BookshopSet(), db, {"copy-upgrade"}).exit_code, 0);
}

TEST_P(CopyUpgrade, KilledAtAnyPointRecoverConverges) {
  Scenario s;
  s.name = "copy-upgrade of a live 1.0 shop";
  s.set_dir = BookshopSet();
  s.setup = [this](const std::string& db) { ShopAtOneDotZero(db); };
  s.steps = {{{"copy-upgrade"}}};
  s.points = {"statement.before", "statement.after", "commit.before", "commit.after",
              "copy.taken",       "copy.verified",   "copy.swapped"};
  if (is_sqlite()) {
    s.points.insert({"copy.step", "copy.kept-old"});
  } else {
    s.points.insert({"pipeline.sent", "journal.started", "journal.statement", "journal.ran"});
  }
  s.also_compare = [this](const std::string& db, const std::string& reference) -> std::string {
    std::string left = Leftovers(db);
    if (!left.empty()) return left;
    DatabaseImage expected = TakeImage(Kept(reference)), kept = TakeImage(Kept(db));
    return kept == expected ? "" : "kept original differs:\n" + DescribeDifference(expected, kept);
  };
  Sweep(s);
}

}  // namespace
}  // namespace ratchet::testing

namespace ratchet::testing {
namespace {

class SqliteCopyUpgrade : public CopyUpgrade {};
INSTANTIATE_TEST_SUITE_P(Engines, SqliteCopyUpgrade, ::testing::Values(EngineKind::kSqlite),
                         [](const auto&) { return std::string("Sqlite"); });

TEST_P(SqliteCopyUpgrade, RefusesAFileInWalModeAndChangesNothing) {
  ASSERT_EQ(RatchetOn(BookshopSet(), db(), {"upgrade", "--to", "1.0"}).exit_code, 0);
  ASSERT_EQ(Value("PRAGMA journal_mode = WAL"), "wal");
  const DatabaseImage before = TakeImage(db());
  RunResult refused = RatchetOn(BookshopSet(), db(), {"copy-upgrade"});
  EXPECT_EQ(refused.exit_code, 5) << refused.all();
  EXPECT_THAT(refused.err, HasSubstr("WAL mode"));
  EXPECT_THAT(refused.err, HasSubstr("PRAGMA journal_mode=DELETE"));
  const std::string path = db().substr(7);
  for (const char* left : {".copying", ".new", ".old"}) {
    EXPECT_FALSE(fs::exists(path + left)) << left;
  }
  DatabaseImage after = TakeImage(db());
  EXPECT_EQ(after, before) << DescribeDifference(before, after);
}

// Only a complete copy carries the name <file>.new: killed in the middle of
// the backup, the copy is <file>.copying, and status says the copy-upgrade
// has not finished.
TEST_P(SqliteCopyUpgrade, AKillDuringTheCopyLeavesNoCompleteLookingCopy) {
  ShopAtOneDotZero(db());
  ASSERT_FALSE(HasFatalFailure());
  const DatabaseImage before = TakeImage(db());
  RunResult killed =
      RatchetOn(BookshopSet(), db(), {"copy-upgrade"}, {"RATCHET_FAULT=copy.step:2"});
  ASSERT_EQ(killed.exit_code, fault::kFaultExitCode) << killed.all();
  const std::string path = db().substr(7);
  EXPECT_TRUE(fs::exists(path + ".copying"));
  EXPECT_FALSE(fs::exists(path + ".new"));
  DatabaseImage after = TakeImage(db());
  EXPECT_EQ(after, before) << DescribeDifference(before, after);
  RunResult status = RatchetOn(BookshopSet(), db(), {"status"});
  EXPECT_THAT(status.out, HasSubstr("copy-upgrade has not finished"));
  EXPECT_THAT(status.out, HasSubstr("Next:        ratchet copy-upgrade --recover"));
}

// The upgraded copy takes the original's place with its mode, owner and
// group: a private database stays private, and one the application's user
// owns is not handed to whoever ran ratchet.
TEST_P(SqliteCopyUpgrade, TheSwappedInCopyKeepsTheOriginalsModeAndOwner) {
  ASSERT_EQ(RatchetOn(BookshopSet(), db(), {"upgrade", "--to", "1.0"}).exit_code, 0);
  const std::string path = db().substr(7);
  ASSERT_EQ(chmod(path.c_str(), 0600), 0);
  // As root the file is given to another user, as an application's would be.
  const bool root = geteuid() == 0;
  const uid_t owner = root ? 65534 : geteuid();
  const gid_t group = root ? 65534 : getegid();
  if (root) {
    ASSERT_EQ(chown(path.c_str(), owner, group), 0);
  }
  struct stat before {};
  ASSERT_EQ(stat(path.c_str(), &before), 0);

  RunResult r = RatchetOn(BookshopSet(), db(), {"copy-upgrade"});
  ASSERT_EQ(r.exit_code, 0) << r.all();
  struct stat after {};
  ASSERT_EQ(stat(path.c_str(), &after), 0);
  EXPECT_NE(after.st_ino, before.st_ino) << "the copy should have taken the original's name";
  EXPECT_EQ(after.st_mode & 07777, 0600u);
  EXPECT_EQ(after.st_uid, owner);
  EXPECT_EQ(after.st_gid, group);
  struct stat kept {};
  ASSERT_EQ(stat((path + ".old").c_str(), &kept), 0);
  EXPECT_EQ(kept.st_ino, before.st_ino);
  RunResult status = RatchetOn(BookshopSet(), db(), {"status"});
  EXPECT_THAT(status.out, HasSubstr("Original:    kept as "));
}

}  // namespace
}  // namespace ratchet::testing
