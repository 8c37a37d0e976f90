// SQLite runs consecutive items in one transaction, each under a savepoint,
// and commits a few times a second (TransactionGroup): each item stays
// atomic with its row, a crash loses the uncommitted items together with
// their rows, a failing item leaves the items before it applied, and the
// run's closing write commits what is left and waits for the disk.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ratchet/runner.h"
#include "ratchet/upgrade_set.h"
#include "support/harness.h"
#include "util/fault.h"

namespace ratchet::testing {
namespace {

using ::testing::Contains;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

// SQLite only: PostgreSQL runs each item in a transaction of its own.
class SqliteGroup : public EngineTest {
 protected:
  RunResult Upgrade(const std::vector<std::string>& env = {}) {
    return RunRatchet({"upgrade", "--set", set_dir().string(), "--db", db()}, env);
  }
};
INSTANTIATE_TEST_SUITE_P(Engines, SqliteGroup, ::testing::Values(EngineKind::kSqlite),
                         [](const auto&) { return std::string("Sqlite"); });

// A VFS in front of SQLite's own that records, in order, every write and
// sync of the main database file and of its rollback journal, and the
// journal's deletion (its commit). Registered as the default VFS of this
// process while it lives, so a run through the library uses it.
class RecordingVfs {
 public:
  RecordingVfs() {
    base_ = sqlite3_vfs_find(nullptr);
    vfs_ = *base_;
    vfs_.zName = "ratchet-test-recording";
    vfs_.szOsFile = static_cast<int>(sizeof(File)) + base_->szOsFile;
    vfs_.pAppData = this;
    vfs_.pNext = nullptr;
    vfs_.xOpen = &Open;
    vfs_.xDelete = &Delete;
    methods_.iVersion = 1;
    methods_.xClose = [](sqlite3_file* f) {
      int rc = Real(f)->pMethods->xClose(Real(f));
      f->pMethods = nullptr;
      return rc;
    };
    methods_.xRead = [](sqlite3_file* f, void* out, int n, sqlite3_int64 at) {
      return Real(f)->pMethods->xRead(Real(f), out, n, at);
    };
    methods_.xWrite = [](sqlite3_file* f, const void* data, int n, sqlite3_int64 at) {
      Self(f)->vfs->Note("write", f);
      return Real(f)->pMethods->xWrite(Real(f), data, n, at);
    };
    methods_.xTruncate = [](sqlite3_file* f, sqlite3_int64 size) {
      Self(f)->vfs->Note("write", f);
      return Real(f)->pMethods->xTruncate(Real(f), size);
    };
    methods_.xSync = [](sqlite3_file* f, int flags) {
      Self(f)->vfs->Note("sync", f);
      return Real(f)->pMethods->xSync(Real(f), flags);
    };
    methods_.xFileSize = [](sqlite3_file* f, sqlite3_int64* size) {
      return Real(f)->pMethods->xFileSize(Real(f), size);
    };
    methods_.xLock = [](sqlite3_file* f, int level) {
      return Real(f)->pMethods->xLock(Real(f), level);
    };
    methods_.xUnlock = [](sqlite3_file* f, int level) {
      return Real(f)->pMethods->xUnlock(Real(f), level);
    };
    methods_.xCheckReservedLock = [](sqlite3_file* f, int* out) {
      return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
    };
    methods_.xFileControl = [](sqlite3_file* f, int op, void* arg) {
      return Real(f)->pMethods->xFileControl(Real(f), op, arg);
    };
    methods_.xSectorSize = [](sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); };
    methods_.xDeviceCharacteristics = [](sqlite3_file* f) {
      return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
    };
    registered_ = sqlite3_vfs_register(&vfs_, /*makeDflt=*/1) == SQLITE_OK;
  }
  ~RecordingVfs() {
    if (registered_) sqlite3_vfs_unregister(&vfs_);
  }
  RecordingVfs(const RecordingVfs&) = delete;
  RecordingVfs& operator=(const RecordingVfs&) = delete;

