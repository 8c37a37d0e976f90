// What every engine's catalog reader shares: adding and ordering objects,
// and telling names the engine made up.
#ifndef RATCHET_SRC_SNAPSHOT_SNAPSHOT_OBJECTS_H_
#define RATCHET_SRC_SNAPSHOT_SNAPSHOT_OBJECTS_H_

#include <string>
#include <string_view>

#include "ratchet/snapshot.h"

namespace ratchet {

// The position of `kind` in a snapshot's order (schemas first, triggers
// and policies last).
int KindRank(std::string_view kind);

// Appends an object without properties to `snapshot` and returns it (valid
// until the next object is added).
SchemaObject& AddObject(Snapshot* snapshot, std::string kind, std::string key, std::string name);

// Sorts the objects by kind and key, and makes keys unique.
void SortSnapshot(Snapshot* snapshot);

// True if `name` is one PostgreSQL makes up for an object on `table`
// (books_pkey, books_title_key, orders_book_id_fkey, books_id_seq, ...,
// possibly with a number added to make it unique), or one SQLite makes up
// (sqlite_autoindex_books_1).
bool IsGeneratedName(std::string_view name, std::string_view table);

}  // namespace ratchet

#endif  // RATCHET_SRC_SNAPSHOT_SNAPSHOT_OBJECTS_H_
