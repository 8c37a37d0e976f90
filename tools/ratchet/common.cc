// Shared plumbing of the ratchet commands.
#include "common.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>

#include <fmt/format.h>

namespace ratchet::tool {

void AddCommonOptions(CLI::App* command, CommonOptions* options, bool with_lock_wait) {
  command->add_option("--set", options->set_dir,
                      "directory of the upgrade set (holds ratchet.toml and items/)")
      ->capture_default_str();
  command->add_option("--db", options->db,
                      "database: sqlite:path/app.db, postgresql://user@host/db or libpq "
                      "keywords; default: $RATCHET_DB, then db in ratchet.toml");
  if (with_lock_wait) {
    command->add_option("--lock-wait", options->lock_wait,
                        "how long to wait for another ratchet to finish (e.g. 30s, 0)")
        ->capture_default_str();
  }
}

Result<std::chrono::milliseconds> LockWait(const CommonOptions& options) {
  auto ms = ParseDuration(options.lock_wait);
  if (!ms) {
    return Status(Code::kInvalidArgument,
                  fmt::format("--lock-wait {}: not a duration; write e.g. 30s, 500ms, 2min or 0",
                              options.lock_wait));
  }
  return *ms;
}

Result<Target> ChooseTarget(const CommonOptions& options) {
  std::string db = options.db;
  bool from_project = false;
  if (db.empty()) {
    if (const char* env = std::getenv("RATCHET_DB"); env && *env) db = env;
  }
  if (db.empty()) {
    auto set = LoadUpgradeSet(options.set_dir);
    if (!set.ok()) return set.status();
    db = set->project.default_db;
    from_project = true;
  }
  if (db.empty()) {
    return Status(Code::kInvalidArgument,
                  "no database given: pass --db sqlite:app.db (or a postgresql:// URL), set "
                  "RATCHET_DB, or write db = \"...\" under [project] in ratchet.toml");
  }
  auto target = ParseTarget(db);
  if (!target.ok()) return target.status();
  if (from_project && target->kind == EngineKind::kSqlite) {
    // A path in ratchet.toml is relative to the set, not to where ratchet runs.
    std::filesystem::path p(target->conninfo);
    if (p.is_relative()) {
      target->conninfo = (std::filesystem::path(options.set_dir) / p).lexically_normal().string();
      target->display = "sqlite:" + target->conninfo;
    }
  }
  return target;
}

Result<Session> OpenSession(const CommonOptions& options, OpenMode mode) {
  // The target decides which engine's parser checks the items, so it comes
  // first; the set is loaded and checked completely before any connection.
  Session session;
  auto target = ChooseTarget(options);
  if (!target.ok()) return target.status();
  session.target = std::move(*target);
  LoadOptions load;
  load.parse_for = session.target.kind;
  auto set = LoadUpgradeSet(options.set_dir, load);
  if (!set.ok()) return set.status();
  session.set = std::move(*set);
  if (mode == OpenMode::kMayBeMissing && session.target.kind == EngineKind::kSqlite &&
      !std::filesystem::exists(session.target.conninfo)) {
    session.missing = true;
    return session;
  }
  ConnectOptions connect;
  connect.history_schema = session.set.project.history_schema;
  connect.create_if_missing = mode == OpenMode::kCreate;
  auto conn = Connect(session.target, connect);
  if (!conn.ok()) return conn.status();
  session.conn = std::move(*conn);
  return session;
}

Result<DatabaseStatus> SessionStatus(Session& session) {
  if (!session.missing) return ReadStatus(*session.conn, session.set);
  DatabaseStatus st;
  st.database = session.target.display;
  st.engine = session.target.kind;
  st.plan = MakePlan(session.set, st.engine, {});
  return st;
}

int ReportError(const Status& status) {
  std::cerr << "ratchet: error: " << status.message() << "\n";
  return ExitCodeFor(status);
}

std::string CommandLine(const std::string& command, const CommonOptions& options,
                        const std::string& display_db) {
  std::string line = "ratchet " + command;
  if (options.set_dir != ".") line += " --set " + options.set_dir;
  if (!options.db.empty()) line += " --db " + display_db;
  return line;
}

bool IsTerminal() { return isatty(STDOUT_FILENO) == 1; }

namespace {
// Function-local, so registrations from other files' static initialisers
// never see it unconstructed.
std::vector<std::pair<int, SetupFunction>>& Registry() {
  static std::vector<std::pair<int, SetupFunction>> registry;
  return registry;
}
}  // namespace

CommandRegistration::CommandRegistration(int order, SetupFunction setup) {
  Registry().emplace_back(order, setup);
}

std::vector<SetupFunction> RegisteredCommands() {
  auto sorted = Registry();
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<SetupFunction> out;
  for (const auto& [order, setup] : sorted) out.push_back(setup);
  return out;
}

}  // namespace ratchet::tool
