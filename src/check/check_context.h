// What the families of pre-upgrade checks share: the database in its
// read-only transaction, the pending items with their statements' effects,
// and the report they add to.
#ifndef RATCHET_SRC_CHECK_CHECK_CONTEXT_H_
#define RATCHET_SRC_CHECK_CHECK_CONTEXT_H_

#include <string>
#include <vector>

#include "check/effects_walk.h"
#include "engine/engine_driver.h"
#include "engine/statement_effects.h"
#include "ratchet/check.h"

namespace ratchet {

// A statement of a pending item's prepare or finalize section, with what it
// will do.
struct PlannedStatement {
  const Item* item = nullptr;
  const Section* section = nullptr;
  StatementEffects effects;

  // "items/V4__130__create_orders.sql:9:1".
  std::string Where() const { return item->Position(section->offset + effects.offset); }
};

// The checks' reader of the database (CatalogReader: SchemaOf gives the
// schema an unqualified name of the pending items lands in), with what the
// families share.
class CheckContext : public CatalogReader {
 public:
  CheckContext(Connection& conn, const UpgradeSet& set, const CheckOptions& options,
               CheckReport* report)
      : conn(conn),
        driver(DriverFor(conn.kind())),
        facts(driver.catalog_facts()),
        set(set),
        options(options),
        report_(report) {}

  Connection& conn;
  const EngineDriver& driver;
  const CatalogFacts& facts;
  const UpgradeSet& set;
  const CheckOptions& options;
  std::vector<const Item*> items;            // pending, parsed, in order
  std::vector<PlannedStatement> statements;  // in the order they will run

  // Runs a query. Where a failed statement ends the transaction, it runs
  // under a savepoint, so that a failing query (a user's check section)
  // does not end the read-only transaction.
  Result<QueryResult> Query(const std::string& sql, const std::vector<Value>& params = {}) override;

  // Adds a finding of the family that is running.
  void Add(Severity severity, const std::string& item, const std::string& where,
           const std::string& message, std::vector<std::string> details = {});

  void set_family(const char* family) { family_ = family; }

 private:
  CheckReport* report_;
  const char* family_ = "";
};

// The families of the checks table, one file each.
Status CheckRequirements(CheckContext& context);
Status CheckItemQueries(CheckContext& context);
Status CheckNameConflicts(CheckContext& context);
Status CheckPrivileges(CheckContext& context);
Status CheckRewritesAndLocks(CheckContext& context);

// The findings under a title line: one aligned line per family with "ok"
// or its counts, each finding with its details, and a summary line that
// begins with `command`.
std::string FormatFindings(const std::string& title, const std::vector<CheckFamilyInfo>& families,
                           const std::vector<CheckFinding>& findings, const std::string& command);

// "12 kB", "3.4 MB", "1.2 GB".
std::string HumanBytes(int64_t bytes);

}  // namespace ratchet

#endif  // RATCHET_SRC_CHECK_CHECK_CONTEXT_H_
