// The PostgreSQL engine: a ratchet Connection over libpq, sending each item's
// statements in one pipeline so an item costs one round trip.
#include "engine/postgres/postgres_connection.h"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>

#include "engine/interrupt_registry.h"
#include "engine/postgres/pg_parse.h"
#include "util/fault.h"

namespace ratchet::postgres {
namespace {

struct ConnDeleter {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
struct ConninfoDeleter {
  void operator()(PQconninfoOption* options) const { PQconninfoFree(options); }
};
using ConnPtr = std::unique_ptr<PGconn, ConnDeleter>;
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;
using ConninfoPtr = std::unique_ptr<PQconninfoOption, ConninfoDeleter>;

constexpr char kPasswordMask[] = "********";

// The options written in `conninfo` (URL or keywords), or nullopt when libpq
// cannot parse it.
std::optional<std::map<std::string, std::string>> ParseConninfo(std::string_view conninfo) {
  char* error = nullptr;
  ConninfoPtr options(PQconninfoParse(std::string(conninfo).c_str(), &error));
  if (error != nullptr) PQfreemem(error);
  if (options == nullptr) return std::nullopt;
  std::map<std::string, std::string> given;
  for (const PQconninfoOption* o = options.get(); o->keyword != nullptr; ++o) {
    if (o->val != nullptr) given[o->keyword] = o->val;
  }
  return given;
}

// libpq's defaults for options not given: PG* environment variables, then
// compiled-in defaults.
std::map<std::string, std::string> ConninfoDefaults() {
  std::map<std::string, std::string> defaults;
  ConninfoPtr options(PQconndefaults());
  if (options == nullptr) return defaults;
  for (const PQconninfoOption* o = options.get(); o->keyword != nullptr; ++o) {
    if (o->val != nullptr && *o->val != '\0') defaults[o->keyword] = o->val;
  }
  return defaults;
}

// Removes passwords from a conninfo libpq cannot parse: the password of a
// URL's user info and every password=... keyword or query parameter.
std::string ScrubUnparsable(std::string_view conninfo) {
  std::string text(conninfo);
  size_t scheme = text.find("://");
  if (scheme != std::string::npos) {
    size_t authority = scheme + 3;
    size_t at = text.rfind('@');
    if (at != std::string::npos && at > authority) {
      size_t colon = text.find(':', authority);
      if (colon != std::string::npos && colon < at) text.erase(colon, at - colon);
    }
  }
  size_t pos = 0;
  while ((pos = text.find("password", pos)) != std::string::npos) {
    size_t eq = pos + 8;
    while (eq < text.size() && text[eq] == ' ') ++eq;
    if (eq >= text.size() || text[eq] != '=') {
      pos = eq;
      continue;
    }
    size_t value = eq + 1;
    while (value < text.size() && text[value] == ' ') ++value;
    size_t end = value;
    if (end < text.size() && text[end] == '\'') {
      ++end;
      while (end < text.size() && text[end] != '\'') end += text[end] == '\\' ? 2 : 1;
      end = std::min(end + 1, text.size());
    } else {
      while (end < text.size() && text[end] != ' ' && text[end] != '&') ++end;
    }
    text.replace(value, end - value, kPasswordMask);
    pos = value + std::strlen(kPasswordMask);
  }
  return text;
}

// Every form a password in `conninfo` could take in a message.
std::vector<std::string> SecretsOf(std::string_view conninfo) {
  std::vector<std::string> secrets;
  if (auto given = ParseConninfo(conninfo); given && given->count("password") > 0) {
    secrets.push_back(given->at("password"));
  }
  if (const char* env = std::getenv("PGPASSWORD"); env != nullptr) secrets.emplace_back(env);
  // Whatever a malformed conninfo holds where a password would be.
  std::string raw(conninfo);
  std::string scrubbed = ScrubUnparsable(raw);
  size_t prefix = 0;
  while (prefix < raw.size() && prefix < scrubbed.size() && raw[prefix] == scrubbed[prefix]) {
    ++prefix;
  }
  size_t suffix = 0;
  while (suffix < raw.size() - prefix && suffix < scrubbed.size() - prefix &&
         raw[raw.size() - 1 - suffix] == scrubbed[scrubbed.size() - 1 - suffix]) {
    ++suffix;
  }
  if (raw != scrubbed) {
    std::string removed = raw.substr(prefix, raw.size() - prefix - suffix);
    if (!removed.empty() && removed[0] == ':') removed.erase(0, 1);
    if (!removed.empty()) secrets.push_back(removed);
  }
  secrets.erase(std::remove(secrets.begin(), secrets.end(), std::string()), secrets.end());
  return secrets;
}

// Replaces every occurrence of a secret in `text` (invariant 8).
std::string Redact(std::string text, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    size_t pos = 0;
    while ((pos = text.find(secret, pos)) != std::string::npos) {
      text.replace(pos, secret.size(), kPasswordMask);
      pos += std::strlen(kPasswordMask);
    }
  }
  return text;
}

// "postgresql://user@host:port/dbname" from libpq options; socket
// directories go in a host= query parameter, as libpq's URLs allow.
std::string RenderTarget(const std::string& user, const std::string& host, const std::string& port,
                         const std::string& dbname, const std::string& service) {
  std::string authority;
  std::string socket;
  if (host.empty() || host[0] == '/' || host[0] == '@') {
    socket = host;
    authority = port.empty() ? "" : ":" + port;
  } else if (host.find(',') != std::string::npos) {
    std::vector<std::string> hosts;
    std::vector<std::string> ports;
    for (size_t start = 0, end; start <= host.size(); start = end + 1) {
      end = std::min(host.find(',', start), host.size());
      hosts.push_back(host.substr(start, end - start));
    }
    for (size_t start = 0, end; start <= port.size() && !port.empty(); start = end + 1) {
      end = std::min(port.find(',', start), port.size());
      ports.push_back(port.substr(start, end - start));
    }
    for (size_t i = 0; i < hosts.size(); ++i) {
      if (i > 0) authority += ",";
      authority += hosts[i];
      std::string p = ports.size() == 1 ? ports[0] : (i < ports.size() ? ports[i] : "");
      if (!p.empty()) authority += ":" + p;
    }
  } else {
    authority = host + (port.empty() ? "" : ":" + port);
  }
  std::string url = "postgresql://" + (user.empty() ? "" : user + "@") + authority + "/" + dbname;
  std::string query;
  if (!socket.empty()) query += "host=" + socket;
  if (!service.empty()) query += (query.empty() ? "" : "&") + std::string("service=") + service;
  return query.empty() ? url : url + "?" + query;
}

// libpq's connection failure report condensed to one line with the likely fix.
std::string ConnectFailureReason(const std::string& error) {
  std::vector<std::string> reasons;
  std::string socket;
  if (size_t at = error.find("on socket \""); at != std::string::npos) {
    size_t begin = at + 11;
    size_t end = error.find('"', begin);
    if (end != std::string::npos) socket = error.substr(begin, end - begin);
  }
  size_t start = 0;
  while (start < error.size()) {
    size_t end = std::min(error.find('\n', start), error.size());
    std::string line = error.substr(start, end - start);
    start = end + 1;
    if (line.empty() || line[0] == '\t') continue;  // libpq's own hint lines
    if (line.rfind("connection to server", 0) == 0) {
      size_t failed = line.find("failed: ");
      if (failed != std::string::npos) line.erase(0, failed + 8);
    }
    if (line.rfind("FATAL:", 0) == 0) line.erase(0, 6);
    size_t first = line.find_first_not_of(' ');
    line = first == std::string::npos ? "" : line.substr(first);
    if (!line.empty() && std::find(reasons.begin(), reasons.end(), line) == reasons.end()) {
      reasons.push_back(line);
    }
  }
  auto find = [&reasons](std::string_view needle) -> const std::string* {
    for (const std::string& r : reasons) {
      if (r.find(needle) != std::string::npos) return &r;
    }
    return nullptr;
  };
  if (const std::string* r = find("password authentication failed")) {
    return *r + " — check the password (in the URL, PGPASSWORD or ~/.pgpass)";
  }
  if (find("no password supplied") != nullptr) {
    return "the server asks for a password and none was given — put it in PGPASSWORD or "
           "~/.pgpass";
  }
  if (const std::string* r = find("does not exist")) {
    if (r->rfind("database", 0) == 0) return *r + " — create it first, or check the database name";
    if (r->rfind("role", 0) == 0) return *r + " — check the user name";
  }
  if (find("Connection refused") != nullptr) {
    return "connection refused — is the server running on that host and port?";
  }
  if (find("No such file or directory") != nullptr) {
    return "no server socket" + (socket.empty() ? std::string(" there") : " at " + socket) +
           " — is the server running, on that port and socket directory?";
  }
  if (const std::string* r = find("could not translate host name")) {
    return *r + " — check the host name";
  }
  if (find("timeout expired") != nullptr) {
    return "timed out — is the host reachable and the port open to this machine?";
  }
  if (const std::string* r = find("no pg_hba.conf entry")) {
    return *r + " — the server's pg_hba.conf does not allow this connection";
  }
  std::string joined;
  for (const std::string& r : reasons) joined += (joined.empty() ? "" : "; ") + r;
  return joined.empty() ? "unknown libpq error" : joined;
}

std::string Field(const PGresult* result, int code) {
  const char* value = PQresultErrorField(result, code);
  return value != nullptr ? value : "";
}

// Byte offset of 1-based character `position` in `text`; characters are
// UTF-8 sequences when `utf8`, else single bytes.
size_t PositionToByte(std::string_view text, long position, bool utf8) {
  if (position <= 0) return std::string::npos;
  size_t byte = 0;
  for (long chars = 1; chars < position && byte < text.size(); ++chars) {
    ++byte;
    while (utf8 && byte < text.size() && (static_cast<unsigned char>(text[byte]) & 0xC0) == 0x80) {
      ++byte;
    }
  }
  return std::min(byte, text.size());
}

bool IsWordByte(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// True if `sql` starts with the keyword DO.
bool IsDoBlock(std::string_view sql) {
  size_t i = sql.find_first_not_of(" \t\r\n");
  return i != std::string_view::npos && sql.size() >= i + 2 &&
         std::tolower(static_cast<unsigned char>(sql[i])) == 'd' &&
         std::tolower(static_cast<unsigned char>(sql[i + 1])) == 'o' &&
         (sql.size() == i + 2 || !IsWordByte(sql[i + 2]));
}

// For an error raised while a DO block ran: the byte offset in `statement`
// of what failed, from the PL/pgSQL line in `context` ("... inline_code_block
// line 3 at PERFORM") and the word the server pointed at in the internal
// query. npos when it cannot be placed.
size_t LocateInDoBlock(std::string_view statement, const std::string& context,
                       const std::string& internal_query, size_t internal_offset) {
  constexpr std::string_view kFrame = "inline_code_block line ";
  size_t frame = context.rfind(kFrame);
  if (frame == std::string::npos) return std::string::npos;
  long line = std::strtol(context.c_str() + frame + kFrame.size(), nullptr, 10);
  if (line <= 0) return std::string::npos;
  // The body is the first string literal after DO [LANGUAGE name].
  size_t body = std::string_view::npos;
  for (size_t i = 0; i < statement.size(); ++i) {
    if (statement[i] == '\'') {
      body = i + 1;
      break;
    }
    if (statement[i] == '$' && (i == 0 || !IsWordByte(statement[i - 1]))) {
      size_t close = statement.find('$', i + 1);
      if (close == std::string_view::npos) break;
      body = close + 1;
      break;
    }
  }
  if (body == std::string_view::npos) return std::string::npos;
  size_t at = body;
  for (long l = 1; l < line; ++l) {
    at = statement.find('\n', at);
    if (at == std::string_view::npos) return std::string::npos;
    ++at;
  }
  size_t line_start = statement.find_first_not_of(" \t", at);
  if (line_start == std::string_view::npos) line_start = at;
  if (internal_offset < internal_query.size() && IsWordByte(internal_query[internal_offset])) {
    size_t end = internal_offset;
    while (end < internal_query.size() && IsWordByte(internal_query[end])) ++end;
    std::string word = internal_query.substr(internal_offset, end - internal_offset);
    for (size_t pos = statement.find(word, at); pos != std::string_view::npos;
         pos = statement.find(word, pos + 1)) {
      bool whole =
          (pos == 0 || !IsWordByte(statement[pos - 1])) &&
          (pos + word.size() >= statement.size() || !IsWordByte(statement[pos + word.size()]));
      if (whole) return pos;
    }
  }
  return line_start;
}

std::string Quote(std::string_view identifier) {
  std::string quoted = "\"";
  for (char c : identifier) {
    quoted += c;
    if (c == '"') quoted += '"';
  }
  return quoted + "\"";
}

// `text` as an SQL string literal (standard_conforming_strings: quotes
// doubled), for the statements ratchet writes itself.
std::string QuoteLiteral(std::string_view text) {
  std::string quoted = "'";
  for (char c : text) {
    quoted += c;
    if (c == '\'') quoted += '\'';
  }
  return quoted + "'";
}

// The advisory lock key of the bookkeeping schema: FNV-1a 64 of
// "ratchet:<schema>", as the bigint pg_advisory_lock takes. Computed here
// rather than with hashtext() so it never changes with the server version.
int64_t UpgradeLockKey(std::string_view schema) {
  uint64_t hash = 14695981039346656037ull;
  for (char c : "ratchet:" + std::string(schema)) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return static_cast<int64_t>(hash);
}

std::string ValueText(const Value& value) {
  if (const auto* i = std::get_if<int64_t>(&value)) return std::to_string(*i);
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  return "";
}

void IgnoreNotice(void*, const PGresult*) {}

// Parameters as libpq takes them: text, or a null pointer for NULL.
class ParamTexts {
 public:
  explicit ParamTexts(const std::vector<Value>& params) {
    texts_.reserve(params.size());
    for (const Value& v : params) texts_.push_back(ValueText(v));
    for (size_t i = 0; i < params.size(); ++i) {
      values_.push_back(std::holds_alternative<std::monostate>(params[i]) ? nullptr
                                                                          : texts_[i].c_str());
    }
  }
  int count() const { return static_cast<int>(values_.size()); }
  const char* const* values() const { return values_.empty() ? nullptr : values_.data(); }

 private:
  std::vector<std::string> texts_;
  std::vector<const char*> values_;
};

// One statement of a pipeline and where it came from.
struct Request {
  std::string sql;
  std::vector<Value> params;
  std::string prepared;               // the session's prepared statement for `sql`, or ""
  size_t step = 0;                    // index of the caller's step
  size_t offset = std::string::npos;  // offset of sql within a script
  bool do_block = false;
};

class PostgresConnection final : public Connection {
 public:
  PostgresConnection(ConnPtr conn, std::string display, std::string schema,
                     std::vector<std::string> secrets)
      : conn_(std::move(conn)),
        display_(std::move(display)),
        schema_(std::move(schema)),
        secrets_(std::move(secrets)),
        lock_key_(UpgradeLockKey(schema_)) {
    const char* encoding = PQparameterStatus(conn_.get(), "client_encoding");
    utf8_ = encoding == nullptr || std::strcmp(encoding, "UTF8") == 0;
    // A stop request (RequestInterrupt) cancels what this session runs.
    cancel_ = PQgetCancel(conn_.get());
    if (cancel_ != nullptr) cancel_token_ = RegisterCancel({&PostgresConnection::Cancel, cancel_});
  }

  ~PostgresConnection() override {
    UnregisterCancel(cancel_token_);
    if (cancel_ != nullptr) PQfreeCancel(cancel_);
  }

  PostgresConnection(const PostgresConnection&) = delete;
  PostgresConnection& operator=(const PostgresConnection&) = delete;

  EngineKind kind() const override { return EngineKind::kPostgres; }
  const std::string& display_name() const override { return display_; }
  int64_t round_trips() const { return round_trips_; }

  Status Execute(std::string_view sql, const std::vector<Value>& params) override {
    std::vector<Request> requests(1);
    requests[0].sql = std::string(sql);
    requests[0].params = params;
    requests[0].do_block = IsDoBlock(sql);
    return Run(requests, nullptr, nullptr);
  }

  Result<QueryResult> Query(std::string_view sql, const std::vector<Value>& params) override {
    std::vector<Request> requests(1);
    requests[0].sql = std::string(sql);
    requests[0].params = params;
    requests[0].do_block = IsDoBlock(sql);
    std::vector<ResultPtr> results;
    Status status = Run(requests, &results, nullptr);
    if (!status.ok()) return status;
    QueryResult out;
    const PGresult* r = results.back().get();
    if (r == nullptr) return out;
    int columns = PQnfields(r);
    for (int c = 0; c < columns; ++c) out.columns.emplace_back(PQfname(r, c));
    int rows = PQntuples(r);
    out.rows.reserve(rows);
    for (int i = 0; i < rows; ++i) {
      Row& row = out.rows.emplace_back(columns);
      for (int c = 0; c < columns; ++c) {
        if (!PQgetisnull(r, i, c)) row[c].emplace(PQgetvalue(r, i, c), PQgetlength(r, i, c));
      }
    }
    return out;
  }

  Status ExecuteScript(std::string_view script) override {
    std::vector<BatchStep> steps(1);
    steps[0].sql = script;
    steps[0].script = true;
    return ExecuteSteps(steps, false, nullptr);
  }

  // Runs script and statement steps (and COMMIT) with as few round trips as
  // their transaction needs allow; see ExecuteBatch.
  Status ExecuteSteps(const std::vector<BatchStep>& steps, bool commit, size_t* failed_step) {
    if (commit && !InTransaction()) {
      if (failed_step != nullptr) *failed_step = steps.size();
      return Status(Code::kInternal, "no transaction is open on " + display_ + " to commit");
    }
    std::vector<Request> requests;
    std::vector<bool> non_transactional;
    std::vector<bool> transaction_control;
    for (size_t s = 0; s < steps.size(); ++s) {
      if (!steps[s].script) {
        Request r;
        r.sql = std::string(steps[s].sql);
        r.params = steps[s].params;
        r.step = s;
        r.do_block = IsDoBlock(steps[s].sql);
        requests.push_back(std::move(r));
        non_transactional.push_back(false);
        transaction_control.push_back(false);
        continue;
      }
      std::vector<Statement> split_here;
      const std::vector<Statement>& statements =
          steps[s].statements != nullptr ? *steps[s].statements : split_here;
      Status split =
          steps[s].statements != nullptr ? Status::Ok() : SplitScript(steps[s].sql, &split_here);
      if (!split.ok()) {
        if (failed_step != nullptr) *failed_step = s;
        Status failed(Code::kUpgradeFailed, split.message());
        if (split.db_error() != nullptr) {
          failed = Status::DbFailure(Code::kUpgradeFailed, split.message(), *split.db_error());
        }
        return failed;
      }
      for (const Statement& statement : statements) {
        Request r;
        r.sql = std::string(steps[s].sql.substr(statement.offset, statement.length));
        r.step = s;
        r.offset = statement.offset;
        r.do_block = statement.node == "DoStmt";
        requests.push_back(std::move(r));
        non_transactional.push_back(statement.non_transactional);
        transaction_control.push_back(statement.transaction_control);
      }
    }
    if (commit) {
      Request r;
      r.sql = "COMMIT";
      r.step = steps.size();
      requests.push_back(std::move(r));
      non_transactional.push_back(false);
      transaction_control.push_back(true);
    }

    // Inside a transaction, consecutive statements go in one pipeline; a
    // pipeline ends after a statement that changes the transaction state,
    // since what follows must see the new state. Outside a transaction every
    // statement is sent alone, so each commits on its own as in psql, and a
    // non-transactional statement always goes alone (a pipeline is one
    // implicit transaction).
    size_t i = 0;
    while (i < requests.size()) {
      size_t end = i + 1;
      if (!non_transactional[i] && InTransaction()) {
        while (end < requests.size() && !non_transactional[end] && !transaction_control[end - 1]) {
          ++end;
        }
      }
      std::vector<Request> group(std::make_move_iterator(requests.begin() + i),
                                 std::make_move_iterator(requests.begin() + end));
      size_t failed = 0;
      RATCHET_FAULT_POINT("statement.before");
      Status status = Run(group, nullptr, &failed);
      if (!status.ok()) {
        if (failed_step != nullptr) *failed_step = group[failed].step;
        return status;
      }
      RATCHET_FAULT_POINT("statement.after");
      i = end;
    }
    return Status::Ok();
  }

  Status Begin() override {
    if (InTransaction()) {
      return Status(Code::kInternal, "a transaction is already open on " + display_);
    }
    // BEGIN is sent with the next statement, saving a round trip; the
    // transaction's snapshot and locks start there either way.
    pending_begin_ = true;
    return Status::Ok();
  }

  Status Commit() override {
    if (pending_begin_) {
      pending_begin_ = false;
      return Status::Ok();
    }
    if (PQtransactionStatus(conn_.get()) == PQTRANS_IDLE) {
      return Status(Code::kInternal, "no transaction is open on " + display_ + " to commit");
    }
    std::vector<Request> requests(1);
    requests[0].sql = "COMMIT";
    return Run(requests, nullptr, nullptr);
  }

  Status Rollback() override {
    if (pending_begin_) {
      pending_begin_ = false;
      return Status::Ok();
    }
    PGTransactionStatusType state = PQtransactionStatus(conn_.get());
    if (state == PQTRANS_IDLE) return Status::Ok();
    if (state == PQTRANS_UNKNOWN) {
      return Status(Code::kConnection, "lost the connection to " + display_ +
                                           "; the server rolls the open transaction back");
    }
    std::vector<Request> requests(1);
    requests[0].sql = "ROLLBACK";
    return Run(requests, nullptr, nullptr);
  }

  Status AcquireUpgradeLock(std::chrono::milliseconds wait) override {
    if (lock_held_) return Status::Ok();
    using Clock = std::chrono::steady_clock;
    const Clock::time_point deadline = Clock::now() + wait;
    while (true) {
      Result<QueryResult> tried = Query("SELECT pg_try_advisory_lock($1)", {Value(lock_key_)});
      if (!tried.ok()) return tried.status().WithContext("cannot take the upgrade lock");
      if (!tried->rows.empty() && tried->rows[0][0] == "t") {
        lock_held_ = true;
        return Status::Ok();
      }
      Clock::time_point now = Clock::now();
      if (now >= deadline) break;
      std::this_thread::sleep_for(
          std::min<Clock::duration>(std::chrono::milliseconds(100), deadline - now));
    }
    return Status(Code::kLockBusy,
                  fmt::format("the upgrade lock on {} is held by {}; not released within {} ms — "
                              "wait for that upgrade to finish, or stop it",
                              display_, DescribeLockHolder(), wait.count()));
  }

  void ReleaseUpgradeLock() override {
    if (!lock_held_) return;
    std::vector<Request> requests(1);
    requests[0].sql = "SELECT pg_advisory_unlock($1)";
    requests[0].params = {Value(lock_key_)};
    if (RunDirect(requests[0]).ok()) lock_held_ = false;
  }

  Status SetTimeouts(const Timeouts& timeouts) override {
    auto setting = [](std::chrono::milliseconds ms) {
      return std::to_string(std::clamp<int64_t>(ms.count(), 0, INT_MAX)) + "ms";
    };
    Request request;
    request.sql =
        "SELECT set_config('lock_timeout', $1, false), set_config('statement_timeout', $2, false)";
    request.params = {Value(setting(timeouts.lock_timeout)),
                      Value(setting(timeouts.statement_timeout))};
    // Not behind a pending BEGIN: the settings belong to the session.
    return RunDirect(request);
  }

  std::string BookkeepingTable(std::string_view name) const override {
    return Quote(schema_) + "." + std::string(name);
  }

  // CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the
  // schema exists: a role that owns only its schema must get past it.
  std::vector<std::string> BookkeepingPrelude() const override {
    return {fmt::format(
        "DO $ratchet_schema$ BEGIN IF NOT EXISTS (SELECT FROM pg_namespace WHERE nspname = {}) "
        "THEN CREATE SCHEMA {}; END IF; END $ratchet_schema$",
        QuoteLiteral(schema_), Quote(schema_))};
  }

  Result<bool> HasBookkeeping() override {
    Result<QueryResult> found =
        Query("SELECT to_regclass($1) IS NOT NULL", {Value(BookkeepingTable("state"))});
    if (!found.ok()) return found.status();
    return !found->rows.empty() && found->rows[0][0] == "t";
  }

  Result<int> BookkeepingFormat() override {
    const std::string state = BookkeepingTable("state");
    Result<QueryResult> found = Query(
        "SELECT to_regclass($1) IS NOT NULL, EXISTS (SELECT FROM pg_attribute WHERE attrelid = "
        "to_regclass($1) AND attname = 'format' AND NOT attisdropped)",
        {Value(state)});
    if (!found.ok()) return found.status();
    if (found->rows.empty() || found->rows[0][0] != "t") return 0;
    if (found->rows[0][1] != "t") return 1;
    Result<QueryResult> format =
        Query(fmt::format("SELECT format FROM {} WHERE id = 1", state), {});
    if (!format.ok()) return format.status();
    if (format->rows.empty() || !format->rows[0][0]) return 1;
    return std::atoi(format->rows[0][0]->c_str());
  }

  BookkeepingTypes bookkeeping_types() const override {
    // Times are read back in UTC whatever the session's TimeZone and
    // DateStyle; the CAST also reads format 1, which kept them as text.
    return {"timestamptz", "boolean", "bigint", "false",
            "to_char(CAST({} AS timestamptz) AT TIME ZONE 'UTC', "
            "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"};
  }

  std::vector<std::string> BookkeepingRetype(int to) const override {
    if (to != 2) return {};
    // Format 1 kept times as text, flags as 0/1 integers and counts as
    // integer; every stored value converts (ratchet wrote them all).
    auto time = [](const char* column) {
      return fmt::format("ALTER COLUMN {0} TYPE timestamptz USING CAST({0} AS timestamptz)",
                         column);
    };
    auto flag = [](const char* column) {
      return fmt::format(
          "ALTER COLUMN {0} DROP DEFAULT, ALTER COLUMN {0} TYPE boolean USING {0} <> 0, "
          "ALTER COLUMN {0} SET DEFAULT false",
          column);
    };
    return {
        fmt::format("ALTER TABLE {} {}, {}, ALTER COLUMN duration_ms TYPE bigint",
                    BookkeepingTable("items"), flag("optional"), time("applied_at")),
        fmt::format("ALTER TABLE {} {}, {}, {}, {}, {}, {}", BookkeepingTable("state"),
                    time("started_at"), time("updated_at"), time("error_at"), time("prepared_at"),
                    time("finalized_at"), flag("pivoted")),
        fmt::format("ALTER TABLE {} ALTER COLUMN seq TYPE bigint, {}", BookkeepingTable("events"),
                    time("at")),
    };
  }

  bool InTransaction() const override {
    PGTransactionStatusType state = PQtransactionStatus(conn_.get());
    return pending_begin_ || state == PQTRANS_INTRANS || state == PQTRANS_INERROR;
  }

 private:
  // Runs one statement on its own, without a pending BEGIN.
  Status RunDirect(const Request& request) {
    bool pending = pending_begin_;
    pending_begin_ = false;
    std::vector<Request> requests{request};
    Status status = Run(requests, nullptr, nullptr);
    pending_begin_ = pending;
    return status;
  }

  // Sends `requests` (after BEGIN when one is pending) and reads their
  // results. One request with no pending BEGIN goes as a single query;
  // several go in one pipeline with one sync: one round trip. On the first
  // error the server skips the rest; returns that error and sets `*failed`
  // to its index. When `results` is set it receives one result per request.
  Status Run(std::vector<Request>& requests, std::vector<ResultPtr>* results, size_t* failed) {
    if (requests.empty()) return Status::Ok();
    PGconn* conn = conn_.get();
    for (Request& request : requests) AssignPrepared(request);
    const bool with_begin = pending_begin_;
    pending_begin_ = false;
    const size_t count = requests.size() + (with_begin ? 1 : 0);
    if (results != nullptr) {
      results->clear();
      results->resize(requests.size());
    }

    if (count == 1) {
      ++round_trips_;
      ResultPtr result(ExecuteAlone(requests[0]));
      ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
      if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) {
        if (requests[0].sql == "COMMIT" &&
            std::strcmp(PQcmdStatus(result.get()), "ROLLBACK") == 0) {
          if (failed != nullptr) *failed = 0;
          return Status(Code::kUpgradeFailed,
                        "COMMIT on " + display_ +
                            " rolled the transaction back: a statement in it had failed");
        }
        if (results != nullptr) (*results)[0] = std::move(result);
        return Status::Ok();
      }
      if (failed != nullptr) *failed = 0;
      return ErrorFrom(result.get(), requests[0]);
    }

    Request begin;
    begin.sql = "BEGIN";
    auto request_at = [&](size_t index) -> const Request& {
      if (with_begin) return index == 0 ? begin : requests[index - 1];
      return requests[index];
    };
    if (PQenterPipelineMode(conn) != 1) return ConnectionLost(nullptr);
    for (size_t i = 0; i < count; ++i) {
      if (!SendPipelined(request_at(i))) {
        Status lost = ConnectionLost(nullptr);
        PQexitPipelineMode(conn);
        return lost;
      }
    }
    ++round_trips_;
    if (PQpipelineSync(conn) != 1) {
      Status lost = ConnectionLost(nullptr);
      PQexitPipelineMode(conn);
      return lost;
    }
    RATCHET_FAULT_POINT("pipeline.sent");

    // Each query yields its result (or PGRES_PIPELINE_ABORTED) then NULL;
    // the sync yields PGRES_PIPELINE_SYNC.
    std::optional<size_t> first_error;
    ResultPtr error_result;
    size_t index = 0;
    bool lost = false;
    while (true) {
      ResultPtr result(PQgetResult(conn));
      if (result == nullptr) {
        if (PQstatus(conn) == CONNECTION_BAD || index > count) {
          lost = true;
          break;
        }
        ++index;
        continue;
      }
      ExecStatusType status = PQresultStatus(result.get());
      if (status == PGRES_PIPELINE_SYNC) break;
      if (status == PGRES_PIPELINE_ABORTED) continue;
      if (status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE) {
        if (!first_error) {
          first_error = std::min(index, count - 1);
          error_result = std::move(result);
        }
        if (PQstatus(conn) == CONNECTION_BAD) {
          lost = true;
          break;
        }
        continue;
      }
      size_t request_index = with_begin ? index - 1 : index;
      if (results != nullptr && index < count && !(with_begin && index == 0)) {
        (*results)[request_index] = std::move(result);
      }
    }
    PQexitPipelineMode(conn);

    if (first_error) {
      size_t at = *first_error;
      if (with_begin && at == 0) {
        if (failed != nullptr) *failed = 0;
        return ErrorFrom(error_result.get(), begin);
      }
      size_t request_index = with_begin ? at - 1 : at;
      if (failed != nullptr) *failed = request_index;
      return ErrorFrom(error_result.get(), requests[request_index]);
    }
    if (lost) return ConnectionLost(nullptr);
    return Status::Ok();
  }

  // Sets `request.prepared` for a statement with parameters that this
  // session runs again and again (ratchet's bookkeeping writes): the server
  // then parses and plans it once per session instead of once per item.
  // Prepares it on its second use, and only outside a transaction, where a
  // failed prepare (the table does not exist yet) aborts nothing: the
  // statement is then sent as it is, and fails or not where it stands.
  void AssignPrepared(Request& request) {
    constexpr size_t kMaxPrepared = 64;
    if (request.params.empty()) return;
    auto it = prepared_.find(request.sql);
    if (it != prepared_.end()) {
      request.prepared = it->second;
      return;
    }
    if (prepared_.size() >= kMaxPrepared) return;
    if (uses_.size() >= 4 * kMaxPrepared) uses_.clear();
    if (++uses_[request.sql] < 2) return;
    if (PQtransactionStatus(conn_.get()) != PQTRANS_IDLE) return;
    std::string name = "ratchet_" + std::to_string(prepared_.size() + 1);
    ++round_trips_;
    ResultPtr result(PQprepare(conn_.get(), name.c_str(), request.sql.c_str(), 0, nullptr));
    if (result == nullptr || PQresultStatus(result.get()) != PGRES_COMMAND_OK) return;
    uses_.erase(request.sql);
    prepared_.emplace(request.sql, name);
    request.prepared = name;
  }

  // Sends one query on its own and waits for its result.
  PGresult* ExecuteAlone(const Request& request) {
    ParamTexts params(request.params);
    if (!request.prepared.empty()) {
      return PQexecPrepared(conn_.get(), request.prepared.c_str(), params.count(), params.values(),
                            nullptr, nullptr, 0);
    }
    if (params.count() == 0) return PQexec(conn_.get(), request.sql.c_str());
    return PQexecParams(conn_.get(), request.sql.c_str(), params.count(), nullptr, params.values(),
                        nullptr, nullptr, 0);
  }

  // Queues one query in the open pipeline; false if libpq could not.
  bool SendPipelined(const Request& request) {
    ParamTexts params(request.params);
    if (!request.prepared.empty()) {
      return PQsendQueryPrepared(conn_.get(), request.prepared.c_str(), params.count(),
                                 params.values(), nullptr, nullptr, 0) == 1;
    }
    return PQsendQueryParams(conn_.get(), request.sql.c_str(), params.count(), nullptr,
                             params.values(), nullptr, nullptr, 0) == 1;
  }

  Status ConnectionLost(const PGresult* result) {
    // A result libpq made itself for the lost connection has no fields, only
    // its message; the connection's message is the last place a reason is.
    std::string reason = result != nullptr ? Field(result, PG_DIAG_MESSAGE_PRIMARY) : "";
    if (reason.empty() && result != nullptr) reason = PQresultErrorMessage(result);
    if (reason.find_first_not_of(" \n") == std::string::npos) reason = PQerrorMessage(conn_.get());
    if (reason.find_first_not_of(" \n") == std::string::npos) {
      reason =
          "the server ended the session without saying why (it may have been restarted or "
          "the session terminated)";
    }
    while (!reason.empty() && (reason.back() == '\n' || reason.back() == ' ')) reason.pop_back();
    for (char& c : reason) {
      if (c == '\n' || c == '\t') c = ' ';
    }
    DbError error;
    error.sqlstate = "08006";
    error.message = Redact(reason, secrets_);
    return Status::DbFailure(Code::kConnection,
                             Redact("lost the connection to " + display_ + ": " + reason, secrets_),
                             std::move(error));
  }

  // The Status for a failed statement: the server's fields in a DbError and
  // "ERROR <sqlstate>: <message>" as its message.
  Status ErrorFrom(const PGresult* result, const Request& request) {
    if (result == nullptr || PQstatus(conn_.get()) == CONNECTION_BAD) {
      Status lost = ConnectionLost(result);
      if (request.offset != std::string::npos) {
        lost.mutable_db_error()->statement_offset = request.offset;
        lost.mutable_db_error()->statement = request.sql;
      }
      return lost;
    }
    DbError error;
    error.sqlstate = Field(result, PG_DIAG_SQLSTATE);
    error.message = Redact(Field(result, PG_DIAG_MESSAGE_PRIMARY), secrets_);
    if (error.message.empty()) error.message = Redact(PQresultErrorMessage(result), secrets_);
    error.detail = Redact(Field(result, PG_DIAG_MESSAGE_DETAIL), secrets_);
    error.hint = Redact(Field(result, PG_DIAG_MESSAGE_HINT), secrets_);
    error.statement = request.sql;
    error.statement_offset = request.offset;
    std::string context = Redact(Field(result, PG_DIAG_CONTEXT), secrets_);
    if (!context.empty()) {
      error.detail += (error.detail.empty() ? "" : "\n") + std::string("CONTEXT: ") + context;
    }
    std::string position = Field(result, PG_DIAG_STATEMENT_POSITION);
    if (!position.empty()) {
      error.error_offset =
          PositionToByte(request.sql, std::strtol(position.c_str(), nullptr, 10), utf8_);
    } else if (request.do_block) {
      std::string internal_query = Field(result, PG_DIAG_INTERNAL_QUERY);
      std::string internal_position = Field(result, PG_DIAG_INTERNAL_POSITION);
      size_t internal_offset =
          internal_position.empty()
              ? std::string::npos
              : PositionToByte(internal_query, std::strtol(internal_position.c_str(), nullptr, 10),
                               utf8_);
      error.error_offset = LocateInDoBlock(request.sql, context, internal_query, internal_offset);
    }
    std::string severity = Field(result, PG_DIAG_SEVERITY_NONLOCALIZED);
    if (severity.empty()) severity = "ERROR";
    std::string message = severity + " " + error.sqlstate + ": " + error.message;
    return Status::DbFailure(Code::kUpgradeFailed, std::move(message), std::move(error));
  }

  // "pid 123 (application "ratchet", user app, from 10.0.0.5, connected
  // since ..., idle since ...)" for whoever holds the upgrade lock.
  std::string DescribeLockHolder() {
    uint64_t key = static_cast<uint64_t>(lock_key_);
    Result<QueryResult> holder = Query(
        "SELECT l.pid, a.application_name, a.usename, host(a.client_addr), "
        "       a.client_addr IS NULL AND a.backend_start IS NOT NULL, "
        "       date_trunc('second', a.backend_start)::text, a.state, "
        "       date_trunc('second', a.state_change)::text "
        "FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
        "  AND l.classid = $1::bigint::oid AND l.objid = $2::bigint::oid "
        "  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
        "LIMIT 1",
        {Value(static_cast<int64_t>(key >> 32)), Value(static_cast<int64_t>(key & 0xffffffffu))});
    if (!holder.ok() || holder->rows.empty()) {
      return "another session (it may have just released it; run again)";
    }
    const Row& row = holder->rows[0];
    auto get = [&row](size_t i) { return row[i].value_or(""); };
    std::vector<std::string> facts;
    if (row[1]) facts.push_back(fmt::format("application \"{}\"", get(1)));
    if (row[2]) facts.push_back("user " + get(2));
    if (row[3]) {
      facts.push_back("from " + get(3));
    } else if (get(4) == "t") {
      facts.push_back("from local socket");
    }
    if (row[5]) facts.push_back("connected since " + get(5));
    if (row[6] && row[7]) facts.push_back(fmt::format("{} since {}", get(6), get(7)));
    std::string text = "pid " + get(0);
    if (!facts.empty()) {
      text += " (";
      for (size_t i = 0; i < facts.size(); ++i) text += (i > 0 ? ", " : "") + facts[i];
      text += ")";
    }
    return Redact(text, secrets_);
  }

  // Async-signal-safe: PQcancel only writes to a socket of its own.
  static void Cancel(void* cancel) {
    char error[256];
    PQcancel(static_cast<PGcancel*>(cancel), error, sizeof(error));
  }

  ConnPtr conn_;
  PGcancel* cancel_ = nullptr;
  int cancel_token_ = -1;
  std::string display_;
  std::string schema_;
  std::vector<std::string> secrets_;
  int64_t lock_key_;
  bool utf8_ = true;
  bool pending_begin_ = false;
  bool lock_held_ = false;
  int64_t round_trips_ = 0;
  std::unordered_map<std::string, std::string> prepared_;  // SQL -> statement name
  std::unordered_map<std::string, int> uses_;              // SQL not prepared yet -> uses
};

// The options `conninfo` leads libpq to use: what it gives, else libpq's
// defaults (PG* variables); nothing but what it gives when it names a
// service, whose file decides the rest.
class EffectiveOptions {
 public:
  explicit EffectiveOptions(const std::map<std::string, std::string>& given)
      : given_(given), defaults_(ConninfoDefaults()) {}
  std::string operator()(const char* key) const {
    auto it = given_.find(key);
    if (it != given_.end() && !it->second.empty()) return it->second;
    if (has_service()) return "";
    auto def = defaults_.find(key);
    return def != defaults_.end() ? def->second : std::string();
  }
  bool has_service() const { return given_.count("service") > 0; }
  // The database: dbname, else (without a service) the user name.
  std::string dbname() const {
    std::string name = (*this)("dbname");
    return name.empty() && !has_service() ? (*this)("user") : name;
  }

