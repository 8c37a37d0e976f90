// Reading ratchet.toml.
#ifndef RATCHET_SRC_SET_PROJECT_FILE_H_
#define RATCHET_SRC_SET_PROJECT_FILE_H_

#include <filesystem>
#include <string_view>
#include <vector>

#include "ratchet/status.h"
#include "ratchet/upgrade_set.h"

namespace ratchet {

// Reads `path` into `project`. Returns kInvalidSet with
// "ratchet.toml:line:column: what: fix" on a syntax error, an unknown key or
// a bad value. Release heads are checked later, against the items.
Status ReadProjectFile(const std::filesystem::path& path, Project* project,
                       std::vector<int>* release_lines);

// The same for the text of a ratchet.toml held in memory (an embedded set):
// the same settings, and the same message for the same mistake.
Status ParseProjectText(std::string_view text, Project* project, std::vector<int>* release_lines);

}  // namespace ratchet

#endif  // RATCHET_SRC_SET_PROJECT_FILE_H_
