// Parsing targets and opening a connection with the right engine.
#include <fmt/format.h>

#include "engine/postgres/postgres_connection.h"
#include "engine/sqlite/sqlite_connection.h"
#include "ratchet/engine.h"
#include "ratchet/interrupt.h"

namespace ratchet {

Result<Target> ParseTarget(std::string_view text) {
  Target target;
  auto starts_with = [&](std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
  };
  if (starts_with("sqlite://")) {
    target.kind = EngineKind::kSqlite;
    target.conninfo = std::string(text.substr(9));
  } else if (starts_with("sqlite:")) {
    target.kind = EngineKind::kSqlite;
    target.conninfo = std::string(text.substr(7));
  } else if (starts_with("postgresql://") || starts_with("postgres://")) {
    target.kind = EngineKind::kPostgres;
    target.conninfo = std::string(text);
  } else if (text.find('=') != std::string_view::npos) {
    target.kind = EngineKind::kPostgres;  // libpq keywords: "host=... dbname=..."
    target.conninfo = std::string(text);
  } else {
    std::string shown =
        text.find('@') != std::string_view::npos ? "the given target" : fmt::format("'{}'", text);
    return Status(Code::kInvalidArgument,
                  fmt::format("{} is not a database target: write sqlite:path/to/app.db, "
                              "postgresql://user@host/dbname, or libpq keywords such as "
                              "\"host=... dbname=...\"",
                              shown));
  }
  if (target.conninfo.empty()) {
    return Status(Code::kInvalidArgument, "the target names no database: write e.g. sqlite:app.db");
  }
  target.display = target.kind == EngineKind::kSqlite ? "sqlite:" + target.conninfo
                                                      : postgres::DisplayName(target.conninfo);
  return target;
}

Result<std::unique_ptr<Connection>> Connect(const Target& target, const ConnectOptions& options) {
  if (target.kind == EngineKind::kSqlite) return sqlite::Connect(target, options);
  return postgres::Connect(target, options);
}

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case Code::kOk:
      return 0;
    case Code::kUpgradeFailed:
      return 1;
    case Code::kInvalidArgument:
    case Code::kInvalidSet:
    case Code::kConnection:
    case Code::kIo:
      return 2;
    case Code::kCheckFailed:
      return 3;
    case Code::kLockBusy:
      return 4;
    case Code::kRefused:
      return 5;
    case Code::kInternal:
      return 1;
    // 128 + the signal, as a shell reports a program the signal ended.
    case Code::kInterrupted:
      return InterruptRequested() > 0 ? 128 + InterruptRequested() : 130;
  }
  return 1;
}

}  // namespace ratchet
