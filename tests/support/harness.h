// Test support: scratch directories, upgrade sets written on the fly, the
// ratchet binary run as a user would run it, and one fresh database per test
// on each engine (a SQLite file; a database on the throwaway PostgreSQL).
#ifndef RATCHET_TESTS_SUPPORT_HARNESS_H_
#define RATCHET_TESTS_SUPPORT_HARNESS_H_

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ratchet/engine.h"

namespace ratchet::testing {

// A directory removed with everything in it when the object goes away.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Writes `content` to `path`, creating parent directories.
void WriteFile(const std::filesystem::path& path, const std::string& content);

// What a run of the ratchet binary printed and returned.
struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  std::string all() const { return out + err; }
};

// Runs the ratchet binary with `args`; `env` entries are "NAME=value".
RunResult RunRatchet(const std::vector<std::string>& args,
                     const std::vector<std::string>& env = {});

// Runs the program `argv[0]` with the rest of `argv` as its arguments, as
// RunRatchet does, e.g. the ratchet binary (RATCHET_BIN) behind setpriv.
RunResult RunCommand(const std::vector<std::string>& argv,
                     const std::vector<std::string>& env = {});

// Starts the ratchet binary in the background; Wait() returns its result.
// `env` entries ("NAME=value") are added to its environment.
class BackgroundRun {
 public:
  explicit BackgroundRun(const std::vector<std::string>& args,
                         const std::vector<std::string>& env = {});
  RunResult Wait();
  int pid() const { return pid_; }

 private:
  int pid_ = -1;
  std::filesystem::path out_, err_;
  ScratchDir dir_;
};

// The file locks process `pid` holds now, from /proc/locks: all of them, or
// only its flock()s (ratchet's SQLite upgrade lock) with `flock_only`.
int FileLocksHeldBy(int pid, bool flock_only = false);

// Waits up to `timeout` until `pid` holds at least `count` file locks (see
// FileLocksHeldBy); returns whether it did.
bool WaitForFileLocks(int pid, int count, bool flock_only,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10));

// The path of examples/bookshop in the source tree.
std::filesystem::path BookshopSet();

// A fresh database per test on the engine of the test's parameter.
class EngineTest : public ::testing::TestWithParam<EngineKind> {
 protected:
  void SetUp() override;
  void TearDown() override;

  EngineKind engine() const { return GetParam(); }
  bool is_sqlite() const { return GetParam() == EngineKind::kSqlite; }
  // What to pass to --db.
  const std::string& db() const { return db_; }
  const std::filesystem::path& dir() const { return scratch_.path(); }
  std::filesystem::path set_dir() const { return scratch_.path() / "set"; }

  // Writes ratchet.toml (with `toml` appended to a [project] table) and the
  // given item files into set_dir(), replacing any earlier set.
  void WriteSet(const std::map<std::string, std::string>& items, const std::string& toml = "");
  // Runs ratchet `command` against this test's set and database.
  RunResult Ratchet(const std::string& command, const std::vector<std::string>& extra = {});

  // A new connection to the test's database, through the library.
  std::unique_ptr<Connection> Open();
  // The rows of `sql`, each row's columns joined with '|', NULL as "NULL".
  std::vector<std::string> Rows(const std::string& sql);
  // The single value of `sql`.
  std::string Value(const std::string& sql);
  // The user tables of the database (not ratchet's), sorted.
  std::vector<std::string> Tables();
  // The bookkeeping table `name` as the engine spells it.
  std::string Books(const std::string& name) const;

  // A connection to, and the rows of `sql` on, the database `db` (a --db value).
  std::unique_ptr<Connection> OpenDb(const std::string& db);
  std::vector<std::string> RowsOn(const std::string& db, const std::string& sql);
  // The schema of database `db` as sorted lines, the catalog of its image
  // (support/image.h): on SQLite every object's full definition (column
  // order, CHECK, FOREIGN KEY, table constraints), on PostgreSQL each
  // column's type with its modifiers, position, nullability and default,
  // and every constraint, index, view, trigger, function and sequence.
  // ratchet's bookkeeping and the DDL freeze are left out.
  std::vector<std::string> Catalog(const std::string& db);
  std::vector<std::string> Catalog() { return Catalog(db_); }
  // Another database for this test, on its engine, removed with the test:
  // empty, or a copy of `copy_of` (a database of this test, given as for
  // --db, that no session is using; on SQLite one no run has created yet
  // copies as a file still to be created). Returns what to pass to --db.
  std::string ExtraDatabase(const std::string& copy_of = "");
  // Removes a database ExtraDatabase made, and what copy-upgrade put next
  // to it, before the test ends.
  void RemoveDatabase(const std::string& db);
  // PostgreSQL: waits until no session other than the caller's is connected
  // to `db` (as for --db), e.g. until the server has noticed that a killed
  // ratchet is gone. SQLite: returns at once.
  void WaitUntilIdle(const std::string& db);
  // PostgreSQL: an administrator's connection to the test server; null on SQLite.
  std::unique_ptr<Connection> AdminConnection();

 private:
  ScratchDir scratch_;
  std::string db_;
  std::string pg_admin_;
  std::string pg_database_;
  // What ExtraDatabase made: PostgreSQL names to drop, SQLite --db values.
  std::vector<std::string> extra_databases_;
};

// Instantiates an EngineTest suite for SQLite and PostgreSQL.
#define RATCHET_ALL_ENGINES(suite)                                                     \
  INSTANTIATE_TEST_SUITE_P(                                                            \
      Engines, suite, ::testing::Values(EngineKind::kSqlite, EngineKind::kPostgres),   \
      [](const ::testing::TestParamInfo<EngineKind>& info) {                           \
        return std::string(info.param == EngineKind::kSqlite ? "Sqlite" : "Postgres"); \
      })

}  // namespace ratchet::testing

#endif  // RATCHET_TESTS_SUPPORT_HARNESS_H_