 private:
  const std::map<std::string, std::string>& given_;
  std::map<std::string, std::string> defaults_;
};

}  // namespace

std::string DatabaseOf(std::string_view conninfo) {
  std::optional<std::map<std::string, std::string>> given = ParseConninfo(conninfo);
  return given ? EffectiveOptions(*given).dbname() : "";
}

std::string DisplayName(std::string_view conninfo) {
  std::optional<std::map<std::string, std::string>> given = ParseConninfo(conninfo);
  if (!given) return ScrubUnparsable(conninfo);
  EffectiveOptions pick(*given);
  std::string host = pick("host");
  if (host.empty()) host = pick("hostaddr");
  std::string user = pick("user");
  std::string dbname = pick.dbname();
  std::string service = pick.has_service() ? given->at("service") : "";
  std::vector<std::string> secrets = SecretsOf(conninfo);
  return Redact(RenderTarget(user, host, pick("port"), dbname, service), secrets);
}

Result<std::unique_ptr<Connection>> Connect(const Target& target, const ConnectOptions& options) {
  std::vector<std::string> secrets = SecretsOf(target.conninfo);
  std::string display = DisplayName(target.conninfo);
  std::map<std::string, std::string> given =
      ParseConninfo(target.conninfo).value_or(std::map<std::string, std::string>{});

  // Settings ratchet needs unless the user chose otherwise; listed before
  // dbname so that what the expanded conninfo sets wins.
  std::vector<const char*> keywords;
  std::vector<const char*> values;
  auto unless_set = [&](const char* keyword, const char* env, const char* value) {
    if (given.count(keyword) == 0 && std::getenv(env) == nullptr) {
      keywords.push_back(keyword);
      values.push_back(value);
    }
  };
  unless_set("application_name", "PGAPPNAME", "ratchet");
  unless_set("client_encoding", "PGCLIENTENCODING", "UTF8");
  unless_set("connect_timeout", "PGCONNECT_TIMEOUT", "10");
  keywords.push_back("dbname");
  values.push_back(target.conninfo.c_str());
  keywords.push_back(nullptr);
  values.push_back(nullptr);

  ConnPtr conn(PQconnectdbParams(keywords.data(), values.data(), 1));
  if (conn == nullptr) {
    return Status(Code::kConnection, "cannot connect to " + display + ": out of memory");
  }
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    std::string reason = ConnectFailureReason(PQerrorMessage(conn.get()));
    return Status(Code::kConnection,
                  Redact("cannot connect to " + display + ": " + reason, secrets));
  }
  PQsetNoticeReceiver(conn.get(), IgnoreNotice, nullptr);
  // Marks the session as ratchet's while DDL is frozen (FreezeDdl), so the
  // freeze lets its items through while it refuses everyone else's DDL: the
  // guard admits the sessions listed in a table that only the role which
  // froze DDL may write, by pid and start time, so nothing an application
  // can set for itself gets it in.
  std::string sessions = Quote(options.history_schema) + ".ddl_freeze_sessions";
  std::string literal = QuoteLiteral(sessions);
  std::string schema_literal = QuoteLiteral(options.history_schema);
  std::string enlist = fmt::format(
      // Each test in an IF of its own: SQL does not promise to evaluate AND
      // from left to right, and the later tests fail without the earlier.
      "DO $ratchet_enlist$ BEGIN\n"
      "  IF EXISTS (SELECT FROM pg_namespace WHERE nspname = {2}) THEN\n"
      "  IF has_schema_privilege({2}, 'USAGE') THEN\n"
      "  IF to_regclass({0}) IS NOT NULL THEN\n"
      "  IF has_table_privilege({0}, 'INSERT') AND NOT pg_is_in_recovery()\n"
      "     AND current_setting('transaction_read_only') = 'off' THEN\n"
      "    INSERT INTO {1} (pid, backend_start)\n"
      "      SELECT pid, backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid()\n"
      "      ON CONFLICT DO NOTHING;\n"
      "  END IF; END IF; END IF; END IF;\n"
      "END $ratchet_enlist$",
      literal, sessions, schema_literal);
  PGresult* bypass = PQexec(conn.get(), enlist.c_str());
  bool bypass_ok = PQresultStatus(bypass) == PGRES_COMMAND_OK;
  std::string bypass_error = PQerrorMessage(conn.get());
  PQclear(bypass);
  if (!bypass_ok) {
    return Status(Code::kConnection,
                  Redact("cannot set up the session on " + display + ": " + bypass_error, secrets));
  }

