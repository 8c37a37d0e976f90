// Item checksums that survive reformatting and comment edits.
#include "set/checksum.h"

#include <cctype>
#include <string>

#include "ratchet/upgrade_set.h"
#include "set/sql_lexer.h"
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
    while (i < comment.size() && (comment[i] == ' ' || comment[i] == '\t' || comment[i] == '\r')) ++i;
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

std::string ChecksumBuilder::Finish() { return Sha256Hex(canonical_); }

std::string ItemChecksum(std::string_view content) {
  ChecksumBuilder builder(content);
  ScanSql(content,
          [&](SqlSegment kind, size_t begin, size_t end) { builder.Add(kind, begin, end); });
  return builder.Finish();
}

std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  size_t i = 0;
  double number = 0;
  bool digits = false;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    number = number * 10 + (text[i] - '0');
    digits = true;
    ++i;
  }
  if (i < text.size() && text[i] == '.') {
    ++i;
    double scale = 0.1;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      number += (text[i] - '0') * scale;
      scale /= 10;
      digits = true;
      ++i;
    }
  }
  if (!digits) return std::nullopt;
  std::string_view unit = text.substr(i);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  double factor;
  if (unit.empty()) {
    if (number != 0) return std::nullopt;  // a bare number is ambiguous unless 0
    factor = 0;
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
  return std::chrono::milliseconds(static_cast<int64_t>(number * factor));
}

}  // namespace ratchet
