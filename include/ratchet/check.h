// Pre-upgrade checks: every problem an upgrade would meet, found against the
// live old database before anything changes, in a read-only transaction.
#ifndef RATCHET_CHECK_H_
#define RATCHET_CHECK_H_

#include <cstdint>
#include <string>
#include <vector>

#include "ratchet/engine.h"
#include "ratchet/plan.h"
#include "ratchet/status.h"
#include "ratchet/upgrade_set.h"

namespace ratchet {

enum class Severity {
  kProblem,  // the upgrade would fail, or would leave something wrong: exit 3
  kWarning,  // the upgrade would work, but an operator should know first
};

const char* SeverityName(Severity severity);

// One thing a check found.
struct CheckFinding {
  std::string family;  // the row of the checks table that found it
  Severity severity = Severity::kProblem;
  std::string item;                  // the item's version ("V4"), or "" for the database as a whole
  std::string where;                 // "items/V4__130__create_orders.sql:9:1", or "ratchet.toml"
  std::string message;               // one line
  std::vector<std::string> details;  // more lines: the query, the rows it returned ...
};

// One row of the checks table: a family of checks and what it looks at.
struct CheckFamilyInfo {
  const char* name;
  const char* looks_at;
};

// The checks table, in the order the families run.
std::vector<CheckFamilyInfo> CheckFamilies();

struct CheckReport {
  std::string database;  // password-free
  size_t pending = 0;    // items the plan would apply
  std::vector<CheckFinding> findings;

  size_t problems() const;
  size_t warnings() const;
};

struct CheckOptions {
  // Rewrites, scans and index builds under a lock that blocks writers are
  // reported for tables at least this large (table, indexes and TOAST):
  // on smaller ones the lock is too short to matter.
  int64_t min_table_bytes = int64_t{1} << 20;
  // Rows of a check query shown per item (all of them are counted).
  size_t rows_shown = 10;
  // Also warn about what the connected role lacks for commands this run may
  // not use (prepare --freeze, copy-upgrade): the check command sets it; a
  // command's own pre-check leaves it out.
  bool command_privileges = false;
};

// Checks the database behind `conn` against the items `plan` would apply,
// family by family (CheckFamilies()):
//   requirements        the server version, extensions and settings that
//                       ratchet.toml's [requirements] names;
//   item checks         every row each pending item's check section returns,
//                       and check queries that fail;
//   name conflicts      objects the pending items create (CREATE ..., ADD
//                       COLUMN, renames) that exist already, in plan order,
//                       so an object an earlier item drops is no conflict;
//   privileges          PostgreSQL: what the connected role lacks to create
//                       and write the bookkeeping, to create objects in the
//                       schemas the items name and to change tables it does
//                       not own; with command_privileges, warnings for what
//                       prepare --freeze and copy-upgrade would need;
//   rewrites and locks  table rewrites, full scans and index builds under a
//                       lock that blocks writers, with each table's size and,
//                       where it can be known, the free disk room a rewrite
//                       needs (too little is a problem).
// Reports every finding, not the first. Runs in a read-only transaction
// (PostgreSQL: BEGIN READ ONLY; SQLite: PRAGMA query_only) that is always
// rolled back: a check section that tries to write fails and is reported,
// and nothing is written, not even ratchet's bookkeeping.
// Returns a non-OK Status only when the checks could not run (the
// connection failed, an item does not parse); found problems are in the
// report: see CheckReport::problems().
// REQUIRES: no transaction is open on `conn`; `plan` was made for this
// database from `set` (its pending items may be unparsed: they are parsed
// here).
Result<CheckReport> CheckDatabase(Connection& conn, const UpgradeSet& set, const Plan& plan,
                                  const CheckOptions& options = {});

// The report as an operator reads it: one aligned line per family ending in
// "ok" or its counts, then each finding with its item, file position and
// details, then a summary line.
std::string FormatCheckReport(const CheckReport& report);

}  // namespace ratchet

#endif  // RATCHET_CHECK_H_
