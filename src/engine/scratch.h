// Scratch databases for verify and baseline --detect: created empty, used,
// and always removed, also when what runs in them fails. Each engine makes
// them its own way (engine_driver.h: OpenScratch).
#ifndef RATCHET_SRC_ENGINE_SCRATCH_H_
#define RATCHET_SRC_ENGINE_SCRATCH_H_

#include <memory>
#include <string>
#include <vector>

#include "ratchet/engine.h"
#include "ratchet/verify.h"

namespace ratchet {

// One scratch database; removed when this object goes away.
class ScratchDatabase {
 public:
  virtual ~ScratchDatabase() = default;
  virtual Connection& conn() = 0;
};

// Where scratch databases are made: a PostgreSQL server, or a temporary
// directory for SQLite files. Must outlive the databases it made.
class ScratchServer {
 public:
  virtual ~ScratchServer() = default;

  // Creates a new, empty database and connects to it.
  virtual Result<std::unique_ptr<ScratchDatabase>> Create() = 0;

  // The scratch databases (or SQLite scratch folders) that runs which died
  // left behind and opening this server removed: those whose owner's lease
  // is free (its session on the server is gone; its process is gone).
  const std::vector<std::string>& reclaimed() const { return reclaimed_; }

 protected:
  std::vector<std::string> reclaimed_;
};

// Opens the scratch server of `options.engine` (by its driver). Refuses
// with kRefused, saying how to fix it, when the role may not create
// databases there.
Result<std::unique_ptr<ScratchServer>> OpenScratchServer(const ScratchOptions& options,
                                                         const std::string& history_schema);

}  // namespace ratchet

#endif  // RATCHET_SRC_ENGINE_SCRATCH_H_
