// An upgrade set compiled into a program (the CMake function
// ratchet_embed_set), and loading it without a file system.
#ifndef RATCHET_EMBEDDED_SET_H_
#define RATCHET_EMBEDDED_SET_H_

#include <cstddef>
#include <string_view>

#include "ratchet/status.h"
#include "ratchet/upgrade_set.h"

namespace ratchet {

// One entry of an embedded set: a file, or a directory (`path` ends in '/').
struct EmbeddedFile {
  // The path under the set's directory, parts joined by '/':
  // "ratchet.toml", "items/", "items/V1__100__create_books.sql".
  const char* path;
  const unsigned char* data;  // the file's bytes; nullptr when `size` is 0
  size_t size;

  std::string_view bytes() const {
    return data == nullptr ? std::string_view()
                           : std::string_view(reinterpret_cast<const char*>(data), size);
  }
};

// An upgrade set as ratchet_embed_set() compiles it: ratchet.toml and every
// entry under items/, byte for byte, sorted by path. Hidden files are left
// out, as the loader leaves them out of a set directory.
struct EmbeddedSet {
  // The NAME given to ratchet_embed_set(): it stands for the set's directory
  // in UpgradeSet::dir ("embedded:<name>") and in messages that name it.
  const char* name;
  const EmbeddedFile* files;
  size_t file_count;
};

// Loads an embedded set exactly as LoadUpgradeSet loads the directory it was
// compiled from: the same items, checksums and, on malformed input, the same
// kInvalidSet message ("items/<file>:line:column: what: fix"). Reads no
// file. UpgradeSet::dir is "embedded:<name>", and each Item::path is that
// followed by "/items/<file>". Thread-safe: `embedded` is only read.
Result<UpgradeSet> LoadEmbeddedSet(const EmbeddedSet& embedded, const LoadOptions& options = {});

}  // namespace ratchet

#endif  // RATCHET_EMBEDDED_SET_H_
