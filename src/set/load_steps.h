// The steps of loading a set that do not depend on where its files come
// from, shared by LoadUpgradeSet (a directory) and LoadEmbeddedSet (bytes
// compiled into the program), so both accept and refuse the same sets with
// the same messages.
#ifndef RATCHET_SRC_SET_LOAD_STEPS_H_
#define RATCHET_SRC_SET_LOAD_STEPS_H_

#include <string_view>
#include <vector>

#include "ratchet/status.h"
#include "ratchet/upgrade_set.h"

namespace ratchet {

// What an entry of items/ is.
enum class ItemEntry { kItem, kIgnored };

// Classifies the entry `name` of items/ (`is_directory` when it is one):
// an item file (*.sql), or something the loader leaves alone (a hidden file,
// a README). Returns kInvalidSet for a directory and for an extension that
// is .sql in another case.
Result<ItemEntry> ClassifyItemEntry(std::string_view name, bool is_directory);

// Completes a set whose project and items are read (each item's name and
// content parsed; `release_lines` are the ratchet.toml lines of the
// releases): sorts the items into version order, checks what spans files
// (one file per version and engine, requires, same-as, cycles, release
// heads), and parses the items for options.parse_for.
Status FinishLoading(UpgradeSet* set, const std::vector<int>& release_lines,
                     const LoadOptions& options);

}  // namespace ratchet

#endif  // RATCHET_SRC_SET_LOAD_STEPS_H_
