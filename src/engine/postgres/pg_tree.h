// libpg_query's parser, called so that no input can overflow the stack.
#ifndef RATCHET_SRC_ENGINE_POSTGRES_PG_TREE_H_
#define RATCHET_SRC_ENGINE_POSTGRES_PG_TREE_H_

#include <pg_query.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace ratchet::postgres {

// The deepest JSON parse tree that ratchet's recursive readers walk; a
// statement nested deeper (some 1,500 operators in one chain) is split and
// classified, but not analysed further.
constexpr size_t kMaxAnalysedDepth = 3000;

// Returns pg_query_parse(sql). libpg_query recurses once per level of the
// tree when it writes its output, so a long chain of operators (SELECT
// 1+1+...) would overflow an ordinary stack: a statement that may nest
// deeply is parsed on a thread whose stack is sized for it. A text too deep
// even for that gets a parse error saying so, at its first byte. Free the
// result with pg_query_free_parse_result.
PgQueryParseResult ParseTree(const std::string& sql);

// The nesting depth of a JSON document (objects and arrays), counted
// without building it.
size_t JsonDepth(std::string_view json);

}  // namespace ratchet::postgres

#endif  // RATCHET_SRC_ENGINE_POSTGRES_PG_TREE_H_
