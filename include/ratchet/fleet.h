// Many databases at once: finding them, a pool that works on several at a
// time, the summary a multi-database run ends with, and finalize across
// databases (a dry run on every one before any pivots).
#ifndef RATCHET_FLEET_H_
#define RATCHET_FLEET_H_

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ratchet/engine.h"
#include "ratchet/runner.h"
#include "ratchet/status.h"
#include "ratchet/upgrade_set.h"

namespace ratchet {

// The databases a run is to work on, as an operator names them.
struct TargetOptions {
  std::filesystem::path set_dir = ".";  // the set, whose ratchet.toml may name a db
  std::vector<std::string> dbs;         // each a target (ParseTarget)
  std::string targets_file;             // a file naming one database a line
  std::string databases;                // a LIKE pattern over the one server of `dbs`
};

// Returns every database `options` names, in order and without repeats: each
// of `dbs`, each line of `targets_file`, and, with `databases`, the databases
// on the PostgreSQL server of the one entry of `dbs` whose names match that
// pattern (in place of `dbs`). With none of these, the database that
// RATCHET_DB names, else db under [project] in the set's ratchet.toml (a
// relative SQLite path there is relative to the set). Returns
// kInvalidArgument when no database is named, one is no target, the file
// cannot be read or the pattern matches nothing; kInvalidSet when
// ratchet.toml must be read and does not load.
Result<std::vector<Target>> ResolveTargets(const TargetOptions& options);

// The set in one directory, loaded and parsed once for each engine a run
// meets. Safe to share between the jobs of a pool.
class SetCache {
 public:
  // With `defer_parse` the items are loaded unparsed (LoadOptions::
  // defer_parse): the library parses what it runs.
  explicit SetCache(std::filesystem::path dir, bool defer_parse = false)
      : dir_(std::move(dir)), defer_parse_(defer_parse) {}

  // Returns the set loaded (and unless defer_parse, parsed) for `engine`,
  // loading it on the first call; the load error otherwise.
  Result<std::shared_ptr<const UpgradeSet>> For(EngineKind engine);

 private:
  std::filesystem::path dir_;
  bool defer_parse_;
  std::mutex mutex_;
  std::map<EngineKind, std::shared_ptr<const UpgradeSet>> sets_;
};

// Loads the set for the engine of every one of `targets` into `sets`, so
// that a bad set stops a run before any database is touched. Returns the
// first load error.
Status LoadSetsFor(const std::vector<Target>& targets, SetCache& sets);

// What a run did to one database, as a program decides by it. The summary
// counts the label that goes with it (DatabaseResult::label).
enum class DatabaseOutcome {
  kDone,        // the command did its work here; the label says what
  kFailed,      // it did not: the error says why (it may not have connected)
  kNotStarted,  // a stop was requested before its turn came (kInterrupted)
  // Finalize (FinalizeDatabases):
  kUpToDate,        // nothing prepared and nothing pending: nothing to do
  kReadyToPivot,    // the dry run passed (one database: it is prepared)
  kPivoted,         // pivoted by this run
  kPivotedEarlier,  // an earlier finalize pivoted it: skipped
  kDryRunFailed,    // a finalize section failed in the dry run; nothing changed
  kPivotRefused,    // the pivot was refused before it ran; nothing changed
  kPivotFailed,     // the pivot ran and failed; nothing of it committed
};

// What one command did to one database.
struct DatabaseResult {
  std::string database;  // password-free
  DatabaseOutcome outcome = DatabaseOutcome::kDone;
  // As the command would exit for this database alone (ExitCodeFor).
  int exit_code = 0;
  // A word or two for the summary: "upgraded", "up to date", "busy", "pivoted".
  std::string label;
  // One line: counts, release, or the first line of the error.
  std::string detail;
  std::chrono::milliseconds elapsed{0};
  Status error;      // why it failed; OK otherwise
  std::string next;  // the command that moves the database on, or ""
  // The step of a command that works in steps (finalize: "dry-run",
  // "pivot"), or "".
  std::string stage;

