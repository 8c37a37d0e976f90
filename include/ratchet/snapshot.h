// Catalog snapshots: a neutral, ordered, diffable description of a database's
// schema, and the object-by-object difference between two of them.
#ifndef RATCHET_SNAPSHOT_H_
#define RATCHET_SNAPSHOT_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ratchet/engine.h"
#include "ratchet/status.h"

namespace ratchet {

// One object of a schema: a table, a column, a constraint, an index ...
//
// `kind` and `key` identify the object across databases. The key holds no
// server-assigned identifier; for an object whose name the engine may have
// made up (a primary key, a unique constraint, an index, an owned sequence)
// it is what the object means (table and definition), so that two databases
// whose engines chose different names still match. A name the user chose is
// then compared as the property "name".
struct SchemaObject {
  std::string kind;  // "table", "column", "constraint", "index", "view", ...
  std::string key;
  std::string name;  // how a message names the object, e.g. "books.title"
  // In a fixed order per kind; a property that does not apply is left out.
  std::vector<std::pair<std::string, std::string>> properties;

  // Returns the value of property `name`, or nullopt.
  std::optional<std::string> Property(std::string_view name) const;
};

struct Snapshot {
  EngineKind engine = EngineKind::kSqlite;
  std::vector<SchemaObject> objects;  // sorted by kind, then key

  // Returns the object of `kind` with `key`, or nullptr.
  const SchemaObject* Find(std::string_view kind, std::string_view key) const;
};

struct SnapshotOptions {
  // ratchet's bookkeeping, left out of the snapshot: the schema of that name
  // on PostgreSQL, the tables "<name>_*" on SQLite.
  std::string history_schema = "ratchet";
};

// Reads the schema of the database behind `conn`: PostgreSQL from pg_catalog
// (schemas, tables, columns, constraints, indexes, views, materialized views,
// functions and procedures, triggers, policies, sequences, types and domains,
// extensions, comments and grants; system schemas and extension members left
// out); SQLite from sqlite_schema and its pragmas (tables, columns,
// constraints, indexes, views, triggers). Read-only.
Result<Snapshot> TakeSnapshot(Connection& conn, const SnapshotOptions& options = {});

// The snapshot as text, one object per paragraph: "<kind> <name>" and one
// indented "<property>: <value>" line per property. Two snapshots of equal
// schemas print the same text.
std::string FormatSnapshot(const Snapshot& snapshot);

// The snapshot as JSON ({"engine", "objects": [{kind, key, name,
// properties}]}), which SnapshotFromJson reads back.
std::string SnapshotToJson(const Snapshot& snapshot);

// Reads a snapshot written by SnapshotToJson. Returns kInvalidArgument,
// naming what is wrong, on anything else.
Result<Snapshot> SnapshotFromJson(std::string_view text);

// One way in which two snapshots differ.
struct Difference {
  enum class Change {
    kOnlyBefore,  // the object is in the first snapshot only
    kOnlyAfter,   // the object is in the second snapshot only
    kChanged,     // a property differs
  };
  Change change = Change::kChanged;
  std::string kind;
  std::string name;
  std::string property;  // kChanged only
  // The property's value in each snapshot; nullopt where it is not set.
  // For kOnlyBefore / kOnlyAfter, `before` / `after` holds the object's
  // definition in one line.
  std::optional<std::string> before;
  std::optional<std::string> after;
};

// How a difference names the two sides, e.g. "the fresh install" and
// "the upgraded database".
struct DiffLabels {
  std::string before = "the first";
  std::string after = "the second";
};

// Compares two snapshots object by object. Returns the differences ordered
// by kind and object; empty when the schemas are the same.
std::vector<Difference> DiffSnapshots(const Snapshot& before, const Snapshot& after);

// One line for a difference, e.g.
//   column orders.status: type text → character varying(20)
//   index books_title_lower_idx on books: only in the upgraded database (...)
std::string FormatDifference(const Difference& difference, const DiffLabels& labels = {});

}  // namespace ratchet

#endif  // RATCHET_SNAPSHOT_H_
