// Fuzzes the PostgreSQL splitter (libpg_query): statements lie inside the
// script, in order, and a refusal points inside it.
#include <cstddef>
#include <cstdint>

#include "engine/postgres/pg_parse.h"
#include "split_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<ratchet::Statement> statements;
  ratchet::Status status = ratchet::postgres::SplitScript(text, &statements);
  ratchet::fuzz::RequireSplitWithin(text, status, statements);
  return 0;
}
