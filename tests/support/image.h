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
  // Schemas, tables, columns (type, nullability, default, position),
  // constraints, indexes (and whether they are valid), views, functions,
  // triggers and sequences; ratchet's bookkeeping is left out. Engine-assigned
  // identifiers (OIDs, sequence positions) are left out too.
  std::vector<std::string> catalog;
  // Every row of every user table: "<table> <row as text>".
  std::vector<std::string> rows;
  // Each bookkeeping item row: version, phase, checksum, optional.
  std::vector<std::string> items;
  // The state row: status, release reached, in-flight item, error item,
  // pivoted.
  std::vector<std::string> state;
  // Versions whose 'item-applied' event is not recorded exactly once,
  // with the count: empty when every item was applied once.
  std::vector<std::string> applied_not_once;

  bool operator==(const DatabaseImage& other) const = default;
};

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
