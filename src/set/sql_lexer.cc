// The SQL lexer behind directives, section markers and checksums.
#include "set/sql_lexer.h"

#include <cctype>

namespace ratchet {
namespace {

// SQL's blanks, whatever the C locale says about other bytes.
bool IsBlank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool IsWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// If a dollar-quote opener "$tag$" starts at `pos`, returns its length.
size_t DollarTagLength(std::string_view text, size_t pos) {
  if (pos > 0 && (IsWordChar(text[pos - 1]) || text[pos - 1] == '$')) return 0;
  size_t i = pos + 1;
  if (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) return 0;  // $1
  while (i < text.size() && IsWordChar(text[i])) ++i;
  if (i < text.size() && text[i] == '$') return i - pos + 1;
  return 0;
}

// Returns the end of the quoted string opened at `pos` by `quote`.
size_t EndOfQuoted(std::string_view text, size_t pos, char close, bool backslash_escapes) {
  size_t i = pos + 1;
  while (i < text.size()) {
    char c = text[i];
    if (backslash_escapes && c == '\\') {
      i += 2;
      continue;
    }
    if (c == close) {
      if (close != ']' && i + 1 < text.size() && text[i + 1] == close) {
        i += 2;  // doubled quote inside the string
        continue;
      }
      return i + 1;
    }
    ++i;
  }
  return text.size();
}

}  // namespace

void ScanSql(std::string_view text,
             const std::function<void(SqlSegment, size_t, size_t)>& emit) {
  size_t i = 0;
  size_t code_start = std::string_view::npos;
  auto flush_code = [&](size_t end) {
    if (code_start != std::string_view::npos && end > code_start) {
      emit(SqlSegment::kCode, code_start, end);
    }
    code_start = std::string_view::npos;
  };
  while (i < text.size()) {
    char c = text[i];
    char next = i + 1 < text.size() ? text[i + 1] : '\0';
    if (IsBlank(c)) {
      flush_code(i);
      size_t j = i;
      while (j < text.size() && IsBlank(text[j])) ++j;
      emit(SqlSegment::kWhitespace, i, j);
      i = j;
      continue;
    }
    if (c == '-' && next == '-') {
      flush_code(i);
      size_t j = text.find('\n', i);
      if (j == std::string_view::npos) j = text.size();
      emit(SqlSegment::kLineComment, i, j);
      i = j;
      continue;
    }
    if (c == '/' && next == '*') {
      flush_code(i);
      size_t j = i + 2;
      int depth = 1;
      while (j < text.size() && depth > 0) {
        if (text[j] == '/' && j + 1 < text.size() && text[j + 1] == '*') {
          ++depth;
          j += 2;
        } else if (text[j] == '*' && j + 1 < text.size() && text[j + 1] == '/') {
          --depth;
          j += 2;
        } else {
          ++j;
        }
      }
      emit(SqlSegment::kBlockComment, i, j);
      i = j;
      continue;
    }
    size_t end = 0;
    if (c == '\'') {
      bool escapes = i > 0 && (text[i - 1] == 'E' || text[i - 1] == 'e') &&
                     (i < 2 || !IsWordChar(text[i - 2]));
      end = EndOfQuoted(text, i, '\'', escapes);
    } else if (c == '"' || c == '`') {
      end = EndOfQuoted(text, i, c, false);
    } else if (c == '[') {
      end = EndOfQuoted(text, i, ']', false);  // SQLite's [quoted identifier]
    } else if (c == '$') {
      size_t tag = DollarTagLength(text, i);
      if (tag > 0) {
        size_t close = text.find(text.substr(i, tag), i + tag);
        end = close == std::string_view::npos ? text.size() : close + tag;
      }
    }
    if (end > 0) {
      // An E prefix belongs to the string; keep it with the code before it.
      flush_code(i);
      emit(SqlSegment::kQuoted, i, end);
      i = end;
      continue;
    }
    if (code_start == std::string_view::npos) code_start = i;
    ++i;
  }
  flush_code(text.size());
}

bool HasSqlCode(std::string_view text) {
  bool found = false;
  ScanSql(text, [&](SqlSegment kind, size_t, size_t) {
    if (kind == SqlSegment::kCode || kind == SqlSegment::kQuoted) found = true;
  });
  return found;
}

}  // namespace ratchet
