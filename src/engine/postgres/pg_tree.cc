// Parsing with a stack sized for the statement.
#include "engine/postgres/pg_tree.h"

#include <pthread.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>

#include "sql/sql_lexer.h"

namespace ratchet::postgres {
namespace {

// Below this bound the calling thread's stack (8 MiB for the main thread
// and for std::thread on Linux) is ample.
constexpr size_t kInlineBound = 2000;
// Stack per unit of the bound: measured, libpg_query's output takes about
// 300 bytes per level of an operator chain, each level two tokens.
constexpr size_t kStackPerUnit = 1024;
constexpr size_t kStackBase = size_t{16} << 20;
constexpr size_t kMaxStack = size_t{2} << 30;

// An upper bound on how deep `sql`'s parse tree can nest: the longest run
// of tokens without a comma or semicolon (an operator chain nests one level
// per operator) plus the deepest parentheses. Strings, identifiers and
// comments count as single tokens or nothing.
size_t NestingBound(std::string_view sql, size_t* where) {
  size_t run = 0, longest = 0, run_start = 0;
  *where = 0;
  size_t depth = 0, deepest = 0;
  ScanSql(
      sql,
      [&](SqlSegment kind, size_t begin, size_t end) {
        auto count = [&](size_t at) {
          if (run++ == 0) run_start = at;
          if (run > longest) {
            longest = run;
            *where = run_start;
          }
        };
        if (kind == SqlSegment::kQuoted) {
          count(begin);
          return;
        }
        if (kind != SqlSegment::kCode) return;
        bool in_word = false;
        for (size_t i = begin; i < end; ++i) {
          char c = sql[i];
          bool word = std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
                      static_cast<unsigned char>(c) >= 0x80;
          if (word && in_word) continue;
          in_word = word;
          if (c == ',' || c == ';') {
            run = 0;
            continue;
          }
          if (c == '(') deepest = std::max(deepest, ++depth);
          if (c == ')' && depth > 0) --depth;
          count(i);
        }
      },
      SqlDialect::kPostgres);
  return longest + deepest;
}

struct ParseJob {
  const std::string* sql;
  PgQueryParseResult result;
};

void* RunParse(void* arg) {
  auto* job = static_cast<ParseJob*>(arg);
  job->result = pg_query_parse(job->sql->c_str());
  return nullptr;
}

// A parse error as libpg_query reports one, freed by pg_query_free_parse_result.
PgQueryParseResult Refusal(const char* message, std::string_view sql, size_t where) {
  PgQueryParseResult result{};
  auto* error = static_cast<PgQueryError*>(std::calloc(1, sizeof(PgQueryError)));
  error->message = strdup(message);
  error->funcname = strdup("ParseTree");
  error->filename = strdup("pg_tree.cc");
  // libpg_query counts characters from 1, not bytes.
  int position = 1;
  for (size_t i = 0; i < where && i < sql.size(); ++i) {
    if ((static_cast<unsigned char>(sql[i]) & 0xC0) != 0x80) ++position;
  }
  error->cursorpos = position;
  result.error = error;
  return result;
}

}  // namespace

PgQueryParseResult ParseTree(const std::string& sql) {
  size_t where = 0;
  size_t bound = NestingBound(sql, &where);
  if (bound <= kInlineBound) return pg_query_parse(sql.c_str());
  if (bound > (kMaxStack - kStackBase) / kStackPerUnit) {
    return Refusal(
        "the statement nests too deeply to parse safely (an expression of over a "
        "million terms without a comma): split it into smaller statements",
        sql, where);
  }
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, kStackBase + bound * kStackPerUnit);
  ParseJob job{&sql, {}};
  pthread_t thread;
  int started = pthread_create(&thread, &attr, RunParse, &job);
  pthread_attr_destroy(&attr);
  if (started != 0) {
    return Refusal(
        "cannot start a thread with a stack large enough to parse this statement: "
        "split it into smaller statements",
        sql, where);
  }
  pthread_join(thread, nullptr);
  return job.result;
}

size_t JsonDepth(std::string_view json) {
  size_t depth = 0, deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

}  // namespace ratchet::postgres
