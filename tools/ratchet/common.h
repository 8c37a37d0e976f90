// What every ratchet command shares: the common options, finding the set and
// the database, and turning a Status into a message and an exit code.
#ifndef RATCHET_TOOLS_RATCHET_COMMON_H_
#define RATCHET_TOOLS_RATCHET_COMMON_H_

#include <CLI/CLI.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ratchet/engine.h"
#include "ratchet/fleet.h"
#include "ratchet/runner.h"
#include "ratchet/status.h"
#include "ratchet/upgrade_set.h"

namespace ratchet::tool {

struct CommonOptions {
  std::string set_dir = ".";
  std::vector<std::string> dbs;  // --db, repeatable
  std::string lock_wait = "10s";
  // Many databases (commands that take AddTargetOptions).
  std::string targets_file;  // --targets: one database URL a line
  std::string databases;     // --databases: LIKE pattern over the --db server
  int jobs = 1;              // --jobs: databases worked on at once
};

// Adds --set, --db and --lock-wait to `command`.
void AddCommonOptions(CLI::App* command, CommonOptions* options, bool with_lock_wait = true);

// Adds --targets, --databases and --jobs, for commands that work on many
// databases at once.
void AddTargetOptions(CLI::App* command, CommonOptions* options);

// The database and the set, ready for a command.
struct Session {
  Target target;
  std::shared_ptr<const UpgradeSet> set;
  std::unique_ptr<Connection> conn;  // null when `missing`
  // The SQLite file does not exist yet (read-only commands only): nothing
  // has been applied, and nothing was created by looking.
  bool missing = false;
};

// Parses the target (--db, else RATCHET_DB, else [project] db in ratchet.toml),
// loads the set parsed for that engine, and connects. With kMayBeMissing, a
// SQLite file that does not exist gives a Session marked `missing`. With
// `defer_parse` the items are not parsed yet (see LoadOptions::defer_parse):
// the command parses what it runs or shows; a database that cannot be reached
// is then reported only after the whole set has parsed.
enum class OpenMode {
  kCreate,        // upgrade: a missing SQLite file is created
  kMustExist,     // repair, baseline: a missing file is an error
  kMayBeMissing,  // status, plan: a missing file is a new database, not created
};
Result<Session> OpenSession(const CommonOptions& options, OpenMode mode, bool defer_parse = false);

// Every database the options name (ratchet::ResolveTargets): each --db,
// each line of --targets, and the databases matching --databases on the
// server of --db; with none of these, RATCHET_DB, then db in ratchet.toml.
Result<std::vector<Target>> ResolveTargets(const CommonOptions& options);

// Parses every item of `set` for `engine` (a set loaded with defer_parse),
// returning the first load error.
Status ParseAll(const UpgradeSet& set, EngineKind engine);

// Connects to `target` for a command that works on `set`.
Result<Session> OpenTarget(const Target& target, std::shared_ptr<const UpgradeSet> set,
                           OpenMode mode);

// The status of the session's database; for a missing SQLite file, a new
// database with every item pending.
Result<DatabaseStatus> SessionStatus(Session& session);

// The lock wait in milliseconds, or kInvalidArgument.
Result<std::chrono::milliseconds> LockWait(const CommonOptions& options);

// Prints "ratchet: error: <message>" to stderr (and "Next: <next>" when
// given) and returns the exit code; with --json writes the error object to
// standard output instead.
int ReportError(const Status& status, const std::string& next = "");

// Says that `name` is no ratchet command, suggests the nearest one, lists
// them all, and returns 2 (bad usage).
int ReportUnknownCommand(const CLI::App& app, const std::string& name);

// The command line a user would type to re-run this command against the same
// set and database, for "next:" hints, quoted for the POSIX shell. Never
// holds a password.
std::string CommandLine(const std::string& command, const CommonOptions& options,
                        const std::string& display_db);

// True when standard output is a terminal.
bool IsTerminal();

// One registered subcommand: what runs once the command line is parsed.
using Runner = std::function<int()>;
using SetupFunction = void (*)(CLI::App& app, Runner* run);

// Each cmd_<name>.cc registers its command at namespace scope:
//   const CommandRegistration kRegistered(40, SetupPrepareCommand);
// main() adds the registered commands to the command line in ascending
// `order`, which is the order `ratchet --help` lists them in.
struct CommandRegistration {
  CommandRegistration(int order, SetupFunction setup);
};

// The registered commands, sorted by order.
std::vector<SetupFunction> RegisteredCommands();

}  // namespace ratchet::tool

#endif  // RATCHET_TOOLS_RATCHET_COMMON_H_
