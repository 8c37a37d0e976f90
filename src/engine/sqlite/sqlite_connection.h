// The SQLite engine: a Connection over the sqlite3 C API.
#ifndef RATCHET_SRC_ENGINE_SQLITE_SQLITE_CONNECTION_H_
#define RATCHET_SRC_ENGINE_SQLITE_SQLITE_CONNECTION_H_

#include <memory>

#include "ratchet/engine.h"

namespace ratchet::sqlite {

// Opens the SQLite file named by `target.conninfo`. Returns kConnection when
// the file cannot be opened, or does not exist and options.create_if_missing
// is false.
Result<std::unique_ptr<Connection>> Connect(const Target& target, const ConnectOptions& options);

}  // namespace ratchet::sqlite

#endif  // RATCHET_SRC_ENGINE_SQLITE_SQLITE_CONNECTION_H_
