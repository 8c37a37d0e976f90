// Item checksums that survive reformatting and comment edits.
#include "set/checksum.h"

#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include "ratchet/upgrade_set.h"
#include "sql/sql_lexer.h"
#include "util/sha256.h"

namespace ratchet {
namespace {

bool IsWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// If `comment` is a directive ("--" blanks "ratchet" blanks ":" ...), returns
// its canonical form "ratchet:<key> <value words>"; else "".
std::string CanonicalDirective(std::string_view comment) {
  size_t i = 2;
  auto skip_blanks = [&] {
    while (i < comment.size() && (comment[i] == ' ' || comment[i] == '\t' || comment[i] == '\r'))
      ++i;
  };
  skip_blanks();
  if (comment.size() - i < 7) return "";
  for (size_t k = 0; k < 7; ++k) {
    if (std::tolower(static_cast<unsigned char>(comment[i + k])) != "ratchet"[k]) return "";
  }
  i += 7;
  skip_blanks();
  if (i >= comment.size() || comment[i] != ':') return "";
  ++i;
  std::string out = "ratchet:";
  bool blank = false;
  bool first = true;
  for (; i < comment.size(); ++i) {
    char c = comment[i];
    if (c == ' ' || c == '\t' || c == '\r') {
      blank = true;
      continue;
    }
    if (blank && !first) out.push_back(' ');
    blank = false;
    first = false;
    out.push_back(c);
  }
  return out;
}

}  // namespace

// Canonical form: code and quoted text verbatim, comments dropped except
// directives (which change what ratchet does), and a single blank kept only
// where it separates two word characters.
ChecksumBuilder::ChecksumBuilder(std::string_view content) : content_(content) {
  canonical_.reserve(content.size());
}

void ChecksumBuilder::Append(std::string_view piece) {
  if (piece.empty()) return;
  if (pending_blank_ && !canonical_.empty() && IsWordChar(canonical_.back()) &&
      IsWordChar(piece.front())) {
    canonical_.push_back(' ');
  }
  pending_blank_ = false;
  canonical_.append(piece);
}

void ChecksumBuilder::Add(SqlSegment kind, size_t begin, size_t end) {
  std::string_view piece = content_.substr(begin, end - begin);
  switch (kind) {
    case SqlSegment::kWhitespace:
    case SqlSegment::kBlockComment:
      pending_blank_ = true;
      break;
    case SqlSegment::kLineComment: {
      // Only a comment that starts its line is a directive, as the loader
      // reads it; a trailing comment is an ordinary comment.
      size_t k = begin;
      while (k > 0 && (content_[k - 1] == ' ' || content_[k - 1] == '\t')) --k;
      std::string directive = (k == 0 || content_[k - 1] == '\n') ? CanonicalDirective(piece) : "";
      if (directive.empty()) {
        pending_blank_ = true;
        break;
      }
      canonical_.push_back('\n');
      canonical_.append(directive);
      canonical_.push_back('\n');
      pending_blank_ = false;
      break;
    }
    case SqlSegment::kCode:
    case SqlSegment::kQuoted:
      Append(piece);
      break;
  }
}

namespace {

// Whether the union lexer's reading of `content` keeps every byte that
// `dialect`'s engine executes: no comment of the union reading hides code or
// a string of the engine's. (Blanks are left out of the comparison: where
// the readings disagree on where a string ends, the union reading may fold
// blanks the engine keeps, but it never drops a character the engine runs.)
// Files without the characters on which the readings part ways take the
// fast path.
bool UnionReadingCovers(std::string_view content, SqlDialect dialect) {
  if (content.find_first_of("[`$\\") == std::string_view::npos &&
      content.find("/*") == std::string_view::npos) {
    return true;
  }
  // Whether the union reading keeps each byte: code and quoted text are
  // kept; blanks and comments are not (a directive is kept, but its text is
  // rewritten, so it does not count as keeping what an engine runs).
  std::vector<bool> kept(content.size(), false);
  ScanSql(content, [&](SqlSegment kind, size_t begin, size_t end) {
    if (kind != SqlSegment::kCode && kind != SqlSegment::kQuoted) return;
    for (size_t k = begin; k < end; ++k) kept[k] = true;
  });
  bool covered = true;
  ScanSql(
      content,
      [&](SqlSegment kind, size_t begin, size_t end) {
        if (!covered || (kind != SqlSegment::kCode && kind != SqlSegment::kQuoted)) return;
        for (size_t k = begin; k < end; ++k) {
          if (!kept[k] && !sql_lexer_internal::IsBlank(content[k], dialect)) covered = false;
        }
      },
      dialect);
  return covered;
}

std::string CanonicalFor(std::string_view content, SqlDialect dialect) {
  ChecksumBuilder builder(content);
  ScanSql(
      content, [&](SqlSegment kind, size_t begin, size_t end) { builder.Add(kind, begin, end); },
      dialect);
  return builder.TakeCanonical();
}

}  // namespace

// The canonical text is the union lexer's, as every earlier version of
// ratchet recorded it. Where an engine reads the file differently (SQLite's
// block comments do not nest; PostgreSQL has no [...] or `...` quoting), so
// that the union reading would drop something the engine runs, the engine's
// own canonical text is appended: then every executed character counts.
std::string ChecksumBuilder::Finish(std::string_view engine) {
  const std::pair<const char*, SqlDialect> kReaders[] = {{"postgresql", SqlDialect::kPostgres},
                                                         {"sqlite", SqlDialect::kSqlite}};
  for (const auto& [name, dialect] : kReaders) {
    if (!engine.empty() && engine != name) continue;
    if (UnionReadingCovers(content_, dialect)) continue;
    canonical_ += "\n-- ratchet: read by ";
    canonical_ += name;
    canonical_ += "\n";
    canonical_ += CanonicalFor(content_, dialect);
  }
  return Sha256Hex(canonical_);
}

std::string ChecksumBuilder::TakeCanonical() { return std::move(canonical_); }

std::string ItemChecksum(std::string_view content, std::string_view engine) {
  ChecksumBuilder builder(content);
  ScanSql(content,
          [&](SqlSegment kind, size_t begin, size_t end) { builder.Add(kind, begin, end); });
  return builder.Finish(engine);
}

// Exact: the number is read as integer and fraction digits, never through a
// float, so no input overflows or rounds; the result is at most
// kMaxDuration, the largest timeout PostgreSQL accepts (and SQLite's
// busy timeout, an int of milliseconds, too).
std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  constexpr int64_t kLimit = kMaxDuration.count();
  size_t i = 0;
  int64_t whole = 0;
  bool digits = false;
  bool too_large = false;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    whole = whole * 10 + (text[i] - '0');
    if (whole > kLimit) too_large = true, whole = kLimit + 1;
    digits = true;
    ++i;
  }
  // Up to six fraction digits count (a microsecond of an hour is below a
  // millisecond); more are read and ignored.
  int64_t fraction = 0;
  int64_t scale = 1;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      if (scale < 1000000) {
        fraction = fraction * 10 + (text[i] - '0');
        scale *= 10;
      }
      digits = true;
      ++i;
    }
  }
  if (!digits) return std::nullopt;
  std::string_view unit = text.substr(i);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  int64_t factor;
  if (unit.empty()) {
    if (whole != 0 || fraction != 0) return std::nullopt;  // a bare number is ambiguous unless 0
    return std::chrono::milliseconds(0);
  } else if (unit == "ms") {
    factor = 1;
  } else if (unit == "s" || unit == "sec" || unit == "secs") {
    factor = 1000;
  } else if (unit == "min" || unit == "m" || unit == "mins") {
    factor = 60000;
  } else if (unit == "h" || unit == "hour" || unit == "hours") {
    factor = 3600000;
  } else {
    return std::nullopt;
  }
  if (too_large || whole > kLimit / factor) return std::nullopt;
  int64_t ms = whole * factor + fraction * factor / scale;
  if (ms > kLimit) return std::nullopt;
  return std::chrono::milliseconds(ms);
}

}  // namespace ratchet
