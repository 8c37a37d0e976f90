// Splits PostgreSQL scripts into statements with libpg_query (the server's own
// grammar) and classifies each one for the runner.
#include "engine/postgres/pg_parse.h"

#include <pg_query.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/postgres/pg_tree.h"

namespace ratchet::postgres {
namespace {

bool IsIdentifierByte(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '_' ||
         u == '$' || u >= 0x80;
}

bool IsTagStartByte(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u == '_' || u >= 0x80;
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Returns the position just past the comment starting at `i` (which must be
// "--" or "/*"); block comments nest, as in PostgreSQL.
size_t SkipComment(std::string_view text, size_t i) {
  if (text[i] == '-') {
    size_t end = text.find('\n', i);
    return end == std::string_view::npos ? text.size() : end;
  }
  int depth = 0;
  while (i < text.size()) {
    if (text.compare(i, 2, "/*") == 0) {
      ++depth;
      i += 2;
    } else if (text.compare(i, 2, "*/") == 0) {
      i += 2;
      if (--depth == 0) return i;
    } else {
      ++i;
    }
  }
  return text.size();
}

bool StartsComment(std::string_view text, size_t i) {
  return text.compare(i, 2, "--") == 0 || text.compare(i, 2, "/*") == 0;
}

// Returns the first position at or after `i` that is neither whitespace nor
// inside a comment, bounded by `end`.
size_t SkipBlanksAndComments(std::string_view text, size_t i, size_t end) {
  while (i < end) {
    if (IsSpace(text[i])) {
      ++i;
    } else if (StartsComment(text, i)) {
      i = SkipComment(text, i);
    } else {
      break;
    }
  }
  return i < end ? i : end;
}

// If a dollar-quote opening tag ($$ or $tag$) starts at `i`, returns it.
std::optional<std::string_view> DollarTagAt(std::string_view text, size_t i) {
  if (i > 0 && IsIdentifierByte(text[i - 1])) return std::nullopt;  // part of an identifier
  size_t j = i + 1;
  if (j < text.size() && IsTagStartByte(text[j])) {
    while (j < text.size() && IsIdentifierByte(text[j]) && text[j] != '$') ++j;
  }
  if (j >= text.size() || text[j] != '$') return std::nullopt;
  return text.substr(i, j - i + 1);
}

// Returns the position of the first psql meta-command (a line whose first
// non-blank character is a backslash, outside strings, quoted identifiers,
// dollar quotes and comments), or npos.
size_t FindMetaCommand(std::string_view text) {
  bool line_start = true;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (line_start) {
      if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
        ++i;
        continue;
      }
      if (c == '\\') return i;
      line_start = false;
    }
    if (c == '\n') {
      line_start = true;
      ++i;
    } else if (StartsComment(text, i)) {
      i = SkipComment(text, i);
    } else if (c == '\'') {
      bool escapes = i > 0 && (text[i - 1] == 'e' || text[i - 1] == 'E') &&
                     (i < 2 || !IsIdentifierByte(text[i - 2]));
      ++i;
      while (i < text.size()) {
        if (escapes && text[i] == '\\') {
          i += 2;
        } else if (text[i] == '\'') {
          if (i + 1 < text.size() && text[i + 1] == '\'') {
            i += 2;
          } else {
            ++i;
            break;
          }
        } else {
          ++i;
        }
      }
    } else if (c == '"') {
      size_t end = text.find('"', i + 1);
      while (end != std::string_view::npos && end + 1 < text.size() && text[end + 1] == '"') {
        end = text.find('"', end + 2);
      }
      i = end == std::string_view::npos ? text.size() : end + 1;
    } else if (c == '$') {
      std::optional<std::string_view> tag = DollarTagAt(text, i);
      if (!tag) {
        ++i;
        continue;
      }
      size_t end = text.find(*tag, i + tag->size());
      i = end == std::string_view::npos ? text.size() : end + tag->size();
    } else {
      ++i;
    }
  }
  return std::string_view::npos;
}

// Converts a 1-based character position (as PostgreSQL reports it) in UTF-8
// `text` into a 0-based byte offset, clamped to the text's size.
size_t CharPositionToByte(std::string_view text, int position) {
  size_t byte = 0;
  for (int chars = 1; chars < position && byte < text.size(); ++chars) {
    ++byte;
    while (byte < text.size() && (static_cast<unsigned char>(text[byte]) & 0xC0) == 0x80) ++byte;
  }
  return byte;
}

Status LoadError(std::string message, std::string sqlstate, std::string_view text,
                 size_t statement_offset, size_t error_offset, size_t statement_length) {
  DbError error;
  error.sqlstate = std::move(sqlstate);
  error.message = message;
  error.statement_offset = statement_offset;
  error.error_offset = error_offset;
  if (statement_offset < text.size()) {
    error.statement = std::string(text.substr(statement_offset, statement_length));
  }
  return Status::DbFailure(Code::kInvalidSet, std::move(message), std::move(error));
}

// Locates the statement around byte `position` of `text` with the scanner
// (which tolerates syntax errors) and returns its trimmed start and length.
std::pair<size_t, size_t> StatementAround(const std::string& text, size_t position) {
  PgQuerySplitResult split = pg_query_split_with_scanner(text.c_str());
  std::pair<size_t, size_t> found{position, text.size() - position};
  if (split.error == nullptr) {
    for (int i = 0; i < split.n_stmts; ++i) {
      size_t begin = static_cast<size_t>(split.stmts[i]->stmt_location);
      size_t length = split.stmts[i]->stmt_len == 0 ? text.size() - begin
                                                    : static_cast<size_t>(split.stmts[i]->stmt_len);
      if (begin > position) break;
      size_t start = SkipBlanksAndComments(text, begin, begin + length);
      if (start > position) start = begin;
      found = {start, begin + length - start};
    }
  }
  pg_query_free_split_result(split);
  return found;
}

// What Classify reads of one statement's parse node: its name, which fields
// it has, the values of its boolean and string fields, and the names of the
// DefElems in its lists (option lists such as REINDEX's params).
class ShallowNode {
 public:
  const std::string& name() const { return name_; }
  bool Has(std::string_view field) const { return Find(field) != nullptr; }
  // The boolean `field`; false when absent (libpg_query leaves out false).
  bool Flag(std::string_view field) const {
    const Field* f = Find(field);
    return f != nullptr && f->flag;
  }
  // The string (or enum) `field`; empty when absent.
  std::string_view Text(std::string_view field) const {
    const Field* f = Find(field);
    return f != nullptr ? std::string_view(f->text) : std::string_view();
  }
  // True if the list `list` holds a DefElem named `defname`.
  bool HasDefElem(std::string_view list, std::string_view defname) const {
    for (const auto& [in_list, name] : def_elems_) {
      if (in_list == list && name == defname) return true;
    }
    return false;
  }