  auto text = [](const char* s) { return std::string(s != nullptr ? s : ""); };
  std::string service = given.count("service") > 0 ? given.at("service") : "";
  std::string effective = RenderTarget(text(PQuser(conn.get())), text(PQhost(conn.get())),
                                       text(PQport(conn.get())), text(PQdb(conn.get())), "");
  return std::unique_ptr<Connection>(std::make_unique<PostgresConnection>(
      std::move(conn), Redact(effective, secrets), options.history_schema, std::move(secrets)));
}

// A libpq keyword value, quoted so spaces, quotes and backslashes survive.
std::string ConninfoValue(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  return out + "'";
}

}  // namespace ratchet::postgres

namespace ratchet {

Result<std::vector<Target>> ListDatabases(const Target& server, std::string_view pattern,
                                          const ConnectOptions& options) {
  if (server.kind != EngineKind::kPostgres) {
    return Status(Code::kInvalidArgument,
                  "--databases lists the databases of a PostgreSQL server; for SQLite files "
                  "pass several --db, or --targets FILE");
  }
  auto conn = Connect(server, options);
  if (!conn.ok()) return conn.status();
  auto rows = (*conn)->Query(
      "SELECT datname FROM pg_database WHERE datname LIKE $1 AND NOT datistemplate"
      " AND datallowconn ORDER BY datname",
      {std::string(pattern)});
  if (!rows.ok()) return rows.status();
  std::vector<Target> out;
  for (const Row& row : rows->rows) {
    auto target = TargetForDatabase(server, row[0].value_or(""));
    if (!target.ok()) return target.status();
    out.push_back(std::move(*target));
  }
  return out;
}

Result<Target> TargetForDatabase(const Target& target, std::string_view dbname) {
  if (target.kind != EngineKind::kPostgres) {
    return Status(Code::kInvalidArgument, target.display + " is not a PostgreSQL database");
  }
  auto keywords = postgres::ParseConninfo(target.conninfo);
  if (!keywords) {
    return Status(Code::kInvalidArgument, "cannot read the connection string " + target.display);
  }
  (*keywords)["dbname"] = std::string(dbname);
  std::string conninfo;
  for (const auto& [k, v] : *keywords) {
    conninfo += (conninfo.empty() ? "" : " ") + k + "=" + postgres::ConninfoValue(v);
  }
  Target out;
  out.kind = EngineKind::kPostgres;
  out.conninfo = conninfo;
  out.display = postgres::DisplayName(conninfo);
  return out;
}

}  // namespace ratchet

namespace ratchet::postgres {

Status ExecuteBatch(Connection& connection, const std::vector<BatchStep>& steps, bool commit,
                    size_t* failed_step) {
  if (auto* pg = dynamic_cast<PostgresConnection*>(&connection)) {
    return pg->ExecuteSteps(steps, commit, failed_step);
  }
  for (size_t s = 0; s < steps.size(); ++s) {
    Status status = steps[s].script ? connection.ExecuteScript(steps[s].sql)
                                    : connection.Execute(steps[s].sql, steps[s].params);
    if (!status.ok()) {
      if (failed_step != nullptr) *failed_step = s;
      return status;
    }
  }
  if (!commit) return Status::Ok();
  Status status = connection.Commit();
  if (!status.ok() && failed_step != nullptr) *failed_step = steps.size();
  return status;
}

int64_t RoundTrips(const Connection& connection) {
  const auto* pg = dynamic_cast<const PostgresConnection*>(&connection);
  return pg != nullptr ? pg->round_trips() : -1;
}

}  // namespace ratchet::postgres
