// Shared plumbing of the ratchet commands.
#include "common.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <filesystem>
#include <iostream>

#include "json_output.h"
#include "ratchet/text.h"

namespace ratchet::tool {

void AddCommonOptions(CLI::App* command, CommonOptions* options, bool with_lock_wait) {
  command
      ->add_option("--set", options->set_dir,
                   "directory of the upgrade set (holds ratchet.toml and items/)")
      ->capture_default_str();
  command
      ->add_option("--db", options->dbs,
                   "database: sqlite:path/app.db, postgresql://user@host/db or libpq "
                   "keywords; default: $RATCHET_DB, then db in ratchet.toml")
      ->take_all();
  if (with_lock_wait) {
    command
        ->add_option("--lock-wait", options->lock_wait,
                     "how long to wait for another ratchet to finish (e.g. 30s, 0)")
        ->capture_default_str();
  }
}

void AddTargetOptions(CLI::App* command, CommonOptions* options) {
  command->add_option("--targets", options->targets_file,
                      "a file naming one database a line (URL or sqlite:path; # comments)");
  command->add_option("--databases", options->databases,
                      "every database on the --db PostgreSQL server whose name matches this "
                      "LIKE pattern, e.g. 'tenant_%'");
  command->add_option("--jobs,-j", options->jobs, "databases to work on at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
}

Result<std::chrono::milliseconds> LockWait(const CommonOptions& options) {
  auto ms = ParseDuration(options.lock_wait);
  if (!ms) {
    return Status(
        Code::kInvalidArgument,
        fmt::format("--lock-wait {}: not a duration; write e.g. 30s, 500ms, 2min or 0, "
                    "at most 596h",
                    options.lock_wait.size() > 80 ? options.lock_wait.substr(0, 80) + "..."
                                                  : options.lock_wait));
  }
  return *ms;
}

Result<std::vector<Target>> ResolveTargets(const CommonOptions& options) {
  TargetOptions targets;
  targets.set_dir = options.set_dir;
  targets.dbs = options.dbs;
  targets.targets_file = options.targets_file;
  targets.databases = options.databases;
  return ratchet::ResolveTargets(targets);
}

Status ParseAll(const UpgradeSet& set, EngineKind engine) {
  std::vector<const Item*> all = set.ItemsFor(engine);
  std::deque<Item> parsed;
  return ParseDeferredItems(engine, &all, &parsed);
}

Result<Session> OpenTarget(const Target& target, std::shared_ptr<const UpgradeSet> set,
                           OpenMode mode) {
  Session session;
  session.target = target;
  session.set = std::move(set);
  if (mode == OpenMode::kMayBeMissing && target.kind == EngineKind::kSqlite &&
      !std::filesystem::exists(target.conninfo)) {
    session.missing = true;
    return session;
  }
  ConnectOptions connect;
  connect.history_schema = session.set->project.history_schema;
  connect.create_if_missing = mode == OpenMode::kCreate;
  // Reading commands answer within a second on a SQLite file that a run is
  // writing, naming the run from its lock (ReadStatus), instead of waiting.
  if (mode == OpenMode::kMayBeMissing) connect.busy_timeout = std::chrono::milliseconds(1000);
  auto conn = Connect(target, connect);
  if (!conn.ok()) return conn.status();
  session.conn = std::move(*conn);
  return session;
}

Result<Session> OpenSession(const CommonOptions& options, OpenMode mode, bool defer_parse) {
  // The target decides which engine's parser checks the items, so it comes
  // first; the set is loaded and checked completely before any connection.
  auto targets = ResolveTargets(options);
  if (!targets.ok()) return targets.status();
  if (targets->size() != 1) {
    return Status(
        Code::kInvalidArgument,
        fmt::format("this command works on one database, and {} were given", targets->size()));
  }
  SetCache sets(options.set_dir, defer_parse);
  auto set = sets.For(targets->front().kind);
  if (!set.ok()) return set.status();
  auto session = OpenTarget(targets->front(), *set, mode);
  if (!session.ok() && defer_parse) {
    // A mistake in the set is the one to fix first, as without deferral.
    RATCHET_RETURN_IF_ERROR(ParseAll(**set, targets->front().kind));
  }
  return session;
}

Result<DatabaseStatus> SessionStatus(Session& session) {
  if (!session.missing) return ReadStatus(*session.conn, *session.set);
  DatabaseStatus st;
  st.database = session.target.display;
  st.engine = session.target.kind;
  st.plan = MakePlan(*session.set, st.engine, {});
  return st;
}

int ReportError(const Status& status, const std::string& next) {
  if (JsonMode()) {
    EmitError(status, next);
    return ExitCodeFor(status);
  }
  std::cerr << "ratchet: error: " << status.message() << "\n";
  if (!next.empty()) std::cerr << "Next: " << next << "\n";
  return ExitCodeFor(status);
}

int ReportUnknownCommand(const CLI::App& app, const std::string& name) {
  std::string list, nearest;
  size_t best = 3;  // suggest only what is a typo away
  for (const CLI::App* command : app.get_subcommands([](const CLI::App*) { return true; })) {
    list += (list.empty() ? "" : ", ") + command->get_name();
    size_t d = EditDistance(name, command->get_name());
    if (d < best) {
      best = d;
      nearest = command->get_name();
    }
  }
  std::string message = fmt::format(
      "unknown command '{}'{}. The commands are: {}. 'ratchet help COMMAND' "
      "explains one.",
      Clip(name), nearest.empty() ? "" : fmt::format(" (did you mean '{}'?)", nearest), list);
  return ReportError(Status(Code::kInvalidArgument, message),
                     nearest.empty() ? "ratchet --help" : "ratchet help " + nearest);
}

std::string CommandLine(const std::string& command, const CommonOptions& options,
                        const std::string& display_db) {
  std::string line = "ratchet " + command;
  if (options.set_dir != ".") line += " --set " + ShellQuote(options.set_dir);
  if (!options.dbs.empty() && !display_db.empty()) line += " --db " + ShellQuote(display_db);
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