  bool failed() const { return exit_code != 0; }
};

// The result for database `database` where `status` went wrong: outcome
// kFailed, its exit code, a label from its code ("busy", "refused",
// "unreachable", "problems", else "failed") and its first line as detail.
// REQUIRES: !status.ok().
DatabaseResult FailedResult(const std::string& database, const Status& status);

// The steps of a procedure that works in steps.
enum class FleetStep {
  kCheckReady,  // finalize on one database: only whether it is prepared
  kDryRun,      // finalize: every finalize section, always rolled back
  kPivot,       // finalize: the point of no return, database by database
};

// Receives the progress of a run over many databases; the library never
// prints. The calls for one database come from the thread that works on it,
// so with several jobs they come from several threads at once: the observer
// synchronises what it shares.
class FleetObserver {
 public:
  virtual ~FleetObserver() = default;
  // A step begins on `databases` databases, and has ended with `results`
  // (one per target, in order). Called on the thread that started the run.
  virtual void StepStarted(FleetStep step, size_t databases) {}
  virtual void StepFinished(FleetStep step, const std::vector<DatabaseResult>& results) {}
  // The work on `targets[index]` begins, and has ended with `result`.
  virtual void DatabaseStarted(size_t index, const Target& target) {}
  virtual void DatabaseFinished(size_t index, const DatabaseResult& result) {}
  // Where the item progress of the library's work on `targets[index]` goes
  // (null: nowhere). Called after DatabaseStarted; the reporter is dropped
  // before DatabaseFinished.
  virtual std::unique_ptr<Reporter> ItemReporter(size_t index, const std::string& database) {
    return nullptr;
  }
};

// The work of one database: `targets[index]`.
using DatabaseWork = std::function<DatabaseResult(const Target& target, size_t index)>;

// Runs `work` once for each of `targets`, `jobs` of them at a time on their
// own threads (one target: on the calling thread), and returns the results
// in the order of `targets`, each with its elapsed time and, when `work` left
// it empty, the target's display name. After a stop request
// (InterruptRequested) no further database starts: each gets outcome
// kNotStarted and a kInterrupted error. `work` must not throw. `observer`
// may be null.
std::vector<DatabaseResult> ForEachDatabase(const std::vector<Target>& targets, int jobs,
                                            const DatabaseWork& work,
                                            FleetObserver* observer = nullptr);

// What the results of a run over many databases add up to.
struct FleetSummary {
  size_t databases = 0;
  size_t failed = 0;
  std::map<std::string, size_t> labels;  // how many databases ended with each label
  // 0 when every database succeeded; after a stop request, the stop's exit
  // code; else the failures' exit code when they share one, otherwise 1.
  int exit_code = 0;
};

FleetSummary SummarizeResults(const std::vector<DatabaseResult>& results);

struct FinalizeOptions {
  UpgradeOptions upgrade;  // the lock wait (and --to) for every database
  int jobs = 1;            // databases worked on at once
};

// What FinalizeDatabases did.
struct FinalizeResult {
  // One per target: the dry run (or, with one database, the readiness check).
  std::vector<DatabaseResult> dry_run;
  // One per target once the pivots ran; empty when they did not, because a
  // dry run failed (nothing was changed anywhere) or no database was waiting
  // for its pivot.
  std::vector<DatabaseResult> pivots;
  size_t to_pivot = 0;  // databases whose dry run passed
};

// Finalizes the online upgrade of every one of `targets` (DESIGN §3,
// invariant 5). First the dry run: on every database every prepared item's
// finalize section runs in a transaction that is always rolled back
// (DryRunFinalize); with one database only its readiness is checked, since
// its pivot commits all or nothing anyway. Only when every dry run passed
// does any database pivot (PivotDatabase), each in one transaction: the
// point of no return. Databases already pivoted, or with nothing prepared,
// are skipped; a finalize that stopped between two pivots is completed by
// running it again. Each database's outcome, label, detail and error are in
// the result; progress goes to `observer` (may be null).
// REQUIRES: `sets` holds the set for every target's engine (LoadSetsFor).
FinalizeResult FinalizeDatabases(const std::vector<Target>& targets, SetCache& sets,
                                 const FinalizeOptions& options, FleetObserver* observer);

}  // namespace ratchet

#endif  // RATCHET_FLEET_H_