  bool registered() const { return registered_; }
  // "write db", "sync journal", "delete journal", ... in the order they came.
  std::vector<std::string> operations() {
    std::lock_guard<std::mutex> lock(mu_);
    return operations_;
  }

 private:
  struct File {
    sqlite3_file base;
    RecordingVfs* vfs;
    const char* role;  // "db", "journal" or null for files not recorded
  };
  static File* Self(sqlite3_file* f) { return reinterpret_cast<File*>(f); }
  static sqlite3_file* Real(sqlite3_file* f) {
    return reinterpret_cast<sqlite3_file*>(Self(f) + 1);
  }

  void Note(const char* what, sqlite3_file* f) {
    if (Self(f)->role == nullptr) return;
    std::lock_guard<std::mutex> lock(mu_);
    operations_.push_back(std::string(what) + " " + Self(f)->role);
  }

  static int Open(sqlite3_vfs* vfs, const char* name, sqlite3_file* f, int flags, int* out) {
    auto* self = static_cast<RecordingVfs*>(vfs->pAppData);
    File* file = Self(f);
    file->base.pMethods = nullptr;
    file->vfs = self;
    file->role = (flags & SQLITE_OPEN_MAIN_DB)        ? "db"
                 : (flags & SQLITE_OPEN_MAIN_JOURNAL) ? "journal"
                                                      : nullptr;
    int rc = self->base_->xOpen(self->base_, name, Real(f), flags, out);
    if (rc == SQLITE_OK && Real(f)->pMethods != nullptr) file->base.pMethods = &self->methods_;
    return rc;
  }
  static int Delete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
    auto* self = static_cast<RecordingVfs*>(vfs->pAppData);
    std::string path = name;
    if (path.size() > 8 && path.compare(path.size() - 8, 8, "-journal") == 0) {
      std::lock_guard<std::mutex> lock(self->mu_);
      self->operations_.push_back("delete journal");
    }
    return self->base_->xDelete(self->base_, name, sync_dir);
  }

  sqlite3_vfs* base_ = nullptr;
  sqlite3_vfs vfs_{};
  sqlite3_io_methods methods_{};
  bool registered_ = false;
  std::mutex mu_;
  std::vector<std::string> operations_;
};

// A statement that keeps SQLite busy for well over the group's window.
constexpr const char* kSlowStatement =
    "CREATE TABLE slow AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
    "WHERE x < 3000000) SELECT count(*) AS n FROM c;\n";

TEST_P(SqliteGroup, ACrashInsideAGroupLosesItsItemsTogetherWithTheirRows) {
  WriteSet({{"V1__1__a.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n"},
            {"V2__2__b.sql",
             "CREATE TABLE b (id INTEGER PRIMARY KEY);\n"
             "INSERT INTO b VALUES (1);\n"},
            {"V3__3__c.sql", "CREATE TABLE c (id INTEGER PRIMARY KEY);\n"}});
  // The bookkeeping and the run's start commit first; statements 1-3 are
  // V1's and V2's, in the next group with V3: the kill after V3's CREATE
  // TABLE comes before that group has committed.
  RunResult killed = Upgrade({"RATCHET_FAULT=statement.after:4"});
  ASSERT_EQ(killed.exit_code, fault::kFaultExitCode) << killed.all();
  std::vector<std::string> tables = Tables();
  // V1 and V2 went with the group: no item without its row, no row without
  // its item.
  EXPECT_THAT(tables, Not(Contains("a")));
  EXPECT_THAT(tables, Not(Contains("b")));
  EXPECT_THAT(tables, Not(Contains("c")));
  EXPECT_EQ(Value("SELECT COUNT(*) FROM ratchet_items"), "0");

  RunResult status = Ratchet("status");
  EXPECT_EQ(status.exit_code, 0) << status.all();
  EXPECT_THAT(status.out, HasSubstr("upgrading, interrupted"));
  EXPECT_THAT(status.out, HasSubstr("3 item(s): V1"));

  RunResult resumed = Upgrade();
  ASSERT_EQ(resumed.exit_code, 0) << resumed.all();
  EXPECT_EQ(Value("SELECT COUNT(*) FROM b"), "1");
  EXPECT_EQ(Value("SELECT group_concat(version, ',') FROM (SELECT version FROM ratchet_items "
                  "WHERE phase = 'applied' ORDER BY major, minor)"),
            "V1,V2,V3");
  EXPECT_EQ(Value("SELECT status FROM ratchet_state"), "active");
}

