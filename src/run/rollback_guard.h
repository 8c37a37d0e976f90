// Before rollback drops anything on PostgreSQL: is anything outside what
// prepare created depending on it?
#ifndef RATCHET_SRC_RUN_ROLLBACK_GUARD_H_
#define RATCHET_SRC_RUN_ROLLBACK_GUARD_H_

#include <vector>

#include "ratchet/engine.h"
#include "ratchet/upgrade_set.h"

namespace ratchet {

// Reads what the rollback sections of `items` drop (tables, views, indexes,
// sequences, functions, triggers, types, columns, constraints) and what their
// prepare sections create, and asks pg_depend what depends on each dropped
// object. Returns kRefused listing every dependent that neither prepare
// created nor the rollback itself drops (e.g. a view the application added
// on a new column), so rollback never takes the application's objects with
// it. Objects that do not exist (a partly prepared database) are skipped.
// REQUIRES: `conn` is a PostgreSQL connection.
Status RefuseOutsideDependents(Connection& conn, const std::vector<const Item*>& items);

}  // namespace ratchet

#endif  // RATCHET_SRC_RUN_ROLLBACK_GUARD_H_
