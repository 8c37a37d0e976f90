// Reading ratchet.toml.
#ifndef RATCHET_SRC_SET_PROJECT_FILE_H_
#define RATCHET_SRC_SET_PROJECT_FILE_H_

#include <filesystem>

#include "ratchet/status.h"
#include "ratchet/upgrade_set.h"

namespace ratchet {

// Reads `path` into `project`. Returns kInvalidSet with
// "ratchet.toml:line:column: what: fix" on a syntax error, an unknown key or
// a bad value. Release heads are checked later, against the items.
Status ReadProjectFile(const std::filesystem::path& path, Project* project,
                       std::vector<int>* release_lines);

}  // namespace ratchet

#endif  // RATCHET_SRC_SET_PROJECT_FILE_H_