TEST_P(SqliteGroup, AGroupCommitsOnceItHasBeenOpenForItsWindow) {
  WriteSet({{"V1__1__a.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n"},
            {"V2__2__slow.sql", kSlowStatement},
            {"V3__3__c.sql", "CREATE TABLE c (id INTEGER PRIMARY KEY);\n"}});
  // V2 outlasts the window, so the group holding V1 and V2 commits after
  // it; the kill in V3 loses only V3.
  RunResult killed = Upgrade({"RATCHET_FAULT=statement.after:3"});
  ASSERT_EQ(killed.exit_code, fault::kFaultExitCode) << killed.all();
  EXPECT_EQ(Value("SELECT group_concat(version, ',') FROM (SELECT version FROM ratchet_items "
                  "ORDER BY major, minor)"),
            "V1,V2");
  EXPECT_EQ(Value("SELECT n FROM slow"), "3000000");
  EXPECT_THAT(Tables(), Not(Contains("c")));
  EXPECT_EQ(Value("SELECT status FROM ratchet_state"), "upgrading");

  RunResult resumed = Upgrade();
  ASSERT_EQ(resumed.exit_code, 0) << resumed.all();
  EXPECT_THAT(resumed.out, Not(HasSubstr("V1 ")));  // not run again
  EXPECT_THAT(Tables(), Contains("c"));
  EXPECT_EQ(Value("SELECT status FROM ratchet_state"), "active");
}

TEST_P(SqliteGroup, ACommitIntervalOfZeroCommitsEachItemOnItsOwn) {
  WriteSet({{"V1__1__a.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n"},
            {"V2__2__b.sql",
             "CREATE TABLE b (id INTEGER PRIMARY KEY);\n"
             "INSERT INTO b VALUES (1);\n"},
            {"V3__3__c.sql", "CREATE TABLE c (id INTEGER PRIMARY KEY);\n"}},
           "sqlite-commit-interval = \"0\"\n");
  // The same kill as in ACrashInsideAGroupLosesItsItemsTogetherWithTheirRows
  // now loses only V3: V1 and V2 had committed.
  RunResult killed = Upgrade({"RATCHET_FAULT=statement.after:4"});
  ASSERT_EQ(killed.exit_code, fault::kFaultExitCode) << killed.all();
  EXPECT_EQ(Value("SELECT group_concat(version, ',') FROM (SELECT version FROM ratchet_items "
                  "ORDER BY major, minor)"),
            "V1,V2");
  EXPECT_THAT(Tables(), Not(Contains("c")));
  RunResult resumed = Upgrade();
  ASSERT_EQ(resumed.exit_code, 0) << resumed.all();
  EXPECT_THAT(Tables(), Contains("c"));
}

TEST_P(SqliteGroup, AMalformedCommitIntervalIsRefusedWithItsPlace) {
  WriteSet({{"V1__1__a.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n"}},
           "sqlite-commit-interval = 250\n");
  RunResult run = Upgrade();
  EXPECT_EQ(run.exit_code, 2) << run.all();
  EXPECT_THAT(run.err, HasSubstr("ratchet.toml:3:"));
  EXPECT_THAT(run.err, HasSubstr("'sqlite-commit-interval' must be a duration string"));
  EXPECT_THAT(Tables(), Not(Contains("a")));
}

