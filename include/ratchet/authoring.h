// Writing new item files with the right next version.
#ifndef RATCHET_AUTHORING_H_
#define RATCHET_AUTHORING_H_

#include <filesystem>
#include <optional>
#include <string>

#include "ratchet/status.h"
#include "ratchet/version.h"

namespace ratchet {

struct NewItemOptions {
  std::string description;  // words; spaces and dashes become '_', lower-cased
  std::string ticket = "0";
  // Back-port onto the line of this version or release name: the next minor
  // after the highest version on that line, e.g. V2 -> V2.1 -> V2.2.
  std::optional<std::string> backport;
  std::string engine;  // "" for every engine, or "sqlite" / "postgresql"
};

// Creates items/<next version>__<ticket>__<description>.sql in the set at
// `dir` and returns its path. Only file names are read, so a set whose newest
// item is still being written does not stop the next one. Never overwrites.
Result<std::filesystem::path> CreateItemFile(const std::filesystem::path& dir,
                                             const NewItemOptions& options);

// Creates a new, empty upgrade set in `dir` (made if missing): a commented
// ratchet.toml naming the project `name` (the directory's name when empty),
// an empty items/ and an empty schema/. The set loads and lints clean.
// Refuses (kRefused) a directory that already holds a ratchet.toml or an
// items/, and overwrites nothing.
Status CreateUpgradeSet(const std::filesystem::path& dir, const std::string& name = "");

}  // namespace ratchet

#endif  // RATCHET_AUTHORING_H_
