// Running upgrades against one database: upgrade, status, repair, baseline.
#ifndef RATCHET_RUNNER_H_
#define RATCHET_RUNNER_H_

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "ratchet/check.h"
#include "ratchet/engine.h"
#include "ratchet/plan.h"
#include "ratchet/status.h"
#include "ratchet/upgrade_set.h"

namespace ratchet {

enum class ItemOutcome {
  kApplied,
  kFailed,          // a required item failed: the run stops
  kFailedOptional,  // recorded, the run goes on, retried next run
  kSkipped,         // an optional item whose requirement failed in this run
};

// Receives progress from the runner; the library never prints. The tool
// turns these calls into lines on the terminal.
class Reporter {
 public:
  virtual ~Reporter() = default;
  virtual void Banner(const std::string& text) {}
  virtual void ItemStarted(const Item& item, size_t index, size_t count) {}
  virtual void ItemFinished(const Item& item, ItemOutcome outcome,
                            std::chrono::milliseconds elapsed, const Status& error) {}
  // A retry after a lock timeout, and other notes worth a line.
  virtual void Note(const std::string& text) {}
  // The pre-upgrade checks (UpgradeOptions::run_checks) ran on the items of
  // `checked` and found what `report` holds, problems or not. Called before
  // the run changes anything; problems then stop it with kCheckFailed.
  virtual void ChecksRan(const Plan& checked, const CheckReport& report) {}
};

// The first error of the last failure, as the bookkeeping records it.
struct RecordedError {
  std::string version;
  std::string file;
  int line = 0;
  int column = 0;
  std::string statement;
  std::string sqlstate;
  std::string message;
  std::string at;
};

// A run that did not finish: killed, or its connection lost, while the state
// said upgrading (or another phase that is not at rest).
struct StoppedRun {
  // Another ratchet holds the upgrade lock now: the run is going on, it has
  // not stopped. `holder` says who.
  bool running = false;
  std::string holder;
  // The item that was in flight, or about to start, when the run stopped;
  // empty when the run stopped after its last item.
  std::string item;
  std::string item_file;  // "items/<file>"
  // True when the item runs outside a transaction: it was journaled, part of
  // it may have run, and it is re-run on resume. False when it is
  // transactional: the engine rolled back whatever it had done.
  bool journaled = false;
  // The --to the run was given, when it was not the newest release, so the
  // command that resumes it aims at the same place; "" otherwise.
  std::string resume_to;
};

// What `ratchet status` shows for one database.
struct DatabaseStatus {
  std::string database;  // password-free
  EngineKind engine = EngineKind::kSqlite;
  bool initialized = false;  // bookkeeping tables exist
  // The format of the bookkeeping tables (0 when there are none); the next
  // upgrade, prepare, repair or baseline brings an older one to the current
  // format.
  int bookkeeping_format = 0;
  std::string status = "new";  // new, active, upgrading, failed-upgrade, ...
  std::string release;         // newest release fully applied, or ""
  std::string upgrade_id;
  std::string updated_at;
  std::string in_flight;  // the item being applied when the run stopped
  std::vector<AppliedItem> applied;
  Plan plan;
  std::optional<RecordedError> last_error;
  // The online path.
  bool pivoted = false;  // finalize has run here: rollback is no longer possible
  std::string prepared_at;
  std::string finalized_at;
  std::string frozen_since;  // a DDL freeze is in force since then, or ""
  std::string frozen_by;     // the upgrade id the freeze names
  // Set when the state is not at rest (upgrading, preparing, ...): where the
  // last run stopped, or that it is still going on.
  std::optional<StoppedRun> stopped;
};

// Returns `plan` with its pending list narrowed to the items a run starts
// anew: an item an earlier run prepared (phase prepared in `applied`), or
// left in flight, is left out.
Plan ItemsToStart(Plan plan, const std::vector<AppliedItem>& applied, const std::string& in_flight);

// Reads the status of the database behind `conn` against `set`. Read-only:
// never creates the bookkeeping.
Result<DatabaseStatus> ReadStatus(Connection& conn, const UpgradeSet& set);

struct UpgradeOptions {
  std::optional<Version> target;                     // --to
  std::chrono::milliseconds lock_wait{10000};        // --lock-wait
  bool allow_unknown = false;                        // applied versions the set lacks
  int max_lock_retries = 5;                          // lock_timeout retries per item
  std::chrono::milliseconds first_retry_delay{200};  // doubled on each retry
  // Run the pre-upgrade checks (CheckDatabase, with `check_options`) first:
  // under the upgrade lock, on the plan read from the bookkeeping, before
  // any refusal and before anything is written, on the items this run
  // starts anew (an item an earlier run prepared or left in flight is left
  // out, since what it created is its own). Not when nothing is pending.
  // The findings go to Reporter::ChecksRan; problems stop the run with
  // kCheckFailed. Upgrade and PrepareItems honour it.
  bool run_checks = false;
  CheckOptions check_options;
};

struct UpgradeSummary {
  size_t applied = 0;
  size_t failed_optional = 0;
  size_t skipped = 0;
  size_t covered = 0;                     // satisfied by a same-as equivalent
  std::string release;                    // release reached, or ""
  std::vector<Version> applied_versions;  // the items this run applied, in order
};

// Brings the database up to the target: takes the upgrade lock, runs the
// checks (with options.run_checks), refuses drift and unknown versions
// (kRefused), creates the bookkeeping on first use, then applies each
// pending item with its bookkeeping row in one transaction (invariant 1).
// Stops at the first failed required item, records the failed-upgrade state
// with that error, and returns kUpgradeFailed with file:line:column.
// Re-running resumes.
Result<UpgradeSummary> Upgrade(Connection& conn, const UpgradeSet& set,
                               const UpgradeOptions& options, Reporter* reporter);

// The pre-upgrade checks alone, as Upgrade with `options` would run them
// (whatever options.run_checks says), without the upgrade lock and without
// writing anything: on the items a run up to options.target would start on
// the database behind `conn`. Reports them to `reporter` (ChecksRan; may be
// null) and returns kCheckFailed when they found problems; OK, checking
// nothing, when no item would start. For a procedure that checks one
// database and then upgrades another (copy-upgrade: the original, then its
// copy).
Status CheckBeforeUpgrade(Connection& conn, const UpgradeSet& set, const UpgradeOptions& options,
                          Reporter* reporter);

struct RepairSummary {
  std::vector<Drift> accepted_drift;
  bool cleared_failure = false;
};

// Accepts drifted checksums and clears a failed-upgrade state, each with an
// audit event. Takes the upgrade lock.
Result<RepairSummary> Repair(Connection& conn, const UpgradeSet& set,
                             std::chrono::milliseconds lock_wait);

// Marks every item of release `head` as applied without running it, on a
// database whose schema is already at that release but predates ratchet.
// Refuses (kRefused) if the database already has applied items.
Result<size_t> Baseline(Connection& conn, const UpgradeSet& set, const Version& head,
                        const std::string& release_name, std::chrono::milliseconds lock_wait);

// The version of ratchet itself.
const char* ToolVersion();

// A new upgrade id, as a run records it: time-ordered and unique across
// processes. For FreezeDdl on a database no run has frozen.
std::string NewUpgradeId();

// The format of the bookkeeping tables this ratchet writes (docs/DESIGN.md
// §2). It reads every older format and brings it up to this one on the next
// run that writes; it refuses a newer one.
inline constexpr int kBookkeepingFormat = 2;

}  // namespace ratchet

#endif  // RATCHET_RUNNER_H_
