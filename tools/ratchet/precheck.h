// The checks upgrade and prepare run first, unless --skip-check.
#ifndef RATCHET_TOOLS_RATCHET_PRECHECK_H_
#define RATCHET_TOOLS_RATCHET_PRECHECK_H_

#include <optional>
#include <ostream>

#include "ratchet/engine.h"
#include "ratchet/plan.h"
#include "ratchet/status.h"
#include "ratchet/upgrade_set.h"
#include "ratchet/version.h"

namespace ratchet::tool {

// Runs the pre-upgrade checks on `starting.pending` (see ItemsToStart),
// writing the report to `out`; returns kCheckFailed when they find problems.
// The form `ratchet upgrade` hands the library (UpgradeOptions::check_pending),
// which calls it with the plan it read under the upgrade lock.
Status CheckItemsToStart(Connection& conn, const UpgradeSet& set, const Plan& starting,
                         std::ostream& out);

// Runs the pre-upgrade checks (CheckDatabase) on the items a run up to
// `target` would still start on the database behind `conn`: items already
// prepared, and the one an interrupted run left in flight, are left out,
// since what they created is theirs. Writes the report to `out` and returns
// kCheckFailed when it finds problems; OK (writing nothing) otherwise.
Status RunPreChecks(Connection& conn, const UpgradeSet& set, const std::optional<Version>& target,
                    std::ostream& out);

}  // namespace ratchet::tool

#endif  // RATCHET_TOOLS_RATCHET_PRECHECK_H_