TEST_P(SqliteGroup, AFailingItemKeepsTheItemsBeforeItInItsGroupAndNothingOfItself) {
  WriteSet({{"V1__1__a.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n"},
            {"V2__2__b.sql",
             "CREATE TABLE b (id INTEGER PRIMARY KEY);\n"
             "INSERT INTO b VALUES (1);\n"
             "INSERT INTO missing VALUES (1);\n"},
            {"V3__3__c.sql", "CREATE TABLE c (id INTEGER PRIMARY KEY);\n"}});
  RunResult failed = Upgrade();
  EXPECT_EQ(failed.exit_code, 1) << failed.all();
  EXPECT_THAT(failed.all(), HasSubstr("items/V2__2__b.sql:3:"));
  std::vector<std::string> tables = Tables();
  EXPECT_THAT(tables, Contains("a"));
  EXPECT_THAT(tables, Not(Contains("b")));
  EXPECT_THAT(tables, Not(Contains("c")));
  EXPECT_EQ(Value("SELECT group_concat(version, ',') FROM ratchet_items"), "V1");
  EXPECT_EQ(Value("SELECT status || ' ' || error_item || ' ' || error_line FROM ratchet_state"),
            "failed-upgrade V2 3");
}

TEST_P(SqliteGroup, AnOptionalFailureInsideAGroupIsRecordedAndTheGroupGoesOn) {
  WriteSet({{"V1__1__a.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n"},
            {"V2__2__opt.sql",
             "-- ratchet: optional\n"
             "CREATE TABLE b (id INTEGER PRIMARY KEY);\n"
             "INSERT INTO missing VALUES (1);\n"},
            {"V3__3__c.sql", "CREATE TABLE c (id INTEGER PRIMARY KEY);\n"}});
  RunResult run = Upgrade();
  EXPECT_EQ(run.exit_code, 0) << run.all();
  std::vector<std::string> tables = Tables();
  EXPECT_THAT(tables, Contains("a"));
  EXPECT_THAT(tables, Not(Contains("b")));
  EXPECT_THAT(tables, Contains("c"));
  EXPECT_EQ(Value("SELECT group_concat(version || ':' || phase, ',') FROM (SELECT version, phase "
                  "FROM ratchet_items ORDER BY major, minor)"),
            "V1:applied,V2:failed,V3:applied");
}

TEST_P(SqliteGroup, ACommitThatFindsAReaderWaitsAndTriesAgain) {
  // Each attempt waits 300 ms for the reader, then ratchet retries.
  const std::string toml = "lock-timeout = \"300ms\"\n";  // in [project]
  WriteSet({{"V1__1__a.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n"}}, toml);
  ASSERT_EQ(Upgrade().exit_code, 0);
  // A reader in the middle of a read transaction holds the file's shared
  // lock, which keeps any commit from writing the file, for 1.5 s.
  sqlite3* reader = nullptr;
  const std::string path = db().substr(db().find(':') + 1);
  ASSERT_EQ(sqlite3_open(path.c_str(), &reader), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(reader, "BEGIN; SELECT COUNT(*) FROM a;", nullptr, nullptr, nullptr),
            SQLITE_OK);
  std::thread release([reader] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    sqlite3_exec(reader, "COMMIT", nullptr, nullptr, nullptr);
    sqlite3_close(reader);
  });
  WriteSet({{"V1__1__a.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n"},
            {"V2__2__b.sql", "CREATE TABLE b (id INTEGER PRIMARY KEY);\n"}},
           toml);
  RunResult run = Upgrade();
  release.join();
  ASSERT_EQ(run.exit_code, 0) << run.all();
  EXPECT_THAT(run.out, HasSubstr("the commit waited too long for readers of"));
  EXPECT_THAT(run.out, HasSubstr("retry 1/5"));
  EXPECT_THAT(Tables(), Contains("b"));
  EXPECT_EQ(Value("SELECT status FROM ratchet_state"), "active");
}

