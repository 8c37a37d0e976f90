// Where a run that did not finish stopped, for `ratchet status` after a crash.
#ifndef RATCHET_SRC_RUN_STOPPED_RUN_H_
#define RATCHET_SRC_RUN_STOPPED_RUN_H_

#include <optional>

#include "ratchet/runner.h"
#include "run/bookkeeping.h"

namespace ratchet {

// For a database whose `state` is not at rest: whether a ratchet is still
// running on it (it holds the upgrade lock, probed without waiting and
// released at once), and if not, the item that was in flight when the run
// (upgrade, prepare or rollback) stopped and whether the engine rolled it
// back or it is re-run on resume. `recorded` is what the items table holds.
// Returns nullopt when the state is at rest. Changes nothing in the database.
Result<std::optional<StoppedRun>> FindStoppedRun(Connection& conn, const UpgradeSet& set,
                                                 const StateRow& state, const Plan& plan,
                                                 const std::vector<AppliedItem>& recorded);

}  // namespace ratchet

#endif  // RATCHET_SRC_RUN_STOPPED_RUN_H_