 private:
  friend class ParseTreeReader;
  struct Field {
    std::string name;
    std::string text;
    bool flag = false;
  };
  const Field* Find(std::string_view field) const {
    for (const Field& f : fields_) {
      if (f.name == field) return &f;
    }
    return nullptr;
  }

  std::string name_;
  std::vector<Field> fields_;
  std::vector<std::pair<std::string, std::string>> def_elems_;  // (list, defname)
};

// One element of the parse tree's "stmts": where the statement is and its node.
struct RawStatement {
  size_t location = 0;
  size_t length = 0;  // 0: up to the end of the text
  ShallowNode node;
};

// Reads libpg_query's JSON parse tree as it streams past (nlohmann's SAX
// interface), keeping only each statement's RawStatement: no document is
// built, which is most of what reading the tree used to cost. The tree reads
//   {"version":N,"stmts":[{"stmt":{"<Node>":{<fields>}},"stmt_location":N,"stmt_len":N},...]}
// (zero and false values left out), and a field holding an option list reads
//   [{"DefElem":{"defname":"...",...}},...].
// Depth counts the containers open: 1 the tree, 2 "stmts", 3 a statement,
// 4 its "stmt", 5 the node's fields, 6 a field's list, 7 a list element,
// 8 a DefElem's fields.
class ParseTreeReader {
 public:
  using json = nlohmann::json;

  std::vector<RawStatement> statements;
  std::string error;