// A commit that never gets the file (a reader holds it throughout) stops
// the run after its retries, and says that the steps since the last commit
// went with it and what to run; once the reader is gone the run completes.
TEST_P(SqliteGroup, ACommitThatNeverGetsTheFileStopsTheRunAndSaysWhatWentWithIt) {
  const std::string toml = "lock-timeout = \"100ms\"\n";  // in [project]
  WriteSet({{"V1__1__a.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n"}}, toml);
  ASSERT_EQ(Upgrade().exit_code, 0);
  sqlite3* reader = nullptr;
  const std::string path = db().substr(db().find(':') + 1);
  ASSERT_EQ(sqlite3_open(path.c_str(), &reader), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(reader, "BEGIN; SELECT COUNT(*) FROM a;", nullptr, nullptr, nullptr),
            SQLITE_OK);
  WriteSet({{"V1__1__a.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n"},
            {"V2__2__b.sql", "CREATE TABLE b (id INTEGER PRIMARY KEY);\n"}},
           toml);
  RunResult run = Upgrade();
  sqlite3_exec(reader, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_close(reader);
  EXPECT_EQ(run.exit_code, 1) << run.all();
  EXPECT_THAT(run.out, HasSubstr("retry 5/5"));
  EXPECT_THAT(run.err, ContainsRegex("The [0-9]+ step\\(s\\) run since ratchet's last commit"));
  EXPECT_THAT(run.err, HasSubstr("running again applies them"));
  EXPECT_THAT(Tables(), Not(Contains("b")));
  EXPECT_EQ(Value("SELECT status FROM ratchet_state"), "active");

  RunResult again = Upgrade();
  ASSERT_EQ(again.exit_code, 0) << again.all();
  EXPECT_THAT(Tables(), Contains("b"));
}

// The run's closing write commits the open group and waits for the disk, as
// every SQLite commit does under the default synchronous=FULL, which ratchet
// leaves as it is: when upgrade returns, every write it made to the file has
// been synced and the journal is gone, so the run's end and every item
// before it survive a power cut.
TEST_P(SqliteGroup, TheRunsClosingWriteCommitsTheGroupAndWaitsForTheDisk) {
  WriteSet(
      {{"V1__1__a.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n"},
       {"V2__2__b.sql", "CREATE TABLE b (id INTEGER PRIMARY KEY);\nINSERT INTO b VALUES (1);\n"},
       {"V3__3__c.sql", "CREATE TABLE c (id INTEGER PRIMARY KEY);\n"}});
  auto set = LoadUpgradeSet(set_dir(), {});
  ASSERT_TRUE(set.ok()) << set.status().message();
  auto target = ParseTarget(db());
  ASSERT_TRUE(target.ok()) << target.status().message();
  std::vector<std::string> operations;
  {
    RecordingVfs vfs;
    ASSERT_TRUE(vfs.registered());
    auto conn = Connect(*target, {});
    ASSERT_TRUE(conn.ok()) << conn.status().message();
    auto summary = ::ratchet::Upgrade(**conn, *set, UpgradeOptions{}, nullptr);
    ASSERT_TRUE(summary.ok()) << summary.status().message();
    EXPECT_EQ(summary->applied, 3u);
    EXPECT_FALSE((*conn)->InTransaction());
    // The user's settings, untouched: those of any new connection.
    for (const char* pragma : {"PRAGMA synchronous", "PRAGMA journal_mode"}) {
      auto own = (*conn)->Query(pragma);
      auto fresh = OpenDb(db())->Query(pragma);
      ASSERT_TRUE(own.ok() && fresh.ok()) << pragma;
      EXPECT_EQ(own->rows[0][0], fresh->rows[0][0]) << pragma;
    }
    operations = vfs.operations();
  }
  auto last = [&](const std::string& op) {
    auto it = std::find(operations.rbegin(), operations.rend(), op);
    return it == operations.rend() ? -1 : static_cast<int>(operations.rend() - it) - 1;
  };
  ASSERT_GE(last("write db"), 0) << "no write of the database file was seen";
  // Every write of the file was followed by a sync of it, and the commit
  // that deleted the journal came after both.
  EXPECT_GT(last("sync db"), last("write db"));
  EXPECT_GT(last("delete journal"), last("sync db"));
  EXPECT_GT(last("sync journal"), -1) << "the journal was never synced before the file was written";
  EXPECT_EQ(Value("SELECT status FROM ratchet_state"), "active");
  EXPECT_EQ(Value("SELECT COUNT(*) FROM ratchet_items WHERE phase = 'applied'"), "3");
}

}  // namespace
}  // namespace ratchet::testing
