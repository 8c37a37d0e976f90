// Tokenising and normalising SQL text for snapshots and checks.
#include "sql/sql_text.h"

#include <cctype>

#include "sql/sql_lexer.h"

namespace ratchet {
namespace {

bool IsWordByte(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return std::isalnum(u) || c == '_' || c == '$' || u >= 0x80;
}

// Operators of more than one character that must stay one token.
constexpr std::string_view kLongOperators[] = {
    "->>", ">=", "<=", "<>", "!=", "==", "||", "<<", ">>", "->", "::", ":="};

void SplitCode(std::string_view text, size_t begin, size_t end, std::vector<SqlToken>* out) {
  size_t i = begin;
  while (i < end) {
    SqlToken token;
    token.offset = i;
    if (IsWordByte(text[i])) {
      size_t j = i;
      while (j < end && IsWordByte(text[j])) ++j;
      token.kind = SqlToken::Kind::kWord;
      token.text = std::string(text.substr(i, j - i));
      i = j;
    } else {
      token.kind = SqlToken::Kind::kPunctuation;
      size_t length = 1;
      for (std::string_view op : kLongOperators) {
        if (i + op.size() <= end && text.substr(i, op.size()) == op) {
          length = op.size();
          break;
        }
      }
      token.text = std::string(text.substr(i, length));
      i += length;
    }
    token.end = i;
    out->push_back(std::move(token));
  }
}

std::string Unquote(std::string_view quoted) {
  char close = quoted[0] == '[' ? ']' : quoted[0];
  std::string out;
  size_t i = 1;
  while (i < quoted.size()) {
    char c = quoted[i];
    if (c == close) {
      if (close == ']' || i + 1 >= quoted.size() || quoted[i + 1] != close) break;
      ++i;  // a doubled quote stands for one
    }
    out.push_back(c);
    ++i;
  }
  return out;
}

std::string QuoteIdentifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

}  // namespace

bool SqlToken::Is(std::string_view upper_keyword) const {
  if (kind != Kind::kWord || text.size() != upper_keyword.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(text[i])) != upper_keyword[i]) return false;
  }
  return true;
}

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string AsciiUpper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::vector<SqlToken> TokenizeSql(std::string_view text) {
  std::vector<SqlToken> tokens;
  ScanSql(text, [&](SqlSegment kind, size_t begin, size_t end) {
    if (kind == SqlSegment::kCode) {
      SplitCode(text, begin, end, &tokens);
    } else if (kind == SqlSegment::kQuoted) {
      SqlToken token;
      token.offset = begin;
      token.end = end;
      char first = text[begin];
      if (first == '"' || first == '`' || first == '[') {
        token.kind = SqlToken::Kind::kIdentifier;
        token.text = Unquote(text.substr(begin, end - begin));
      } else {
        token.kind = SqlToken::Kind::kString;
        token.text = std::string(text.substr(begin, end - begin));
      }
      tokens.push_back(std::move(token));
    }
  });
  return tokens;
}

std::string JoinTokens(const std::vector<SqlToken>& tokens, size_t begin, size_t end,
                       bool fold_case) {
  std::string out;
  const SqlToken* previous = nullptr;
  for (size_t i = begin; i < end && i < tokens.size(); ++i) {
    const SqlToken& t = tokens[i];
    std::string text;
    switch (t.kind) {
      case SqlToken::Kind::kWord:
        text = fold_case ? AsciiLower(t.text) : t.text;
        break;
      case SqlToken::Kind::kIdentifier:
        text = fold_case ? AsciiLower(t.text) : QuoteIdentifier(t.text);
        break;
      default:
        text = t.text;
    }
    if (previous != nullptr) {
      const std::string& p = previous->text;
      bool glue =
          (previous->kind == SqlToken::Kind::kPunctuation && (p == "(" || p == "." || p == "::")) ||
          (t.kind == SqlToken::Kind::kPunctuation &&
           (t.text == ")" || t.text == "," || t.text == ";" || t.text == "." || t.text == "::")) ||
          (t.kind == SqlToken::Kind::kPunctuation && t.text == "(" && previous->IsName());
      if (!glue) out.push_back(' ');
    }
    out += text;
    previous = &t;
  }
  return out;
}

std::string NormaliseSql(std::string_view text, bool fold_case) {
  std::vector<SqlToken> tokens = TokenizeSql(text);
  return JoinTokens(tokens, 0, tokens.size(), fold_case);
}

std::string QuoteNameIfNeeded(const std::string& identifier) {
  bool plain = !identifier.empty() && !(identifier[0] >= '0' && identifier[0] <= '9');
  for (char c : identifier) {
    plain = plain && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  }
  if (plain) return identifier;
  std::string out = "\"";
  for (char c : identifier) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace ratchet
