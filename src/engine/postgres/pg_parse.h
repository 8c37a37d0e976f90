// Splitting and classifying PostgreSQL scripts with the server's own parser.
#ifndef RATCHET_SRC_ENGINE_POSTGRES_PG_PARSE_H_
#define RATCHET_SRC_ENGINE_POSTGRES_PG_PARSE_H_

#include <string_view>
#include <vector>

#include "ratchet/status.h"
#include "ratchet/upgrade_set.h"

namespace ratchet::postgres {

// Splits `text` into statements with libpg_query and classifies each one.
// On a syntax error, a psql meta-command (\i, \set ...) or COPY ... FROM
// stdin, returns kInvalidSet with a DbError whose statement_offset and
// error_offset locate the problem within `text`; the caller turns that into
// file:line:column.
Status SplitScript(std::string_view text, std::vector<Statement>* out);

}  // namespace ratchet::postgres

#endif  // RATCHET_SRC_ENGINE_POSTGRES_PG_PARSE_H_
