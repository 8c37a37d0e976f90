// The bookkeeping schema (DESIGN §2), written in SQL both engines accept.
#include "run/bookkeeping.h"

#include <fmt/format.h>

#include <cstdlib>

#include "run/transaction.h"
#include "util/clock.h"

namespace ratchet {
namespace {

// A flag as either engine returns it: 1 on SQLite, t on PostgreSQL.
bool IsYes(const std::optional<std::string>& flag) {
  return flag && (*flag == "1" || *flag == "t" || *flag == "true");
}

// A flag as a parameter both engines store as theirs: text that SQLite's
// INTEGER affinity keeps as 0 or 1 and PostgreSQL reads as a boolean (or, in
// format 1, as an integer).
Value Flag(bool yes) { return std::string(yes ? "1" : "0"); }

}  // namespace

Bookkeeping::Bookkeeping(Connection& conn)
    : conn_(conn),
      items_(conn.BookkeepingTable("items")),
      state_(conn.BookkeepingTable("state")),
      events_(conn.BookkeepingTable("events")),
      types_(conn.bookkeeping_types()) {}

Result<int> Bookkeeping::Format() {
  if (format_ >= 0) return format_;
  auto format = conn_.BookkeepingFormat();
  if (!format.ok()) return format.status();
  if (*format > kFormat) {
    // Every format since 2 keeps format_by: the ratchet that wrote it.
    auto by = conn_.Query(fmt::format("SELECT format_by FROM {} WHERE id = 1", state_));
    std::string writer = "a newer ratchet";
    if (by.ok() && !by->rows.empty() && by->rows[0][0] && !by->rows[0][0]->empty()) {
      writer = "ratchet " + *by->rows[0][0];
    }
    return Status(
        Code::kRefused,
        fmt::format("{}: ratchet's bookkeeping here is in format {}, written by {}; "
                    "this ratchet ({}) knows formats up to {} and changes nothing: "
                    "run this with {} or later",
                    conn_.display_name(), *format, writer, ToolVersion(), kFormat,
                    writer == "a newer ratchet" ? "the ratchet that upgraded it" : writer));
  }
  format_ = *format;
  return format_;
}

std::string Bookkeeping::TimeText(const char* column) const {
  return fmt::format(fmt::runtime(types_.time_as_text), column);
}

Status Bookkeeping::Ensure(TransactionGroup* group) {
  auto format = Format();
  if (!format.ok()) return format.status();
  if (*format == kFormat) return Status::Ok();
  const int from = *format;
  auto run = [&]() -> Status { return from == 0 ? Create() : UpgradeFormat(from); };
  Status s = group ? group->Run(run) : RunInTransaction(conn_, run);
  if (!s.ok()) {
    if (from == 0) {
      return s.WithContext(
          fmt::format("{}: cannot create ratchet's bookkeeping tables", conn_.display_name()));
    }
    const std::string what = fmt::format(
        "{}: cannot upgrade ratchet's bookkeeping from format {} to {}; nothing was changed",
        conn_.display_name(), from, kFormat);
    // Only the tables' owner may change them: a role that may write their
    // rows is not enough. That is no failed upgrade but a refusal to start.
    if (const DbError* e = s.db_error(); e && e->sqlstate == "42501") {
      return Status(Code::kRefused,
                    fmt::format("{}: {}. Run this command once as the owner of {}, {} and {}, "
                                "then go on as before",
                                what, e->message, items_, state_, events_));
    }
    return s.WithContext(what);
  }
  format_ = kFormat;
  return s;
}

// All three tables and the state row appear together or not at all.
Status Bookkeeping::Create() {
  for (const std::string& sql : conn_.BookkeepingPrelude()) {
    RATCHET_RETURN_IF_ERROR(conn_.Execute(sql));
  }
  const BookkeepingTypes& t = types_;
  RATCHET_RETURN_IF_ERROR(conn_.Execute(
      fmt::format("CREATE TABLE IF NOT EXISTS {0} ("
                  " version TEXT PRIMARY KEY, major INTEGER NOT NULL, minor INTEGER NOT NULL,"
                  " description TEXT NOT NULL, ticket TEXT NOT NULL, file TEXT NOT NULL,"
                  " checksum TEXT NOT NULL, phase TEXT NOT NULL"
                  "  CHECK (phase IN ('prepared', 'applied', 'failed')),"
                  " optional {2} NOT NULL DEFAULT {4}, applied_at {1} NOT NULL,"
                  " duration_ms {3} NOT NULL DEFAULT 0, tool_version TEXT NOT NULL,"
                  " upgrade_id TEXT NOT NULL, error TEXT)",
                  items_, t.time, t.flag, t.count, t.no)));
  RATCHET_RETURN_IF_ERROR(conn_.Execute(
      fmt::format("CREATE TABLE IF NOT EXISTS {0} ("
                  " id INTEGER PRIMARY KEY CHECK (id = 1), status TEXT NOT NULL,"
                  " upgrade_id TEXT, from_release TEXT, to_release TEXT, started_at {1},"
                  " updated_at {1}, in_flight TEXT,"
                  " error_item TEXT, error_file TEXT, error_line INTEGER, error_column INTEGER,"
                  " error_statement TEXT, error_sqlstate TEXT, error_message TEXT, error_at {1},"
                  " prepared_at {1}, finalized_at {1}, pivoted {2} NOT NULL DEFAULT {3},"
                  " format INTEGER NOT NULL, format_by TEXT NOT NULL)",
                  state_, t.time, t.flag, t.no)));
  // seq stays INTEGER PRIMARY KEY where that is SQLite's rowid.
  RATCHET_RETURN_IF_ERROR(
      conn_.Execute(fmt::format("CREATE TABLE IF NOT EXISTS {} ("
                                " seq {} PRIMARY KEY, at {} NOT NULL, upgrade_id TEXT,"
                                " event TEXT NOT NULL, version TEXT, detail TEXT)",
                                events_, t.count, t.time)));
  RATCHET_RETURN_IF_ERROR(
      conn_.Execute(fmt::format("INSERT INTO {} (id, status, updated_at, format, format_by)"
                                " VALUES (1, 'active', $1, $2, $3)",
                                state_),
                    {NowUtc(), int64_t{kFormat}, std::string(ToolVersion())}));
  return AddEvent("", "bookkeeping-created", "", ToolVersion());
}

// One step per format, in order, all in the caller's transaction: a crash
// leaves the tables in the format they had.
Status Bookkeeping::UpgradeFormat(int from) {
  for (int to = from + 1; to <= kFormat; ++to) {
    for (const std::string& sql : conn_.BookkeepingRetype(to)) {
      RATCHET_RETURN_IF_ERROR(conn_.Execute(sql));
    }
    if (to == 2) {
      RATCHET_RETURN_IF_ERROR(conn_.Execute(
          fmt::format("ALTER TABLE {} ADD COLUMN format INTEGER NOT NULL DEFAULT 1", state_)));
      RATCHET_RETURN_IF_ERROR(conn_.Execute(
          fmt::format("ALTER TABLE {} ADD COLUMN format_by TEXT NOT NULL DEFAULT ''", state_)));
    }
  }
  RATCHET_RETURN_IF_ERROR(
      conn_.Execute(fmt::format("UPDATE {} SET format = $1, format_by = $2 WHERE id = 1", state_),
                    {int64_t{kFormat}, std::string(ToolVersion())}));
  return AddEvent("", "bookkeeping-upgraded", "",
                  fmt::format("format {} -> {} by ratchet {}", from, kFormat, ToolVersion()));
}

Result<std::vector<AppliedItem>> Bookkeeping::ReadItems() {
  auto format = Format();
  if (!format.ok()) return format.status();
  auto r =
      conn_.Query(fmt::format("SELECT version, description, checksum, phase, optional,"
                              " {}, duration_ms, error FROM {} ORDER BY major, minor",
                              TimeText("applied_at"), items_));
  if (!r.ok()) return r.status();
  std::vector<AppliedItem> out;
  out.reserve(r->rows.size());
  // The rows are ours: their strings move into the items rather than copy.
  auto take = [](std::optional<std::string>& column) {
    return column ? std::move(*column) : std::string();
  };
  for (Row& row : r->rows) {
    AppliedItem a;
    auto version = Version::Parse(row[0].value_or(""));
    auto phase = ParsePhase(row[3].value_or(""));
    if (!version || !phase) {
      return Status(Code::kRefused,
                    fmt::format("{}: the bookkeeping row '{}' in {} is damaged: restore it, or "
                                "delete the row and run 'ratchet baseline'",
                                conn_.display_name(), row[0].value_or("NULL"), items_));
    }
    a.version = *version;
    a.description = take(row[1]);
    a.checksum = take(row[2]);
    a.phase = *phase;
    a.optional = IsYes(row[4]);
    a.applied_at = take(row[5]);
    a.duration_ms = row[6] ? std::atoll(row[6]->c_str()) : 0;
    a.error = take(row[7]);
    out.push_back(std::move(a));
  }
  return out;
}

Result<StateRow> Bookkeeping::ReadState() {
  auto format = Format();
  if (!format.ok()) return format.status();
  auto r = conn_.Query(fmt::format(
      "SELECT status, upgrade_id, from_release, to_release, {}, {}, in_flight,"
      " error_item, error_file, error_line, error_column, error_statement, error_sqlstate,"
      " error_message, {}, pivoted, {}, {} FROM {} WHERE id = 1",
      TimeText("started_at"), TimeText("updated_at"), TimeText("error_at"), TimeText("prepared_at"),
      TimeText("finalized_at"), state_));
  if (!r.ok()) return r.status();
  StateRow state;
  if (r->rows.empty()) return state;
  const Row& row = r->rows[0];
  auto status = ParseState(row[0].value_or("active"));
  if (!status) {
    return Status(Code::kRefused,
                  fmt::format("{}: the state row in {} says '{}', which no ratchet writes: "
                              "restore the row from a backup; ratchet does not guess what it "
                              "meant",
                              conn_.display_name(), state_, row[0].value_or("")));
  }
  state.status = *status;
  state.upgrade_id = row[1].value_or("");
  state.from_release = row[2].value_or("");
  state.to_release = row[3].value_or("");
  state.started_at = row[4].value_or("");
  state.updated_at = row[5].value_or("");
  state.in_flight = row[6].value_or("");
  if (row[13]) {
    RecordedError e;
    e.version = row[7].value_or("");
    e.file = row[8].value_or("");
    e.line = std::atoi(row[9].value_or("0").c_str());
    e.column = std::atoi(row[10].value_or("0").c_str());
    e.statement = row[11].value_or("");
    e.sqlstate = row[12].value_or("");
    e.message = *row[13];
    e.at = row[14].value_or("");
    state.error = std::move(e);
  }
  state.pivoted = IsYes(row[15]);
  state.prepared_at = row[16].value_or("");
  state.finalized_at = row[17].value_or("");
  return state;
}

Status Bookkeeping::WriteItem(const Item& item, Phase phase, int64_t duration_ms,
                              const std::string& upgrade_id, const std::string& error) {
  RATCHET_RETURN_IF_ERROR(conn_.Execute(fmt::format("DELETE FROM {} WHERE version = $1", items_),
                                        {item.version.ToString()}));
  return conn_.Execute(
      fmt::format("INSERT INTO {} (version, major, minor, description, ticket, file, checksum,"
                  " phase, optional, applied_at, duration_ms, tool_version, upgrade_id, error)"
                  " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
                  items_),
      {item.version.ToString(), static_cast<int64_t>(item.version.major),
       static_cast<int64_t>(item.version.minor), item.description, item.ticket, item.file_name,
       item.checksum, std::string(PhaseName(phase)), Flag(item.optional), NowUtc(), duration_ms,
       std::string(ToolVersion()), upgrade_id, error.empty() ? Value() : Value(error)});
}

std::vector<Bookkeeping::Write> Bookkeeping::ItemAppliedWrites(const Item& item, Phase phase,
                                                               const std::string& duration_sql,
                                                               const std::string& upgrade_id) {
  std::vector<Write> out;
  out.push_back(
      {fmt::format("DELETE FROM {} WHERE version = $1", items_), {item.version.ToString()}});
  out.push_back(
      {fmt::format("INSERT INTO {} (version, major, minor, description, ticket, file, checksum,"
                   " phase, optional, applied_at, duration_ms, tool_version, upgrade_id)"
                   " VALUES ($1, $2, $3, $4, $5, $6, $7, '{}', $8, $9, {}, $10, $11)",
                   items_, PhaseName(phase), duration_sql),
       {item.version.ToString(), static_cast<int64_t>(item.version.major),
        static_cast<int64_t>(item.version.minor), item.description, item.ticket, item.file_name,
        item.checksum, Flag(item.optional), NowUtc(), std::string(ToolVersion()), upgrade_id}});
  out.push_back({fmt::format("INSERT INTO {0} (seq, at, upgrade_id, event, version, detail)"
                             " SELECT COALESCE(MAX(seq), 0) + 1, $1, $2, '{1}', $3, $4"
                             " FROM {0}",
                             events_, phase == Phase::kPrepared ? "item-prepared" : "item-applied"),
                 {NowUtc(), upgrade_id, item.version.ToString(), item.checksum}});
  return out;
}

Status Bookkeeping::UpdateChecksum(const Version& version, const std::string& checksum) {
  return conn_.Execute(fmt::format("UPDATE {} SET checksum = $1 WHERE version = $2", items_),
                       {checksum, version.ToString()});
}

Status Bookkeeping::MarkApplied(const Version& version, const std::string& upgrade_id) {
  return conn_.Execute(fmt::format("UPDATE {} SET phase = 'applied', applied_at = $1,"
                                   " upgrade_id = $2 WHERE version = $3",
                                   items_),
                       {NowUtc(), upgrade_id, version.ToString()});
}

Status Bookkeeping::DeleteItem(const Version& version) {
  return conn_.Execute(fmt::format("DELETE FROM {} WHERE version = $1", items_),
                       {version.ToString()});
}

Status Bookkeeping::WriteState(const StateRow& s) {
  auto text = [](const std::string& v) { return v.empty() ? Value() : Value(v); };
  const RecordedError* e = s.error ? &*s.error : nullptr;
  return conn_.Execute(
      fmt::format("UPDATE {} SET status = $1, upgrade_id = $2, from_release = $3,"
                  " to_release = $4, started_at = $5, updated_at = $6, in_flight = $7,"
                  " error_item = $8, error_file = $9, error_line = $10, error_column = $11,"
                  " error_statement = $12, error_sqlstate = $13, error_message = $14,"
                  " error_at = $15, pivoted = $16, prepared_at = $17, finalized_at = $18"
                  " WHERE id = 1",
                  state_),
      {std::string(StateName(s.status)), text(s.upgrade_id), text(s.from_release),
       text(s.to_release), text(s.started_at), NowUtc(), text(s.in_flight),
       e ? text(e->version) : Value(), e ? text(e->file) : Value(),
       e ? Value(int64_t{e->line}) : Value(), e ? Value(int64_t{e->column}) : Value(),
       e ? text(e->statement) : Value(), e ? text(e->sqlstate) : Value(),
       e ? Value(e->message) : Value(), e ? text(e->at) : Value(), Flag(s.pivoted),
       text(s.prepared_at), text(s.finalized_at)});
}

Status Bookkeeping::RecordState(const StateRow& state, const std::string& event,
                                const std::string& detail) {
  RATCHET_RETURN_IF_ERROR(WriteState(state));
  return AddEvent(state.upgrade_id, event, "", detail);
}

Status Bookkeeping::AddEvent(const std::string& upgrade_id, const std::string& event,
                             const std::string& version, const std::string& detail) {
  auto text = [](const std::string& v) { return v.empty() ? Value() : Value(v); };
  return conn_.Execute(fmt::format("INSERT INTO {0} (seq, at, upgrade_id, event, version, detail)"
                                   " SELECT COALESCE(MAX(seq), 0) + 1, $1, $2, $3, $4, $5 FROM {0}",
                                   events_),
                       {NowUtc(), text(upgrade_id), event, text(version), text(detail)});
}

Result<size_t> Bookkeeping::StatementsDone(const Version& version) {
  auto rows = conn_.Query(
      fmt::format("SELECT detail FROM {0} WHERE version = $1 AND event = 'statement-done' AND "
                  "seq > COALESCE((SELECT MAX(seq) FROM {0} WHERE version = $1 AND event IN "
                  "('item-applied', 'item-prepared', 'item-rolled-back')), 0) "
                  "ORDER BY seq DESC LIMIT 1",
                  events_),
      {version.ToString()});
  if (!rows.ok()) return rows.status();
  if (rows->rows.empty()) return size_t{0};
  const std::string detail = rows->rows[0][0].value_or("0");
  return static_cast<size_t>(std::strtoull(detail.c_str(), nullptr, 10));
}

}  // namespace ratchet
