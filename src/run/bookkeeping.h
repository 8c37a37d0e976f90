// The bookkeeping tables in each database: items, state and events.
#ifndef RATCHET_SRC_RUN_BOOKKEEPING_H_
#define RATCHET_SRC_RUN_BOOKKEEPING_H_

#include <optional>
#include <string>
#include <vector>

#include "ratchet/engine.h"
#include "ratchet/plan.h"
#include "ratchet/runner.h"
#include "run/database_state.h"

namespace ratchet {

class TransactionGroup;

// The one state row.
struct StateRow {
  DbState status = DbState::kActive;
  std::string upgrade_id;
  std::string from_release;
  std::string to_release;
  std::string started_at;
  std::string updated_at;
  std::string in_flight;
  std::optional<RecordedError> error;
  bool pivoted = false;
  std::string prepared_at;
  std::string finalized_at;
};

// Reads and writes the bookkeeping through a Connection. Every write is a
// plain statement: the caller decides which transaction it belongs to, so an
// item's row commits with the item (invariant 1).
class Bookkeeping {
 public:
  // The format this ratchet writes. Format 1 had no `format` column; 2 added
  // it (with `format_by`) and gave PostgreSQL native types. Every later
  // format keeps the state table's `format` and `format_by` columns, so that
  // any ratchet since format 2 can tell it is too old.
  static constexpr int kFormat = kBookkeepingFormat;

  explicit Bookkeeping(Connection& conn);

  // The format of the tables found, 0 when there are none. Returns kRefused
  // naming both versions when the format is newer than this ratchet knows.
  // Read once per object; never writes.
  Result<int> Format();

  // Creates the tables and the state row if missing, or upgrades tables of
  // an older format to kFormat, in one transaction with an event. With
  // `group`, either is one of its units.
  // REQUIRES: the upgrade lock is held.
  Status Ensure(TransactionGroup* group = nullptr);

  Result<std::vector<AppliedItem>> ReadItems();
  Result<StateRow> ReadState();

  // The statements that record `item` as applied by `upgrade_id`, for a
  // caller that sends them together with the item (PostgreSQL pipelines).
  // `duration_sql` is an SQL expression for the duration in milliseconds.
  struct Write {
    std::string sql;
    std::vector<Value> params;
  };
  std::vector<Write> ItemAppliedWrites(const Item& item, Phase phase,
                                       const std::string& duration_sql,
                                       const std::string& upgrade_id);

  // Inserts or replaces the row of `item`.
  Status WriteItem(const Item& item, Phase phase, int64_t duration_ms,
                   const std::string& upgrade_id, const std::string& error);
  Status UpdateChecksum(const Version& version, const std::string& checksum);
  // Moves the row of `version` from prepared to applied (finalize).
  Status MarkApplied(const Version& version, const std::string& upgrade_id);
  // Deletes the row of `version` (rollback of a prepared item).
  Status DeleteItem(const Version& version);
  Status WriteState(const StateRow& state);
  // Writes `state` and the event `event` of its run with `detail`: how a
  // run records a step of its own (started, done, failed).
  Status RecordState(const StateRow& state, const std::string& event, const std::string& detail);
  Status AddEvent(const std::string& upgrade_id, const std::string& event,
                  const std::string& version, const std::string& detail);

  // How many statements of `version` the statement journal records as done
  // since the item last ended (applied, prepared or rolled back): the
  // "statement-done" events, whose detail reads "<done>/<total>". 0 when
  // none are recorded.
  Result<size_t> StatementsDone(const Version& version);

 private:
  Status Create();
  Status UpgradeFormat(int from);
  // Column `column` of a time, read as ratchet's UTC text.
  std::string TimeText(const char* column) const;

  Connection& conn_;
  std::string items_, state_, events_;
  BookkeepingTypes types_;
  int format_ = -1;  // not read yet
};

}  // namespace ratchet

#endif  // RATCHET_SRC_RUN_BOOKKEEPING_H_
