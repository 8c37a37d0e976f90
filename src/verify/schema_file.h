// Loading a set's fresh-install schema file into a database.
#ifndef RATCHET_SRC_VERIFY_SCHEMA_FILE_H_
#define RATCHET_SRC_VERIFY_SCHEMA_FILE_H_

#include <filesystem>

#include "ratchet/engine.h"

namespace ratchet {

// Runs the fresh-install schema file `path` of the set in `set_dir` on
// `conn`. A failure names the file, line and column and the engine's message
// (kInvalidSet).
Status LoadSchemaFile(Connection& conn, const std::filesystem::path& set_dir,
                      const std::filesystem::path& path);

}  // namespace ratchet

#endif  // RATCHET_SRC_VERIFY_SCHEMA_FILE_H_
