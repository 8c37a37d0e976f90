// Scratch databases for verify and baseline --detect: created empty, used,
// and always removed, also when what runs in them fails.
#ifndef RATCHET_SRC_SNAPSHOT_SCRATCH_H_
#define RATCHET_SRC_SNAPSHOT_SCRATCH_H_

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "ratchet/engine.h"
#include "ratchet/verify.h"

namespace ratchet {

class ScratchServer;

// One scratch database; removed when this object goes away.
class ScratchDatabase {
 public:
  ~ScratchDatabase();
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  Connection& conn() { return *conn_; }

 private:
  friend class ScratchServer;
  ScratchDatabase() = default;

  ScratchServer* server_ = nullptr;
  std::string name_;  // PostgreSQL: the database; SQLite: the file
  std::unique_ptr<Connection> conn_;
};

// Where scratch databases are made: a PostgreSQL server, or a temporary
// directory for SQLite files. Must outlive the databases it made.
class ScratchServer {
 public:
  // Connects to the PostgreSQL server (and refuses with kRefused, saying
  // how to fix it, when the role may not create databases), or makes the
  // temporary directory for SQLite.
  static Result<std::unique_ptr<ScratchServer>> Open(const ScratchOptions& options,
                                                     const std::string& history_schema);
  ~ScratchServer();

  // Creates a new, empty database and connects to it.
  Result<std::unique_ptr<ScratchDatabase>> Create();

  // The scratch databases (or SQLite scratch folders) that runs which died
  // left behind and Open removed: those whose owner's lease is free (its
  // session on the server is gone; its process on this machine is gone).
  const std::vector<std::string>& reclaimed() const { return reclaimed_; }

 private:
  friend class ScratchDatabase;
  ScratchServer() = default;
  void Remove(ScratchDatabase* database);
  // Takes this run's lease and removes what dead runs left (reclaimed()).
  Status TakeLeaseAndReclaim();

  ScratchOptions options_;
  ConnectOptions connect_;
  std::unique_ptr<Connection> admin_;  // PostgreSQL only
  int server_version_ = 0;
  std::filesystem::path dir_;  // SQLite only
  // PostgreSQL: every scratch database of this run is named <prefix_>_<n>;
  // the admin session holds an advisory lock on the prefix for as long as
  // the run lives, which is how a later run tells a dead owner.
  std::string prefix_;
  std::vector<std::string> reclaimed_;
  int created_ = 0;
};

// Runs the fresh-install schema file `path` of the set in `set_dir` on
// `conn`. A failure names the file, line and column and the engine's message
// (kInvalidSet).
Status LoadSchemaFile(Connection& conn, const std::filesystem::path& set_dir,
                      const std::filesystem::path& path);

}  // namespace ratchet

#endif  // RATCHET_SRC_SNAPSHOT_SCRATCH_H_
