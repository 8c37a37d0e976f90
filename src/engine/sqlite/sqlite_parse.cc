// Load-time statement spans for SQLite items.
#include "engine/sqlite/sqlite_parse.h"

#include <sqlite3.h>

#include <cctype>
#include <string>

#include "set/sql_lexer.h"

namespace ratchet::sqlite {
namespace {

std::string FirstKeyword(std::string_view statement) {
  std::string word;
  ScanSql(statement, [&](SqlSegment kind, size_t begin, size_t end) {
    if (!word.empty() || kind != SqlSegment::kCode) return;
    for (size_t i = begin; i < end; ++i) {
      char c = statement[i];
      if (!std::isalpha(static_cast<unsigned char>(c))) break;
      word.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    }
  });
  return word;
}

}  // namespace

Status SplitScript(std::string_view text, std::vector<Statement>* out) {
  out->clear();
  std::string buffer;
  size_t start = std::string_view::npos;  // first code byte of the current statement
  Status status;
  auto finish = [&](size_t end) {
    Statement s;
    s.offset = start;
    s.length = end - start;
    std::string keyword = FirstKeyword(text.substr(start, end - start));
    s.node = keyword;
    s.non_transactional = keyword == "VACUUM";
    s.transaction_control = keyword == "BEGIN" || keyword == "COMMIT" || keyword == "END" ||
                            keyword == "ROLLBACK" || keyword == "SAVEPOINT" ||
                            keyword == "RELEASE";
    out->push_back(std::move(s));
    start = std::string_view::npos;
  };
  ScanSql(text, [&](SqlSegment kind, size_t begin, size_t end) {
    if (kind != SqlSegment::kCode && kind != SqlSegment::kQuoted) return;
    if (start == std::string_view::npos) start = begin;
    if (kind != SqlSegment::kCode) return;
    for (size_t i = begin; i < end; ++i) {
      if (text[i] != ';') continue;
      if (start == std::string_view::npos || start == i) {
        start = i + 1 < end ? i + 1 : std::string_view::npos;
        continue;  // an empty statement
      }
      std::string candidate(text.substr(start, i + 1 - start));
      if (sqlite3_complete(candidate.c_str())) {
        finish(i + 1);
        if (i + 1 < end) start = i + 1;
      }
    }
  });
  if (start != std::string_view::npos) {
    std::string rest(text.substr(start));
    rest += ";";
    if (!sqlite3_complete(rest.c_str())) {
      DbError error;
      error.statement_offset = start;
      error.message = "incomplete statement";
      return Status::DbFailure(Code::kInvalidSet,
                               "the last statement is incomplete (a trigger missing END, or an "
                               "unterminated string): complete it",
                               std::move(error));
    }
    finish(text.size());
  }
  return Status::Ok();
}

}  // namespace ratchet::sqlite
