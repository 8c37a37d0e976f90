// `baseline`: records a database that predates ratchet as having every item
// up to a release, without running them.
#include <fmt/format.h>

#include "ratchet/runner.h"
#include "run/run_context.h"
#include "run/transaction.h"
#include "util/clock.h"

namespace ratchet {

Result<size_t> Baseline(Connection& conn, const UpgradeSet& set, const Version& head,
                        const std::string& release_name, std::chrono::milliseconds lock_wait) {
  RunContext run(conn, set, nullptr);
  RATCHET_RETURN_IF_ERROR(OpenRun(run, lock_wait, OpenMode::kEnsure));
  if (!run.recorded.empty()) {
    return Status(Code::kRefused,
                  fmt::format("{}: already has {} item(s) recorded; baseline is for a database "
                              "that predates ratchet. Use 'ratchet status' to see where it is.",
                              conn.display_name(), run.recorded.size()));
  }
  PlanOptions options;
  options.target = head;
  Plan plan = MakePlan(set, conn.kind(), {}, options);
  StateRow state;
  state.status = DbState::kActive;
  state.upgrade_id = NewUpgradeId();
  state.to_release = release_name;
  RATCHET_RETURN_IF_ERROR(RunInTransaction(conn, [&]() -> Status {
    for (const Item* item : plan.pending) {
      RATCHET_RETURN_IF_ERROR(run.books.WriteItem(*item, Phase::kApplied, 0, state.upgrade_id, ""));
    }
    RATCHET_RETURN_IF_ERROR(run.books.WriteState(state));
    return run.books.AddEvent(
        state.upgrade_id, "baseline", head.ToString(),
        fmt::format("marked {} item(s) applied for release {}", plan.pending.size(),
                    release_name.empty() ? head.ToString() : release_name));
  }));
  return plan.pending.size();
}

}  // namespace ratchet
