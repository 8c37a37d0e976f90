// The statements an upgrade would send, recorded by running the upgrade
// itself against a connection that reads but never writes.
#include "ratchet/sql_preview.h"

#include <fmt/format.h>

#include <cctype>

#include "engine/engine_driver.h"

namespace ratchet {
namespace {

// An SQL literal both engines read back as `value`.
std::string Literal(const Value& value) {
  if (std::holds_alternative<std::monostate>(value)) return "NULL";
  if (const int64_t* n = std::get_if<int64_t>(&value)) return std::to_string(*n);
  std::string out = "'";
  for (char c : std::get<std::string>(value)) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

// `sql` with each $n outside quotes replaced by the literal of params[n-1].
std::string WithParameters(std::string_view sql, const std::vector<Value>& params) {
  if (params.empty()) return std::string(sql);
  std::string out;
  char quote = 0;
  for (size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (quote) {
      out += c;
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      out += c;
      continue;
    }
    if (c == '$' && i + 1 < sql.size() && std::isdigit(static_cast<unsigned char>(sql[i + 1]))) {
      size_t end = i + 1;
      while (end < sql.size() && std::isdigit(static_cast<unsigned char>(sql[end]))) ++end;
      size_t n = std::stoul(std::string(sql.substr(i + 1, end - i - 1)));
      if (n >= 1 && n <= params.size()) {
        out += Literal(params[n - 1]);
        i = end - 1;
        continue;
      }
    }
    out += c;
  }
  return out;
}

std::string FormatMs(std::chrono::milliseconds ms) {
  if (ms.count() == 0) return "no limit";
  if (ms.count() % 60000 == 0) return fmt::format("{}min", ms.count() / 60000);
  if (ms.count() % 1000 == 0) return fmt::format("{}s", ms.count() / 1000);
  return fmt::format("{}ms", ms.count());
}

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// Stands in for the real connection during a preview: reads go to the
// database, everything else is recorded and reported done.
class RecordingConnection : public Connection {
 public:
  RecordingConnection(Connection& real, std::vector<PreviewStatement>* out)
      : real_(real), out_(*out) {}

  EngineKind kind() const override { return real_.kind(); }
  const std::string& display_name() const override { return real_.display_name(); }

  Status Execute(std::string_view sql, const std::vector<Value>& params) override {
    StatementRole role = StatementRole::kBookkeeping;
    if (StartsWith(sql, "SAVEPOINT") || StartsWith(sql, "RELEASE") || StartsWith(sql, "ROLLBACK")) {
      role = StatementRole::kTransaction;
    } else if (StartsWith(sql, "SET ")) {
      role = StatementRole::kSession;
    }
    Add(role, WithParameters(sql, params));
    return Status::Ok();
  }

  Result<QueryResult> Query(std::string_view sql, const std::vector<Value>& params) override {
    return real_.Query(sql, params);
  }

  Status ExecuteScript(std::string_view script) override {
    PreviewStatement s;
    s.role = StatementRole::kItem;
    s.sql = std::string(script);
    s.item = item_;
    s.file = file_;
    s.section = SectionOf(script);
    out_.push_back(std::move(s));
    return Status::Ok();
  }

  // The statements the engines' own Begin() sends.
  Status Begin() override {
    in_transaction_ = true;
    Add(StatementRole::kTransaction, DriverFor(kind()).begin_statement());
    return Status::Ok();
  }
  Status Commit() override {
    in_transaction_ = false;
    Add(StatementRole::kTransaction, "COMMIT");
    return Status::Ok();
  }
  Status Rollback() override {
    if (!in_transaction_) return Status::Ok();
    in_transaction_ = false;
    Add(StatementRole::kTransaction, "ROLLBACK");
    return Status::Ok();
  }
  bool InTransaction() const override { return in_transaction_; }

  Status AcquireUpgradeLock(std::chrono::milliseconds wait) override {
    Add(StatementRole::kAction,
        fmt::format("take the upgrade lock ({}), waiting up to --lock-wait for another ratchet",
                    DriverFor(kind()).upgrade_lock_kind()));
    return Status::Ok();
  }
  void ReleaseUpgradeLock() override { Add(StatementRole::kAction, "release the upgrade lock"); }

  Status SetTimeouts(const Timeouts& timeouts) override {
    Add(StatementRole::kAction,
        fmt::format("set the session's lock timeout to {} and statement timeout to {}",
                    FormatMs(timeouts.lock_timeout), FormatMs(timeouts.statement_timeout)));
    return Status::Ok();
  }

  std::string BookkeepingTable(std::string_view name) const override {
    return real_.BookkeepingTable(name);
  }
  std::vector<std::string> BookkeepingPrelude() const override {
    return real_.BookkeepingPrelude();
  }
  Result<bool> HasBookkeeping() override { return real_.HasBookkeeping(); }
  Result<int> BookkeepingFormat() override { return real_.BookkeepingFormat(); }
  BookkeepingTypes bookkeeping_types() const override { return real_.bookkeeping_types(); }
  std::vector<std::string> BookkeepingRetype(int to) const override {
    return real_.BookkeepingRetype(to);
  }

  void set_item(const Item* item) {
    item_ = item ? item->version.ToString() : "";
    file_ = item ? "items/" + item->file_name : "";
    current_ = item;
  }

 private:
  void Add(StatementRole role, std::string sql) {
    PreviewStatement s;
    s.role = role;
    s.sql = std::move(sql);
    s.item = item_;
    s.file = file_;
    out_.push_back(std::move(s));
  }

  // The section of the current item that `script` is (or is part of, when
  // its statements run one by one).
  std::string SectionOf(std::string_view script) const {
    if (!current_) return "";
    for (const Section& section : current_->sections) {
      const char* begin = section.text.data();
      if (script.data() >= begin && script.data() <= begin + section.text.size()) {
        return SectionName(section.kind);
      }
      if (script == section.text) return SectionName(section.kind);
    }
    return "";
  }

  Connection& real_;
  std::vector<PreviewStatement>& out_;
  bool in_transaction_ = false;
  std::string item_, file_;
  const Item* current_ = nullptr;
};

// Tells the recorder which item the statements that follow belong to.
class ItemTracker : public Reporter {
 public:
  explicit ItemTracker(RecordingConnection& conn) : conn_(conn) {}
  void ItemStarted(const Item& item, size_t, size_t) override { conn_.set_item(&item); }
  void ItemFinished(const Item&, ItemOutcome, std::chrono::milliseconds, const Status&) override {
    conn_.set_item(nullptr);
  }

 private:
  RecordingConnection& conn_;
};

// `text` ends in a statement terminator, ignoring trailing blanks and
// comment lines.
bool EndsStatement(std::string_view text) {
  while (!text.empty()) {
    size_t end = text.find_last_not_of(" \t\r\n");
    if (end == std::string_view::npos) return true;
    text = text.substr(0, end + 1);
    size_t line_start = text.find_last_of('\n');
    line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
    std::string_view line = text.substr(line_start);
    size_t first = line.find_first_not_of(" \t");
    if (first != std::string_view::npos && line.substr(first, 2) == "--") {
      text = text.substr(0, line_start);
      continue;
    }
    return text.back() == ';';
  }
  return true;
}

}  // namespace

const char* StatementRoleName(StatementRole role) {
  switch (role) {
    case StatementRole::kItem:
      return "item";
    case StatementRole::kBookkeeping:
      return "bookkeeping";
    case StatementRole::kTransaction:
      return "transaction";
    case StatementRole::kSession:
      return "session";
    case StatementRole::kAction:
      return "action";
  }
  return "item";
}

Result<std::vector<PreviewStatement>> PreviewUpgrade(Connection& conn, const UpgradeSet& set,
                                                     const UpgradeOptions& options) {
  std::vector<PreviewStatement> out;
  RecordingConnection recorder(conn, &out);
  ItemTracker tracker(recorder);
  UpgradeOptions preview = options;
  preview.run_checks = false;  // the checks only read; they are 'ratchet check'
  auto summary = Upgrade(recorder, set, preview, &tracker);
  if (!summary.ok()) return summary.status();
  return out;
}

std::string FormatSqlPreview(const std::vector<PreviewStatement>& statements) {
  std::string out;
  std::string last_item;
  for (const PreviewStatement& s : statements) {
    if (s.item != last_item && !s.item.empty()) {
      out += fmt::format("\n-- ratchet: item {} ({})\n", s.item, s.file);
    }
    last_item = s.item;
    switch (s.role) {
      case StatementRole::kItem: {
        out += fmt::format("-- ratchet: {} section of {}\n", s.section.empty() ? "a" : s.section,
                           s.item);
        out += s.sql;
        if (!s.sql.empty() && s.sql.back() != '\n') out += "\n";
        if (!EndsStatement(s.sql)) out += ";\n";
        break;
      }
      case StatementRole::kAction:
        out += fmt::format("-- ratchet: action: {}\n", s.sql);
        break;
      default:
        out += fmt::format("-- ratchet: {}\n{};\n", StatementRoleName(s.role), s.sql);
        break;
    }
  }
  return out;
}

}  // namespace ratchet
