// Item files: the name grammar, directives before the first statement, and
// section markers anywhere.
#include "set/item_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <regex>
#include <set>

#include "ratchet/text.h"
#include "set/checksum.h"
#include "sql/sql_lexer.h"

namespace ratchet {
namespace {

constexpr std::array<std::string_view, 4> kSectionNames = {"check", "prepare", "finalize",
                                                           "rollback"};
constexpr std::array<std::string_view, 6> kDirectiveNames = {
    "requires", "optional", "transaction", "lock-timeout", "statement-timeout", "same-as"};

// "did you mean" for a misspelled directive or section name, or "".
std::string Suggest(std::string_view word) {
  std::string best;
  size_t best_distance = 3;
  auto consider = [&](std::string_view candidate) {
    size_t d = EditDistance(word, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  };
  for (auto name : kSectionNames) consider(name);
  for (auto name : kDirectiveNames) consider(name);
  return best;
}

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

Status LoadError(const Item& item, size_t offset, const std::string& what) {
  return Status(Code::kInvalidSet, fmt::format("{}: {}", item.Position(offset), what));
}

// A "-- ratchet..." comment line split into its keyword and value.
struct DirectiveLine {
  size_t offset = 0;      // offset of the "--"
  size_t line_begin = 0;  // offset of the line start
  size_t line_end = 0;    // offset after the newline
  std::string key;
  std::string value;
  bool missing_colon = false;
};

// Recognises "-- ratchet: key value" (any spacing, "ratchet" in any case), and
// "-- ratchet key" with a known key but no colon, which is reported as a typo.
bool ReadDirective(std::string_view comment, DirectiveLine* out) {
  size_t i = 2;
  while (i < comment.size() && (comment[i] == ' ' || comment[i] == '\t')) ++i;
  std::string_view rest = comment.substr(i);
  if (rest.size() < 7) return false;
  std::string head;
  for (size_t k = 0; k < 7; ++k) head.push_back(std::tolower(static_cast<unsigned char>(rest[k])));
  if (head != "ratchet") return false;
  rest.remove_prefix(7);
  if (!rest.empty() && (std::isalnum(static_cast<unsigned char>(rest[0])) || rest[0] == '_')) {
    return false;  // "ratchets", "ratchet_x": an ordinary comment
  }
  std::string trimmed = Trim(rest);
  bool colon = !trimmed.empty() && trimmed[0] == ':';
  if (colon) trimmed = Trim(std::string_view(trimmed).substr(1));
  size_t space = trimmed.find_first_of(" \t");
  out->key = trimmed.substr(0, space);
  out->value = space == std::string::npos ? "" : Trim(std::string_view(trimmed).substr(space));
  if (!colon) {
    // Only a known keyword makes a colon-less comment a directive typo.
    bool known =
        std::find(kSectionNames.begin(), kSectionNames.end(), out->key) != kSectionNames.end() ||
        std::find(kDirectiveNames.begin(), kDirectiveNames.end(), out->key) !=
            kDirectiveNames.end();
    if (!known) return false;
    out->missing_colon = true;
  }
  return true;
}

Status ParseVersionList(const Item& item, const DirectiveLine& d, std::vector<Version>* out) {
  std::string list = d.value;
  for (char& c : list) {
    if (c == ',' || c == '\t') c = ' ';
  }
  size_t pos = 0;
  while (pos < list.size()) {
    while (pos < list.size() && list[pos] == ' ') ++pos;
    if (pos >= list.size()) break;
    size_t end = list.find(' ', pos);
    if (end == std::string::npos) end = list.size();
    std::string word = list.substr(pos, end - pos);
    auto v = Version::Parse(word);
    if (!v) {
      return LoadError(item, d.offset,
                       fmt::format("'{}' in '{}' is not a version: write versions as V3 or V2.1, "
                                   "separated by commas",
                                   word, d.key));
    }
    out->push_back(*v);
    pos = end;
  }
  if (out->empty()) {
    return LoadError(
        item, d.offset,
        fmt::format("'{}' needs at least one version, e.g. '-- ratchet: {} V3'", d.key, d.key));
  }
  return Status::Ok();
}

Status ApplyDirective(Item* item, const DirectiveLine& d, std::set<std::string>* seen) {
  if (!seen->insert(d.key).second) {
    return LoadError(*item, d.offset, fmt::format("directive '{}' appears twice: keep one", d.key));
  }
  auto duration = [&](std::optional<std::chrono::milliseconds>* out) -> Status {
    auto ms = ParseDuration(d.value);
    if (!ms) {
      return LoadError(*item, d.offset,
                       fmt::format("'{}' has a bad duration '{}': write e.g. 500ms, 5s, 10min or "
                                   "0, at most 596h",
                                   d.key, Clip(d.value)));
    }
    *out = *ms;
    return Status::Ok();
  };
  if (d.key == "requires") {
    item->requires_offset = d.offset;
    return ParseVersionList(*item, d, &item->requires_versions);
  }
  if (d.key == "optional") {
    if (!d.value.empty()) {
      return LoadError(*item, d.offset,
                       fmt::format("'optional' takes no value, found '{}': write '-- ratchet: "
                                   "optional'",
                                   d.value));
    }
    item->optional = true;
    return Status::Ok();
  }
  if (d.key == "transaction") {
    if (d.value != "none") {
      return LoadError(*item, d.offset,
                       fmt::format("'transaction' accepts only 'none', found '{}': items run in "
                                   "their own transaction unless marked '-- ratchet: transaction "
                                   "none'",
                                   d.value));
    }
    item->transaction = TransactionMode::kNone;
    item->transaction_declared = true;
    return Status::Ok();
  }
  if (d.key == "lock-timeout") return duration(&item->lock_timeout);
  if (d.key == "statement-timeout") return duration(&item->statement_timeout);
  if (d.key == "same-as") {
    std::vector<Version> versions;
    RATCHET_RETURN_IF_ERROR(ParseVersionList(*item, d, &versions));
    if (versions.size() != 1) {
      return LoadError(*item, d.offset, "'same-as' names exactly one version, e.g. V2.1");
    }
    item->same_as = versions[0];
    item->same_as_offset = d.offset;
    return Status::Ok();
  }
  return Status(Code::kInternal, "unhandled directive " + d.key);
}

bool IsSection(std::string_view key) {
  return std::find(kSectionNames.begin(), kSectionNames.end(), key) != kSectionNames.end();
}

SectionKind SectionFromName(std::string_view key) {
  if (key == "check") return SectionKind::kCheck;
  if (key == "prepare") return SectionKind::kPrepare;
  if (key == "rollback") return SectionKind::kRollback;
  return SectionKind::kFinalize;
}

}  // namespace

void OffsetToLineColumn(std::string_view text, size_t offset, int* line, int* column) {
  offset = std::min(offset, text.size());
  int l = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++l;
      line_start = i + 1;
    }
  }
  // Columns count characters, not bytes, so multi-byte UTF-8 reads right.
  int c = 1;
  for (size_t i = line_start; i < offset; ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++c;
  }
  *line = l;
  *column = c;
}

