// Scratch databases for SQLite: files in a temporary directory whose name
// carries this process's pid, the lease a later run tests.
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "engine/sqlite/sqlite_engine.h"

namespace ratchet::sqlite {
namespace {

namespace fs = std::filesystem;

class SqliteScratchDatabase : public ScratchDatabase {
 public:
  SqliteScratchDatabase(std::string path, std::unique_ptr<Connection> conn)
      : path_(std::move(path)), conn_(std::move(conn)) {}
  ~SqliteScratchDatabase() override {
    conn_.reset();
    std::error_code ec;
    for (const char* suffix : {"", "-journal", "-wal", "-shm"}) fs::remove(path_ + suffix, ec);
  }
  Connection& conn() override { return *conn_; }

 private:
  std::string path_;
  std::unique_ptr<Connection> conn_;
};

class SqliteScratchServer : public ScratchServer {
 public:
  ~SqliteScratchServer() override {
    if (dir_.empty()) return;
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  Status Open(const std::string& history_schema) {
    connect_.history_schema = history_schema;
    connect_.create_if_missing = true;
    // The pid in the name is the lease: a later run removes the folder of
    // a process that is gone.
    std::string pattern =
        (fs::temp_directory_path() / fmt::format("ratchet-scratch-{}-XXXXXX", getpid())).string();
    if (mkdtemp(pattern.data()) == nullptr) {
      return Status(Code::kIo,
                    fmt::format("cannot make a temporary directory for scratch "
                                "databases in {}: {}",
                                fs::temp_directory_path().string(), std::strerror(errno)));
    }
    dir_ = pattern;
    ReclaimDeadRuns();
    return Status::Ok();
  }

  Result<std::unique_ptr<ScratchDatabase>> Create() override {
    std::string path = (dir_ / fmt::format("scratch-{}.db", ++created_)).string();
    Target target;
    target.kind = EngineKind::kSqlite;
    target.conninfo = path;
    target.display = "sqlite:" + path;
    auto conn = Connect(target, connect_);
    if (!conn.ok()) {
      std::error_code ec;
      fs::remove(path, ec);
      return conn.status().WithContext("cannot open a scratch database");
    }
    return std::unique_ptr<ScratchDatabase>(
        std::make_unique<SqliteScratchDatabase>(path, std::move(*conn)));
  }

 private:
  // Removes the scratch folders of processes that are gone.
  void ReclaimDeadRuns() {
    std::error_code ec;
    const std::string lead = "ratchet-scratch-";
    for (const auto& entry : fs::directory_iterator(fs::temp_directory_path(), ec)) {
      std::string name = entry.path().filename().string();
      if (name.rfind(lead, 0) != 0 || entry.path() == dir_) continue;
      char* end = nullptr;
      long pid = std::strtol(name.c_str() + lead.size(), &end, 10);
      if (pid <= 0 || end == nullptr || *end != '-' || pid == getpid()) continue;
      if (kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;  // alive, or unknown
      fs::remove_all(entry.path(), ec);
      if (!ec) reclaimed_.push_back(entry.path().string());
    }
  }

  ConnectOptions connect_;
  fs::path dir_;
  int created_ = 0;
};

}  // namespace

Result<std::unique_ptr<ScratchServer>> OpenScratch(const std::string& history_schema) {
  auto server = std::make_unique<SqliteScratchServer>();
  RATCHET_RETURN_IF_ERROR(server->Open(history_schema));
  return std::unique_ptr<ScratchServer>(std::move(server));
}

}  // namespace ratchet::sqlite