  bool null() { return true; }
  bool boolean(bool value) {
    if (AtNodeField()) node().fields_.back().flag = value;
    return true;
  }
  bool number_integer(json::number_integer_t value) {
    return number_unsigned(value < 0 ? 0 : static_cast<json::number_unsigned_t>(value));
  }
  bool number_unsigned(json::number_unsigned_t value) {
    if (depth_ == 3 && InStatement()) {
      if (statement_key_ == StatementKey::kLocation) statements.back().location = value;
      if (statement_key_ == StatementKey::kLength) statements.back().length = value;
    }
    return true;
  }
  bool number_float(json::number_float_t, const std::string&) { return true; }
  bool string(std::string& value) {
    if (AtNodeField()) {
      node().fields_.back().text = value;
    } else if (AtDefName()) {
      node().def_elems_.emplace_back(node().fields_.back().name, value);
    }
    return true;
  }
  bool binary(json::binary_t&) { return true; }
  bool start_object(std::size_t) { return Open(false); }
  bool start_array(std::size_t) { return Open(true); }
  bool end_object() { return Close(); }
  bool end_array() { return Close(); }
  bool key(std::string& name) {
    switch (depth_) {
      case 1:
        in_stmts_ = name == "stmts";
        break;
      case 3:
        statement_key_ = name == "stmt"            ? StatementKey::kStmt
                         : name == "stmt_location" ? StatementKey::kLocation
                         : name == "stmt_len"      ? StatementKey::kLength
                                                   : StatementKey::kOther;
        break;
      case 4:
        if (InStatement() && statement_key_ == StatementKey::kStmt && node().name_.empty()) {
          node().name_ = name;
        }
        break;
      case 5:
        if (InNode()) node().fields_.push_back({name, {}, false});
        break;
      case 7:
        in_def_elem_ = name == "DefElem";
        break;
      case 8:
        defname_ = name == "defname";
        break;
    }
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) {
    error = e.what();
    return false;
  }

 private:
  enum class StatementKey { kOther, kStmt, kLocation, kLength };
  static constexpr int kDeepest = 8;  // nothing deeper is read

  bool Open(bool array) {
    ++depth_;
    if (depth_ <= kDeepest) is_array_[depth_] = array;
    if (depth_ == 3 && in_stmts_ && is_array_[2] && !array) statements.emplace_back();
    return true;
  }
  bool Close() {
    --depth_;
    return true;
  }
  ShallowNode& node() { return statements.back().node; }
  // Inside an element of "stmts" (depth 3 or deeper).
  bool InStatement() const {
    return depth_ >= 3 && in_stmts_ && is_array_[2] && !is_array_[3] && !statements.empty();
  }
  // Inside a statement's node fields (depth 5 or deeper).
  bool InNode() const {
    return depth_ >= 5 && InStatement() && statement_key_ == StatementKey::kStmt && !is_array_[4] &&
           !is_array_[5];
  }
  // At the value of one of the node's fields.
  bool AtNodeField() const {
    return depth_ == 5 && InNode() && !statements.back().node.fields_.empty();
  }
  // At the value of a DefElem's "defname", in a list that a node field holds.
  bool AtDefName() const {
    return depth_ == 8 && in_def_elem_ && defname_ && InNode() && is_array_[6] && !is_array_[7] &&
           !is_array_[8] && !statements.back().node.fields_.empty();
  }

