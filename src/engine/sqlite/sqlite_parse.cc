// Load-time statement spans for SQLite items.
#include "engine/sqlite/sqlite_parse.h"

#include <sqlite3.h>

#include <cctype>
#include <string>

#include "sql/sql_lexer.h"

namespace ratchet::sqlite {
namespace {

std::string FirstKeyword(std::string_view statement) {
  std::string word;
  ScanSql(
      statement,
      [&](SqlSegment kind, size_t begin, size_t end) {
        if (!word.empty() || kind != SqlSegment::kCode) return;
        for (size_t i = begin; i < end; ++i) {
          char c = statement[i];
          if (!std::isalpha(static_cast<unsigned char>(c))) break;
          word.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
        }
      },
      SqlDialect::kSqlite);
  return word;
}

bool IsWordByte(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}

bool WordIs(std::string_view word, std::string_view keyword) {
  if (word.size() != keyword.size()) return false;
  for (size_t k = 0; k < word.size(); ++k) {
    if (std::toupper(static_cast<unsigned char>(word[k])) != keyword[k]) return false;
  }
  return true;
}

// The state machine of sqlite3_complete, fed one token at a time, so that a
// script is split in one pass however many semicolons a trigger body holds
// (asking sqlite3_complete at each semicolon rescans the statement so far).
class StatementEnd {
 public:
  enum Token { kSemi, kBlank, kOther, kExplain, kCreate, kTemp, kTrigger, kEnd };

  // Feeds one token; returns true when it was a semicolon that ends a
  // statement.
  bool Feed(Token token) {
    static constexpr unsigned char kNext[8][8] = {
        // SEMI WS OTHER EXPLAIN CREATE TEMP TRIGGER END
        {1, 0, 2, 3, 4, 2, 2, 2},  // 0 invalid
        {1, 1, 2, 3, 4, 2, 2, 2},  // 1 start
        {1, 2, 2, 2, 2, 2, 2, 2},  // 2 normal
        {1, 3, 3, 2, 4, 2, 2, 2},  // 3 explain
        {1, 4, 2, 2, 2, 4, 5, 2},  // 4 create
        {6, 5, 5, 5, 5, 5, 5, 5},  // 5 trigger
        {6, 6, 5, 5, 5, 5, 5, 7},  // 6 semicolon inside a trigger
        {1, 7, 5, 5, 5, 5, 5, 5},  // 7 end of a trigger
    };
    state_ = kNext[state_][token];
    return token == kSemi && state_ == 1;
  }

  static Token Classify(std::string_view word) {
    if (WordIs(word, "CREATE")) return kCreate;
    if (WordIs(word, "TEMP") || WordIs(word, "TEMPORARY")) return kTemp;
    if (WordIs(word, "TRIGGER")) return kTrigger;
    if (WordIs(word, "EXPLAIN")) return kExplain;
    if (WordIs(word, "END")) return kEnd;
    return kOther;
  }

 private:
  int state_ = 0;
};

}  // namespace

Status SplitScript(std::string_view text, std::vector<Statement>* out) {
  out->clear();
  size_t start = std::string_view::npos;  // first code byte of the current statement
  StatementEnd machine;
  auto finish = [&](size_t end) {
    Statement s;
    s.offset = start;
    s.length = end - start;
    std::string keyword = FirstKeyword(text.substr(start, end - start));
    s.node = keyword;
    s.non_transactional = keyword == "VACUUM";
    s.transaction_control = keyword == "BEGIN" || keyword == "COMMIT" || keyword == "END" ||
                            keyword == "ROLLBACK" || keyword == "SAVEPOINT" || keyword == "RELEASE";
    out->push_back(std::move(s));
    start = std::string_view::npos;
  };
  ScanSql(
      text,
      [&](SqlSegment kind, size_t begin, size_t end) {
        if (kind != SqlSegment::kCode && kind != SqlSegment::kQuoted) {
          machine.Feed(StatementEnd::kBlank);
          return;
        }
        if (kind == SqlSegment::kQuoted) {
          if (start == std::string_view::npos) start = begin;
          machine.Feed(StatementEnd::kOther);
          return;
        }
        size_t i = begin;
        while (i < end) {
          char c = text[i];
          if (c == ';') {
            bool empty = start == std::string_view::npos;
            if (machine.Feed(StatementEnd::kSemi) && !empty) finish(i + 1);
            ++i;
            continue;
          }
          if (start == std::string_view::npos) start = i;
          if (IsWordByte(c)) {
            size_t j = i;
            while (j < end && IsWordByte(text[j])) ++j;
            machine.Feed(StatementEnd::Classify(text.substr(i, j - i)));
            i = j;
            continue;
          }
          machine.Feed(StatementEnd::kOther);
          ++i;
        }
      },
      SqlDialect::kSqlite);
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
