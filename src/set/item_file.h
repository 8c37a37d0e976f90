// Reading one item file: its name, directives and sections.
#ifndef RATCHET_SRC_SET_ITEM_FILE_H_
#define RATCHET_SRC_SET_ITEM_FILE_H_

#include <filesystem>
#include <string>
#include <string_view>

#include "ratchet/status.h"
#include "ratchet/upgrade_set.h"

namespace ratchet {

// Parses an item file name "V<major>[.<minor>]__<ticket>__<description>[.<engine>].sql"
// into `item`. Returns kInvalidSet saying which part is wrong and how to write it.
Status ParseItemFileName(std::string_view name, Item* item);

// Parses `item->content` (already read) into directives, sections and checksum.
// Returns kInvalidSet with "file:line: what: fix" on the first problem.
Status ParseItemContent(Item* item);

// Returns the 1-based line and column of byte `offset` in `text`.
void OffsetToLineColumn(std::string_view text, size_t offset, int* line, int* column);

// Returns the offset of the first byte that is not valid UTF-8, or npos.
size_t FindInvalidUtf8(std::string_view text);

}  // namespace ratchet

#endif  // RATCHET_SRC_SET_ITEM_FILE_H_
