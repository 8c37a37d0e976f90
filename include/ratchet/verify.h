// Proof that migrating equals a fresh install: `verify` upgrades scratch
// databases built from every release's fresh schema and compares them with
// the head's fresh schema; `baseline --detect` finds which release's fresh
// schema a database that predates ratchet matches.
#ifndef RATCHET_VERIFY_H_
#define RATCHET_VERIFY_H_

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "ratchet/engine.h"
#include "ratchet/snapshot.h"
#include "ratchet/status.h"
#include "ratchet/upgrade_set.h"
#include "ratchet/version.h"

namespace ratchet {

// Where scratch databases are built. They are always removed afterwards,
// also when verifying fails.
struct ScratchOptions {
  EngineKind engine = EngineKind::kSqlite;
  // PostgreSQL: a connection string (URL or keywords) for a server on which
  // the role may CREATE DATABASE; each scratch database is a new database
  // there named ratchet_scratch_<pid>_<n>, dropped WITH (FORCE) afterwards.
  // SQLite: unused; scratch databases are files in a temporary directory.
  std::string server;
};

// The file holding the fresh-install schema of `release` for `engine`:
// schema/<release>.<engine>.sql, else schema/<release>.sql; empty if the
// set has neither.
std::filesystem::path FreshSchemaFile(const UpgradeSet& set, const std::string& release,
                                      EngineKind engine);

// One way of bringing a database from where it is to the head: the plain
// upgrade, or (once it exists) prepare followed by finalize.
struct UpgradePath {
  std::string name;  // for messages: "upgrade"
  // Brings the database behind `conn` to version `head` of `set`; returns
  // the upgrade's error if it fails.
  std::function<Status(Connection& conn, const UpgradeSet& set, const Version& head)> run;
  // Optional: why this path cannot be taken from where the database stands
  // ("" when it can). A path that cannot be taken is reported, not run, and
  // is no failure: a set written without the online path in mind still
  // verifies by upgrade.
  std::function<std::string(Connection& conn, const UpgradeSet& set, const Version& head)>
      not_applicable;
};

// The plain path: Upgrade() to the head.
UpgradePath PlainUpgradePath();

// The online path: PrepareItems(), then DryRunFinalize() and
// PivotDatabase(), as `ratchet prepare` and `ratchet finalize` run them,
// once per main-line release between the database and the head (a
// release's prepare sections expect the release before it).
UpgradePath OnlineUpgradePath();

// Every path ratchet has, in the order verify runs them.
std::vector<UpgradePath> AllUpgradePaths();

struct VerifyOptions {
  ScratchOptions scratch;
  std::vector<UpgradePath> paths;  // empty: AllUpgradePaths()
  // Also applies every item a second time to a database at the head and
  // requires that nothing fails and the schema does not change.
  bool idempotent = false;
};

// One scratch database brought to the head and compared.
struct VerifyRun {
  std::string from;  // the release whose fresh schema it started from; "" for empty
  std::string path;  // UpgradePath::name
  // Not OK when the run could not be completed: the release's schema file
  // does not load, or an item fails.
  Status error;
  // From the head's fresh install to the upgraded database.
  std::vector<Difference> differences;
  // Set when the path cannot be taken from this start (see
  // UpgradePath::not_applicable): why. The run is not made.
  std::string not_applicable;

  bool ok() const { return error.ok() && differences.empty(); }
};

// An item that is not idempotent: applying it again failed or changed the
// schema.
struct ItemRerun {
  Version version;
  std::string file;  // items/<file name>
  Status error;
  std::vector<Difference> changes;  // from before to after applying it again
};

struct VerifyReport {
  std::string head;  // the release verified against
  std::vector<VerifyRun> runs;
  // Releases without a schema file: nothing to start from, not verified.
  std::vector<std::string> without_schema;
  // Items beyond the newest release's head: no fresh install covers them,
  // so verify does not apply them.
  std::vector<Version> uncovered;
  // Scratch databases (or folders) that verifies which died left behind,
  // removed by this one.
  std::vector<std::string> reclaimed;
  bool idempotence_checked = false;
  size_t items_rerun = 0;
  std::vector<ItemRerun> not_idempotent;

  bool ok() const;
};

// Receives each run and each item applied again as soon as it is done, so a
// long verify shows progress. The library never prints.
struct VerifyListener {
  virtual ~VerifyListener() = default;
  virtual void RunDone(const VerifyRun& run) {}
  virtual void ItemRerunDone(const Item& item, const ItemRerun* problem) {}
};

// Verifies `set` (loaded with parse_for = options.scratch.engine) on scratch
// databases: for an empty database and for each release that has a fresh
// schema file, loads that schema, records the release as applied (baseline),
// brings the database to the newest release by each path, and compares it
// with a database built from the newest release's schema file. Returns the
// report (check report.ok()); a non-OK Status only when verifying could not
// be done at all: kInvalidSet when the newest release has no schema file or
// it does not load, kRefused when the role may not create databases,
// kConnection when the scratch server cannot be reached.
Result<VerifyReport> VerifyUpgradeSet(const UpgradeSet& set, const VerifyOptions& options,
                                      VerifyListener* listener = nullptr);

// How close a database is to one release's fresh install.
struct ReleaseMatch {
  std::string release;
  std::vector<Difference> differences;  // from the fresh install to the database
};

struct DetectReport {
  // Every release with a schema file, closest first (fewest differences;
  // on a tie, the newer release).
  std::vector<ReleaseMatch> candidates;
  // Releases without a schema file, which could not be compared.
  std::vector<std::string> without_schema;

  // True when the closest release matches exactly.
  bool exact() const { return !candidates.empty() && candidates.front().differences.empty(); }
};

// Compares the schema of the database behind `conn` (read-only) with a
// scratch database built from each release's fresh schema file. Returns
// kInvalidSet when no release has a schema file.
Result<DetectReport> DetectRelease(Connection& conn, const UpgradeSet& set,
                                   const ScratchOptions& scratch);

}  // namespace ratchet

#endif  // RATCHET_VERIFY_H_
