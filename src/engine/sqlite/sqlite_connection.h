// The SQLite engine: a Connection over the sqlite3 C API.
#ifndef RATCHET_SRC_ENGINE_SQLITE_SQLITE_CONNECTION_H_
#define RATCHET_SRC_ENGINE_SQLITE_SQLITE_CONNECTION_H_

#include <functional>
#include <memory>
#include <string>

#include "ratchet/engine.h"

namespace ratchet::sqlite {

// Opens the SQLite file named by `target.conninfo`. Returns kConnection when
// the file cannot be opened, or does not exist and options.create_if_missing
// is false.
Result<std::unique_ptr<Connection>> Connect(const Target& target, const ConnectOptions& options);

// Copies the database open on `source` (a SQLite connection; it may hold a
// transaction, and the copy is then what that transaction sees) into a new
// file at `path` with SQLite's online backup API, `pages_per_step` pages at
// a time, calling `between_steps` after each step that leaves pages to copy.
// The copy is synced to disk before this returns. On failure removes the
// partial file and returns kIo naming both files.
Status BackupTo(Connection& source, const std::string& path, int pages_per_step,
                const std::function<void()>& between_steps);

}  // namespace ratchet::sqlite

#endif  // RATCHET_SRC_ENGINE_SQLITE_SQLITE_CONNECTION_H_
