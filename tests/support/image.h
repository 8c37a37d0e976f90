// What a user can observe in a database — catalog, user rows, bookkeeping —
// as sorted lines of text, so that two databases compare with one EXPECT_EQ
// and a failure shows the lines that differ.
#ifndef RATCHET_TESTS_SUPPORT_IMAGE_H_
#define RATCHET_TESTS_SUPPORT_IMAGE_H_

#include <string>
#include <vector>

#include "ratchet/engine.h"

namespace ratchet::testing {

struct DatabaseImage {
  // Schemas, tables, columns (type with its modifiers, nullability, default,
  // position), constraints, indexes (and whether they are valid), views,
  // functions, triggers and sequences; on SQLite each object's full
  // definition as stored (column order, CHECK, FOREIGN KEY, table
  // constraints). ratchet's bookkeeping is left out, and so are
  // engine-assigned identifiers (OIDs, sequence positions).
  std::vector<std::string> catalog;
  // Every row of every user table: "<table> <row as text>".
  std::vector<std::string> rows;
  // Each bookkeeping item row, every column that says what was applied and
  // how: version, major, minor, description, ticket, file, checksum, phase,
  // optional, tool version and error. Left out: when it was applied, how
  // long it took and which run did it (see `events` for that).
  std::vector<std::string> items;
  // The state row: status, release reached, in-flight item, every error
  // column but its time, whether prepare and finalize have ended, pivoted.
  // Left out: the run's id, its times, and the release it started from,
  // which after a resume is where the resuming run began.
  std::vector<std::string> state;
  // The audit log, by kind. Every kind is counted per version, with its
  // detail where that is the same for any run (an item's checksum, a
  // statement's place in the journal): an item is applied, prepared,
  // finalized or rolled back exactly as often as in the reference. Kinds a
  // resumed run records again on its way (a run's or a journaled item's
  // start) are only required to be there. Items whose row names a run that
  // recorded no event for them are listed too.
  std::vector<std::string> events;

  bool operator==(const DatabaseImage& other) const = default;
};

// The catalog part of the image of the database behind `conn`.
std::vector<std::string> ReadCatalog(Connection& conn);

// Reads the image of the database behind `conn`, whose bookkeeping uses the
// default history schema "ratchet". Missing bookkeeping gives empty lists.
DatabaseImage TakeImage(Connection& conn);

// Connects to `db` (as given to --db) and reads its image.
DatabaseImage TakeImage(const std::string& db);

// A readable account of how `actual` differs from `expected`: the lines
// only one of them has, per part. Empty when they are equal.
std::string DescribeDifference(const DatabaseImage& expected, const DatabaseImage& actual);

}  // namespace ratchet::testing

#endif  // RATCHET_TESTS_SUPPORT_IMAGE_H_