  int depth_ = 0;
  bool is_array_[kDeepest + 1] = {};
  bool in_stmts_ = false;
  StatementKey statement_key_ = StatementKey::kOther;
  bool in_def_elem_ = false;
  bool defname_ = false;
};

// Sets `statement`'s flags from its parse node and returns a load error for
// statements ratchet cannot run.
Status Classify(const ShallowNode& node, Statement* statement) {
  const std::string& name = node.name();
  if (name == "TransactionStmt") {
    statement->transaction_control = true;
  } else if (name == "DoStmt" || name == "CallStmt") {
    statement->may_commit = true;
  } else if (name == "IndexStmt" || name == "DropStmt") {
    statement->non_transactional = node.Flag("concurrent");
  } else if (name == "ReindexStmt") {
    std::string_view kind = node.Text("kind");
    statement->non_transactional =
        kind == "REINDEX_OBJECT_SYSTEM" || kind == "REINDEX_OBJECT_DATABASE";
    if (node.HasDefElem("params", "concurrently")) statement->non_transactional = true;
  } else if (name == "VacuumStmt") {
    statement->non_transactional = node.Flag("is_vacuumcmd");
  } else if (name == "CreatedbStmt" || name == "DropdbStmt" || name == "AlterSystemStmt" ||
             name == "CreateTableSpaceStmt" || name == "DropTableSpaceStmt" ||
             name == "CreateSubscriptionStmt" || name == "DropSubscriptionStmt") {
    statement->non_transactional = true;
  } else if (name == "AlterDatabaseStmt") {
    statement->non_transactional = node.HasDefElem("options", "tablespace");
  } else if (name == "ClusterStmt") {
    statement->non_transactional = !node.Has("relation");
  } else if (name == "DiscardStmt") {
    statement->non_transactional = node.Text("target") == "DISCARD_ALL";
  } else if (name == "CopyStmt" && !node.Has("filename") && !node.Flag("is_program")) {
    if (node.Flag("is_from")) {
      return Status(Code::kInvalidSet,
                    "COPY ... FROM STDIN needs rows fed by the client, and ratchet cannot feed "
                    "stdin data; write the rows as INSERT statements, or COPY FROM a file on the "
                    "database server");
    }
    return Status(Code::kInvalidSet,
                  "COPY ... TO STDOUT sends rows to the client, and ratchet has nowhere to put "
                  "them; COPY TO a file on the database server, or use a SELECT in a check "
                  "section");
  }
  return Status::Ok();
}

// Appends the statement `raw` to `out`, located in `text` and classified; a
// load error if ratchet cannot run it.
Status AddStatement(std::string_view text, const RawStatement& raw, std::vector<Statement>* out) {
  size_t begin = std::min(raw.location, text.size());
  size_t length = raw.length;
  if (length == 0 || begin + length > text.size()) length = text.size() - begin;
  size_t start = SkipBlanksAndComments(text, begin, begin + length);
  size_t end = begin + length;
  while (end > start && IsSpace(text[end - 1])) --end;

  Statement statement;
  statement.offset = start;
  statement.length = end - start;
  if (!raw.node.name().empty()) {
    Status status = Classify(raw.node, &statement);
    if (!status.ok()) {
      return LoadError(status.message(), "0A000", text, statement.offset, 0, statement.length);
    }
    statement.node = raw.node.name();
  }
  out->push_back(std::move(statement));
  return Status::Ok();
}

}  // namespace

Status SplitScript(std::string_view text, std::vector<Statement>* out) {
  out->clear();
  if (text.find('\0') != std::string_view::npos) {
    size_t at = text.find('\0');
    return LoadError("the SQL contains a NUL byte; save the file as UTF-8 text", "", text, at, 0,
                     1);
  }
  size_t meta = FindMetaCommand(text);
  if (meta != std::string_view::npos) {
    size_t line_end = text.find('\n', meta);
    size_t length = (line_end == std::string_view::npos ? text.size() : line_end) - meta;
    return LoadError(
        "psql meta-command '" + std::string(text.substr(meta, length)) +
            "': psql meta-commands (\\i, \\set, \\connect ...) are not SQL, and ratchet runs "
            "items without psql; write the SQL itself in the item",
        "", text, meta, 0, length);
  }

  // One parse of the whole text yields each statement's location and tree:
  // the same statements pg_query_split_with_parser would find.
  const std::string input(text);
  PgQueryParseResult parsed = ParseTree(input);
  if (parsed.error != nullptr) {
    std::string message = parsed.error->message != nullptr ? parsed.error->message : "syntax error";
    int cursor = parsed.error->cursorpos;
    pg_query_free_parse_result(parsed);
    if (cursor <= 0) {
      return LoadError(message, "42601", text, 0, std::string::npos, text.size());
    }
    size_t position = CharPositionToByte(input, cursor);
    auto [start, length] = StatementAround(input, position);
    return LoadError(message, "42601", text, start, position - start, length);
  }

  Status status;
  try {
    ParseTreeReader reader;
    if (!nlohmann::json::sax_parse(parsed.parse_tree, &reader)) {
      status = Status(Code::kInternal, "cannot read libpg_query's parse tree: " + reader.error);
    }
    for (const RawStatement& raw : reader.statements) {
      if (!status.ok()) break;
      status = AddStatement(text, raw, out);
    }
  } catch (const std::exception& e) {
    status =
        Status(Code::kInternal, std::string("cannot read libpg_query's parse tree: ") + e.what());
  }
  pg_query_free_parse_result(parsed);
  if (!status.ok()) out->clear();
  return status;
}

}  // namespace ratchet::postgres
