// Reading the index a CREATE INDEX CONCURRENTLY statement builds.
#ifndef RATCHET_SRC_ENGINE_POSTGRES_PG_INDEX_H_
#define RATCHET_SRC_ENGINE_POSTGRES_PG_INDEX_H_

#include <string>
#include <string_view>

namespace ratchet::postgres {

// Returns the index that `statement` (CREATE [UNIQUE] INDEX CONCURRENTLY)
// creates, quoted and schema-qualified when the statement qualifies it, e.g.
// "public"."t_name_key" or "t_name_key"; "" if the statement is not such a
// CREATE INDEX or names no index (PostgreSQL then picks the name).
std::string ConcurrentIndexName(std::string_view statement);

}  // namespace ratchet::postgres

#endif  // RATCHET_SRC_ENGINE_POSTGRES_PG_INDEX_H_
