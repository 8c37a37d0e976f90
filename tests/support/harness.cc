// The test harness behind every engine test.
#include "support/harness.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/image.h"

namespace ratchet::testing {
namespace fs = std::filesystem;

namespace {

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

}  // namespace

ScratchDir::ScratchDir() {
  std::string pattern = (fs::temp_directory_path() / "ratchet-test-XXXXXX").string();
  char* made = mkdtemp(pattern.data());
  if (made == nullptr) {
    ADD_FAILURE() << "cannot create a scratch directory " << pattern << ": "
                  << std::strerror(errno);
    return;
  }
  path_ = fs::path(made);
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  if (!path_.empty()) fs::remove_all(path_, ec);
}

void WriteFile(const fs::path& path, const std::string& content) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  EXPECT_FALSE(ec) << "cannot create " << path.parent_path() << ": " << ec.message();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  EXPECT_TRUE(out.good()) << "cannot write " << path;
}

RunResult RunRatchet(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  std::vector<std::string> argv = {RATCHET_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, env);
}

RunResult RunCommand(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  ScratchDir capture;
  std::string command;
  for (const std::string& e : env) {
    size_t eq = e.find('=');
    command += e.substr(0, eq + 1) + ShellQuote(e.substr(eq + 1)) + " ";
  }
  for (size_t k = 0; k < argv.size(); ++k) command += (k ? " " : "") + ShellQuote(argv[k]);
  command += " >" + ShellQuote((capture.path() / "out").string());
  command += " 2>" + ShellQuote((capture.path() / "err").string());
  int status = std::system(command.c_str());
  RunResult r;
  if (status == -1) {
    ADD_FAILURE() << "cannot run " << command << ": " << std::strerror(errno);
    return r;
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = ReadAll(capture.path() / "out");
  r.err = ReadAll(capture.path() / "err");
  return r;
}

BackgroundRun::BackgroundRun(const std::vector<std::string>& args,
                             const std::vector<std::string>& env) {
  out_ = dir_.path() / "out";
  err_ = dir_.path() / "err";
  pid_ = fork();
  if (pid_ < 0) ADD_FAILURE() << "cannot start ratchet in the background: " << std::strerror(errno);
  if (pid_ == 0) {
    FILE* o = freopen(out_.c_str(), "w", stdout);
    FILE* e = freopen(err_.c_str(), "w", stderr);
    (void)o;
    (void)e;
    for (const std::string& entry : env) {
      size_t eq = entry.find('=');
      setenv(entry.substr(0, eq).c_str(), entry.substr(eq + 1).c_str(), 1);
    }
    std::vector<char*> argv;
    std::string bin = RATCHET_BIN;
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (std::string& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
}

RunResult BackgroundRun::Wait() {
  RunResult r;
  int status = 0;
  if (pid_ <= 0 || waitpid(pid_, &status, 0) != pid_) {
    ADD_FAILURE() << "no background ratchet to wait for (pid " << pid_ << ")";
    return r;
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = ReadAll(out_);
  r.err = ReadAll(err_);
  return r;
}

int FileLocksHeldBy(int pid, bool flock_only) {
  // Lines read "1: FLOCK  ADVISORY  WRITE <pid> <device>:<inode> 0 EOF".
  std::ifstream locks("/proc/locks");
  EXPECT_TRUE(locks.is_open()) << "cannot read /proc/locks";
  const std::string owner = " " + std::to_string(pid) + " ";
  int held = 0;
  for (std::string line; std::getline(locks, line);) {
    if (line.find("->") != std::string::npos) continue;  // a waiter
    if (flock_only && line.find("FLOCK") == std::string::npos) continue;
    if (line.find(owner) != std::string::npos) ++held;
  }
  return held;
}

bool WaitForFileLocks(int pid, int count, bool flock_only, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (FileLocksHeldBy(pid, flock_only) < count) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return true;
}

fs::path BookshopSet() { return fs::path(RATCHET_SOURCE_DIR) / "examples" / "bookshop"; }

void EngineTest::SetUp() {
  if (is_sqlite()) {
    db_ = "sqlite:" + (dir() / "test.db").string();
    return;
  }
  pg_admin_ = Env("RATCHET_TEST_PG");
  if (pg_admin_.empty()) {
    if (Env("RATCHET_REQUIRE_PG") == "1") {
      FAIL() << "RATCHET_TEST_PG is not set: run the tests through 'make test'";
    }
    GTEST_SKIP() << "RATCHET_TEST_PG is not set: run the tests through 'make test'";
  }
  static std::atomic<int> counter{0};
  pg_database_ = "ratchet_e_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  auto admin = ParseTarget(pg_admin_);
  ASSERT_TRUE(admin.ok()) << admin.status().message();
  auto conn = Connect(*admin, {});
  ASSERT_TRUE(conn.ok()) << conn.status().message();
  Status s = (*conn)->Execute("CREATE DATABASE " + pg_database_);
  ASSERT_TRUE(s.ok()) << s.message();
  db_ = "host=" + Env("RATCHET_TEST_PG_HOST") + " port=" + Env("RATCHET_TEST_PG_PORT") +
        " user=" + Env("RATCHET_TEST_PG_USER") + " dbname=" + pg_database_;
}

void EngineTest::TearDown() {
  if (pg_database_.empty()) return;
  auto admin = ParseTarget(pg_admin_);
  if (!admin.ok()) return;
  auto conn = Connect(*admin, {});
  if (!conn.ok()) return;
  for (const std::string& name : extra_databases_) {
    // With what copy-upgrade puts next to a database.
    for (const char* suffix : {"", "_copying", "_new", "_old"}) {
      (*conn)->Execute("DROP DATABASE IF EXISTS " + name + suffix + " WITH (FORCE)");
    }
  }
  (*conn)->Execute("DROP DATABASE IF EXISTS " + pg_database_ + " WITH (FORCE)");
}

std::unique_ptr<Connection> EngineTest::OpenDb(const std::string& db) {
  auto target = ParseTarget(db);
  EXPECT_TRUE(target.ok()) << target.status().message();
  if (!target.ok()) return nullptr;
  auto conn = Connect(*target, {});
  EXPECT_TRUE(conn.ok()) << conn.status().message();
  if (!conn.ok()) return nullptr;
  return std::move(*conn);
}

std::vector<std::string> EngineTest::RowsOn(const std::string& db, const std::string& sql) {
  std::vector<std::string> out;
  auto conn = OpenDb(db);
  if (!conn) return out;
  auto r = conn->Query(sql);
  EXPECT_TRUE(r.ok()) << sql << ": " << r.status().message();
  if (!r.ok()) return out;
  for (const Row& row : r->rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      if (i) line += "|";
      line += row[i].value_or("NULL");
    }
    out.push_back(line);
  }
  return out;
}

std::vector<std::string> EngineTest::Catalog(const std::string& db) {
  auto conn = OpenDb(db);
  if (!conn) return {};
  return ReadCatalog(*conn);
}

std::unique_ptr<Connection> EngineTest::AdminConnection() {
  if (is_sqlite()) return nullptr;
  auto admin = ParseTarget(pg_admin_);
  EXPECT_TRUE(admin.ok()) << admin.status().message();
  if (!admin.ok()) return nullptr;
  auto conn = Connect(*admin, {});
  EXPECT_TRUE(conn.ok()) << conn.status().message();
  if (!conn.ok()) return nullptr;
  return std::move(*conn);
}

namespace {
// The database name in a --db string this harness made.
std::string PgName(const std::string& db) {
  size_t at = db.rfind("dbname=");
  return at == std::string::npos ? "" : db.substr(at + 7);
}
}  // namespace

std::string EngineTest::ExtraDatabase(const std::string& copy_of) {
  const int n = static_cast<int>(extra_databases_.size()) + 1;
  if (is_sqlite()) {
    const std::string made = "sqlite:" + (dir() / ("extra-" + std::to_string(n) + ".db")).string();
    extra_databases_.push_back(made);
    if (copy_of.empty()) return made;
    const std::string source = copy_of.substr(copy_of.find(':') + 1);
    if (!fs::exists(source)) {
      // A database of this test that no run has created yet (ratchet
      // creates the file) copies as one that does not exist either; any
      // other missing file is a mistake in the test.
      bool ours = copy_of == db_ || std::find(extra_databases_.begin(), extra_databases_.end(),
                                              copy_of) != extra_databases_.end();
      EXPECT_TRUE(ours) << "ExtraDatabase: " << copy_of << " does not exist";
      return made;
    }
    // With its journal, so that a copy of a file a crash left behind is
    // what SQLite would make of the original.
    for (const char* suffix : {"", "-journal", "-wal"}) {
      if (*suffix != '\0' && !fs::exists(source + suffix)) continue;
      std::error_code ec;
      fs::copy_file(source + suffix, made.substr(7) + suffix, ec);
      EXPECT_FALSE(ec) << "copying " << source << suffix << ": " << ec.message();
    }
    return made;
  }
  std::string name = pg_database_ + "_x" + std::to_string(n);
  extra_databases_.push_back(name);
  auto conn = AdminConnection();
  if (!conn) return "";
  std::string sql = "CREATE DATABASE " + name;
  if (!copy_of.empty()) sql += " TEMPLATE " + PgName(copy_of);
  // A session that just ended may still be leaving the template.
  Status s;
  for (int tries = 0; tries < 100; ++tries) {
    s = conn->Execute(sql);
    if (s.ok() || s.message().find("being accessed by other users") == std::string::npos) break;
    usleep(50 * 1000);
  }
  EXPECT_TRUE(s.ok()) << sql << ": " << s.message();
  return "host=" + Env("RATCHET_TEST_PG_HOST") + " port=" + Env("RATCHET_TEST_PG_PORT") +
         " user=" + Env("RATCHET_TEST_PG_USER") + " dbname=" + name;
}

void EngineTest::RemoveDatabase(const std::string& db) {
  if (is_sqlite()) {
    std::string path = db.substr(db.find(':') + 1);
    std::error_code ec;
    for (const char* copy : {"", ".copying", ".new", ".old"}) {
      for (const char* suffix : {"", "-journal", "-wal", "-shm"}) {
        fs::remove(path + copy + suffix, ec);
      }
    }
    return;
  }
  auto conn = AdminConnection();
  if (!conn) return;
  for (const char* suffix : {"", "_copying", "_new", "_old"}) {
    Status s = conn->Execute("DROP DATABASE IF EXISTS " + PgName(db) + suffix + " WITH (FORCE)");
    EXPECT_TRUE(s.ok()) << s.message();
  }
}

void EngineTest::WaitUntilIdle(const std::string& db) {
  if (is_sqlite()) return;
  auto conn = AdminConnection();
  if (!conn) return;
  for (int tries = 0; tries < 600; ++tries) {
    auto r = conn->Query(
        "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() "
        "AND backend_type = 'client backend'",
        {PgName(db)});
    if (!r.ok()) {
      ADD_FAILURE() << "cannot tell whether sessions are connected to " << PgName(db) << ": "
                    << r.status().message();
      return;
    }
    if (r->rows.empty() || r->rows[0][0] == "0") return;
    usleep(50 * 1000);
  }
  ADD_FAILURE() << "sessions are still connected to " << PgName(db) << " after 30 s";
}

void EngineTest::WriteSet(const std::map<std::string, std::string>& items,
                          const std::string& toml) {
  std::error_code ec;
  fs::remove_all(set_dir() / "items", ec);
  WriteFile(set_dir() / "ratchet.toml", "[project]\nname = \"test\"\n" + toml);
  fs::create_directories(set_dir() / "items");
  for (const auto& [name, content] : items) WriteFile(set_dir() / "items" / name, content);
}

RunResult EngineTest::Ratchet(const std::string& command, const std::vector<std::string>& extra) {
  std::vector<std::string> args = {command, "--set", set_dir().string(), "--db", db_};
  args.insert(args.end(), extra.begin(), extra.end());
  return RunRatchet(args);
}

std::unique_ptr<Connection> EngineTest::Open() { return OpenDb(db_); }

std::vector<std::string> EngineTest::Rows(const std::string& sql) { return RowsOn(db_, sql); }

std::string EngineTest::Value(const std::string& sql) {
  auto rows = Rows(sql);
  EXPECT_EQ(rows.size(), 1u) << sql;
  return rows.empty() ? "" : rows[0];
}

std::vector<std::string> EngineTest::Tables() {
  if (is_sqlite()) {
    return Rows(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'ratchet_%'"
        " AND name NOT LIKE 'sqlite_%' ORDER BY name");
  }
  return Rows(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
      " AND table_type = 'BASE TABLE' ORDER BY table_name");
}

std::string EngineTest::Books(const std::string& name) const {
  return is_sqlite() ? "ratchet_" + name : "ratchet." + name;
}

}  // namespace ratchet::testing
