// The PostgreSQL engine: a Connection over libpq.
#ifndef RATCHET_SRC_ENGINE_POSTGRES_POSTGRES_CONNECTION_H_
#define RATCHET_SRC_ENGINE_POSTGRES_POSTGRES_CONNECTION_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/engine_driver.h"
#include "ratchet/engine.h"
#include "ratchet/upgrade_set.h"

namespace ratchet::postgres {

// Opens a libpq connection for `target` (URL, keywords, PG* variables,
// ~/.pgpass and service files all honoured by libpq), with
// application_name=ratchet. Returns kConnection with one password-free line
// when the server is down, the password is wrong or the database is missing.
Result<std::unique_ptr<Connection>> Connect(const Target& target, const ConnectOptions& options);

// Returns `conninfo` (URL or keywords) with any password removed, for messages.
std::string DisplayName(std::string_view conninfo);

// The name of the database `conninfo` connects to, as libpq decides it
// (dbname, PGDATABASE, else the user name); "" when it cannot tell (a
// service file decides, or the string cannot be parsed).
std::string DatabaseOf(std::string_view conninfo);

// Optimisation hook for the runner. Runs `steps` in order and then, when
// `commit` is set, COMMIT: the same outcome as ExecuteScript/Execute/Commit
// called one by one, but on a PostgreSQL connection inside a transaction
// (after Begin) every statement and the COMMIT go to the server in one round
// trip. On failure returns the first error as those calls would (a script's
// statement_offset is within that step's sql), sets `*failed_step` to the
// step's index (steps.size() for the COMMIT) when `failed_step` is not null,
// and leaves the failed transaction open: call Rollback. Works with any
// Connection, falling back to the separate calls.
Status ExecuteBatch(Connection& connection, const std::vector<BatchStep>& steps, bool commit,
                    size_t* failed_step = nullptr);

// The number of round trips to the server `connection` has made so far
// (each pipeline sync and each single query counts one); -1 when it is not
// a PostgreSQL connection. For benchmarks and tests.
int64_t RoundTrips(const Connection& connection);

}  // namespace ratchet::postgres

#endif  // RATCHET_SRC_ENGINE_POSTGRES_POSTGRES_CONNECTION_H_