size_t FindInvalidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    // Item files are mostly ASCII: skip eight bytes at a time while none has
    // its high bit set.
    uint64_t word;
    if (i + sizeof word <= text.size()) {
      std::memcpy(&word, text.data() + i, sizeof word);
      if ((word & 0x8080808080808080ULL) == 0) {
        i += sizeof word;
        continue;
      }
    }
    unsigned char c = static_cast<unsigned char>(text[i]);
    size_t n;
    if (c < 0x80) {
      n = 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
      n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 4;
    } else {
      return i;
    }
    if (i + n > text.size()) return i;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return i;
    }
    if (n == 3) {
      unsigned char c1 = static_cast<unsigned char>(text[i + 1]);
      if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0)) return i;  // overlong, surrogate
    }
    if (n == 4) {
      unsigned char c1 = static_cast<unsigned char>(text[i + 1]);
      if ((c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 >= 0x90)) return i;
    }
    i += n;
  }
  return std::string_view::npos;
}

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLowerWordChar(char c) { return (c >= 'a' && c <= 'z') || IsDigit(c); }

// The parts of a valid item file name.
struct NameParts {
  std::string_view version, ticket, description, engine;
};

// Matches V<major>[.<minor>]__<ticket>__<words>[.<engine>].sql, the grammar
// of item file names, without a regular expression: loading a large set
// matches thousands of names.
bool MatchItemFileName(std::string_view name, NameParts* parts) {
  constexpr std::string_view kSql = ".sql";
  if (name.size() < kSql.size() || name.substr(name.size() - kSql.size()) != kSql) return false;
  std::string_view rest = name.substr(0, name.size() - kSql.size());
  for (std::string_view engine : {std::string_view(".postgresql"), std::string_view(".sqlite")}) {
    if (rest.size() > engine.size() && rest.substr(rest.size() - engine.size()) == engine) {
      parts->engine = engine.substr(1);
      rest.remove_suffix(engine.size());
      break;
    }
  }
  if (rest.empty() || rest[0] != 'V') return false;
  size_t i = 1;
  auto digits = [&] {
    size_t start = i;
    while (i < rest.size() && IsDigit(rest[i])) ++i;
    return i > start;
  };
  if (!digits()) return false;
  if (i < rest.size() && rest[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  parts->version = rest.substr(1, i - 1);
  if (rest.substr(i, 2) != "__") return false;
  i += 2;
  size_t ticket = i;
  if (!digits()) return false;
  parts->ticket = rest.substr(ticket, i - ticket);
  if (rest.substr(i, 2) != "__") return false;
  i += 2;
  // Lower-case words joined by single underscores.
  size_t description = i;
  bool word = false;
  for (; i < rest.size(); ++i) {
    if (IsLowerWordChar(rest[i])) {
      word = true;
    } else if (rest[i] == '_' && word) {
      word = false;
    } else {
      return false;
    }
  }
  if (!word) return false;
  parts->description = rest.substr(description);
  return true;
}

}  // namespace

Status ParseItemFileName(std::string_view name, Item* item) {
  NameParts parts;
  if (MatchItemFileName(name, &parts)) {
    auto version = Version::Parse(parts.version);
    if (!version) {
      return Status(Code::kInvalidSet,
                    fmt::format("items/{}: the version is too large: use at most 9 digits", name));
    }
    item->version = *version;
    item->ticket = std::string(parts.ticket);
    item->description = std::string(parts.description);
    item->engine = std::string(parts.engine);
    return Status::Ok();
  }
  // Say which part is wrong.
  std::string text(name);
  std::string why;
  if (text.empty() || text[0] != 'V') {
    why = text.size() > 0 && text[0] == 'v' ? "the version must start with a capital V"
                                            : "the name must start with V<major>";
  } else if (text.find("__") == std::string::npos) {
    why = "parts must be separated by two underscores";
  } else {
    static const std::regex kEngineSuffix(R"(.*__[^.]*\.([A-Za-z0-9]+)\.sql)");
    std::smatch e;
    if (std::regex_match(text, e, kEngineSuffix) && e[1] != "postgresql" && e[1] != "sqlite") {
      why = fmt::format("'{}' is not an engine: use .postgresql.sql or .sqlite.sql, or no suffix",
                        e[1].str());
    } else if (!std::regex_match(text, std::regex(R"(V[0-9]+(\.[0-9]+)?__.*)"))) {
      why = "the version must be V<major> or V<major>.<minor> with digits only";
    } else if (!std::regex_match(text, std::regex(R"(V[0-9.]+__[0-9]+__.*)"))) {
      why = "the ticket must be digits (use 0 when there is none)";
    } else {
      why = "the description must be lower-case words joined by '_' ([a-z0-9_])";
    }
  }
  return Status(Code::kInvalidSet,
                fmt::format("items/{}: not a valid item file name: {}; expected "
                            "V<major>[.<minor>]__<ticket>__<description>.sql, e.g. "
                            "V4__5408__add_isbn_index.sql",
                            name, why));
}

Status ParseItemContent(Item* item) {
  const std::string& content = item->content;
  size_t bad = FindInvalidUtf8(content);
  if (bad != std::string::npos) {
    return LoadError(*item, bad,
                     "the file is not valid UTF-8 (byte " +
                         fmt::format("0x{:02x}", static_cast<unsigned char>(content[bad])) +
                         "): save it as UTF-8");
  }
  // Collect directive comments that start a line, and the first code offset;
  // the checksum is built in the same pass.
  std::vector<DirectiveLine> directives;
  size_t first_code = std::string::npos;
  ChecksumBuilder checksum(content);
  ScanSql(content, [&](SqlSegment kind, size_t begin, size_t end) {
    checksum.Add(kind, begin, end);
    if ((kind == SqlSegment::kCode || kind == SqlSegment::kQuoted) &&
        first_code == std::string::npos) {
      first_code = begin;
    }
    if (kind != SqlSegment::kLineComment) return;
    size_t line_begin = content.rfind('\n', begin == 0 ? 0 : begin - 1);
    line_begin = (begin == 0 || line_begin == std::string::npos) ? 0 : line_begin + 1;
    for (size_t k = line_begin; k < begin; ++k) {
      if (content[k] != ' ' && content[k] != '\t') return;  // a trailing comment
    }
    DirectiveLine d;
    if (!ReadDirective(std::string_view(content).substr(begin, end - begin), &d)) return;
    d.offset = begin;
    d.line_begin = line_begin;
    d.line_end = end < content.size() ? end + 1 : end;
    directives.push_back(std::move(d));
  });

  std::set<std::string> seen;
  std::vector<const DirectiveLine*> markers;
  for (const DirectiveLine& d : directives) {
    if (d.missing_colon) {
      return LoadError(
          *item, d.offset,
          fmt::format("'{}' is missing its colon: write '-- ratchet: {}'",
                      Trim(std::string_view(content).substr(d.offset, d.line_end - d.offset)),
                      d.key + (d.value.empty() ? "" : " " + d.value)));
    }
    if (IsSection(d.key)) {
      if (!d.value.empty()) {
        return LoadError(
            *item, d.offset,
            fmt::format("section marker '{}' takes no value, found '{}'", d.key, d.value));
      }
      markers.push_back(&d);
      continue;
    }
    if (std::find(kDirectiveNames.begin(), kDirectiveNames.end(), d.key) == kDirectiveNames.end()) {
      std::string hint = Suggest(d.key);
      return LoadError(
          *item, d.offset,
          fmt::format("unknown directive '{}'{}; directives are requires, optional, transaction, "
                      "lock-timeout, statement-timeout, same-as; sections are check, prepare, "
                      "finalize, rollback",
                      d.key, hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint)));
    }
    if (first_code != std::string::npos && d.offset > first_code) {
      return LoadError(*item, d.offset,
                       fmt::format("directive '{}' comes after the first statement: move it to "
                                   "the top of the file",
                                   d.key));
    }
    RATCHET_RETURN_IF_ERROR(ApplyDirective(item, d, &seen));
  }

  // Sections: the text between markers; an unmarked file is one finalize section.
  item->sections.clear();
  if (markers.empty()) {
    Section s;
    s.kind = SectionKind::kFinalize;
    s.offset = 0;
    s.text = content;
    item->sections.push_back(std::move(s));
  } else {
    std::string_view before = std::string_view(content).substr(0, markers[0]->line_begin);
    if (HasSqlCode(before)) {
      size_t at = 0;
      ScanSql(before, [&](SqlSegment kind, size_t b, size_t) {
        if ((kind == SqlSegment::kCode || kind == SqlSegment::kQuoted) && at == 0) at = b + 1;
      });
      return LoadError(*item, at ? at - 1 : 0,
                       "SQL before the first section marker: put it under the section it belongs "
                       "to, e.g. '-- ratchet: finalize'");
    }
    std::set<std::string> section_seen;
    for (size_t k = 0; k < markers.size(); ++k) {
      const DirectiveLine& m = *markers[k];
      if (!section_seen.insert(m.key).second) {
        return LoadError(*item, m.offset,
                         fmt::format("section '{}' appears twice: merge them into one", m.key));
      }
      size_t begin = m.line_end;
      size_t end = k + 1 < markers.size() ? markers[k + 1]->line_begin : content.size();
      Section s;
      s.kind = SectionFromName(m.key);
      s.offset = begin;
      s.text = content.substr(begin, end - begin);
      int col;
      OffsetToLineColumn(content, m.offset, &s.marker_line, &col);
      if (!HasSqlCode(s.text)) {
        return LoadError(
            *item, m.offset,
            fmt::format("section '{}' is empty: add its SQL or remove the marker", m.key));
      }
      item->sections.push_back(std::move(s));
    }
  }
  item->no_sql = first_code == std::string::npos;
  item->checksum = checksum.Finish(item->engine);
  return Status::Ok();
}

}  // namespace ratchet
