// The pre-upgrade checks upgrade and prepare run, under the upgrade lock,
// before they change anything.
#ifndef RATCHET_SRC_RUN_PRE_CHECKS_H_
#define RATCHET_SRC_RUN_PRE_CHECKS_H_

#include "ratchet/plan.h"
#include "ratchet/runner.h"
#include "ratchet/status.h"
#include "run/run_context.h"

namespace ratchet {

// With `options.run_checks`, runs the pre-upgrade checks (CheckDatabase,
// with options.check_options) on the items of `plan` that `run` starts
// anew: an item an earlier run prepared, or left in flight, is left out,
// since what it created is its own (ItemsToStart). Reports them to
// run.reporter (Reporter::ChecksRan) and returns kCheckFailed, naming the
// database and the count, when they found problems. Checks nothing, and
// returns OK, when no item is to start or the checks are not asked for.
// REQUIRES: `run` is open (OpenRun) and no transaction is open; `plan` was
// made from run.recorded.
Status RunPreChecks(RunContext& run, const Plan& plan, const UpgradeOptions& options);

}  // namespace ratchet

#endif  // RATCHET_SRC_RUN_PRE_CHECKS_H_
