// `repair`: accepts drift and clears a failed or interrupted upgrade's
// state, each with an audit event, in one transaction.
#include <fmt/format.h>

#include "ratchet/runner.h"
#include "run/run_context.h"
#include "run/transaction.h"
#include "util/clock.h"

namespace ratchet {

Result<RepairSummary> Repair(Connection& conn, const UpgradeSet& set,
                             std::chrono::milliseconds lock_wait) {
  RunContext run(conn, set, nullptr);
  RATCHET_RETURN_IF_ERROR(OpenRun(run, lock_wait, OpenMode::kEnsure));
  Plan plan = MakePlan(set, conn.kind(), run.recorded);
  RepairSummary summary;
  const std::string upgrade_id = NewUpgradeId();
  RATCHET_RETURN_IF_ERROR(RunInTransaction(conn, [&]() -> Status {
    for (const Drift& d : plan.drift) {
      RATCHET_RETURN_IF_ERROR(run.books.UpdateChecksum(d.version, d.current_checksum));
      RATCHET_RETURN_IF_ERROR(run.books.AddEvent(
          upgrade_id, "repair-drift-accepted", d.version.ToString(),
          fmt::format("checksum {} -> {}", d.recorded_checksum, d.current_checksum)));
      summary.accepted_drift.push_back(d);
    }
    const DbState was = run.state.status;
    if (was == DbState::kFailedUpgrade || was == DbState::kUpgrading) {
      StateRow cleared = run.state;
      cleared.status = DbState::kActive;
      cleared.error.reset();
      cleared.in_flight.clear();
      RATCHET_RETURN_IF_ERROR(run.books.WriteState(cleared));
      RATCHET_RETURN_IF_ERROR(run.books.AddEvent(upgrade_id, "repair-state-cleared", "",
                                                 fmt::format("state was {}", StateName(was))));
      summary.cleared_failure = true;
    }
    return Status::Ok();
  }));
  return summary;
}

}  // namespace ratchet
