// What upgrade and prepare share: the refusals before anything runs, and the
// loop over pending items with its optional-item and failure handling.
#ifndef RATCHET_SRC_RUN_ITEM_LOOP_H_
#define RATCHET_SRC_RUN_ITEM_LOOP_H_

#include <optional>
#include <string>

#include "ratchet/runner.h"
#include "run/item_runner.h"
#include "run/run_context.h"
#include "run/transaction.h"

namespace ratchet {

// Returns kRefused naming the problem and the fix when the database has
// items the set does not know (unless `allow_unknown`) or applied items whose
// files changed (drift).
Status RefuseProblems(const Connection& conn, const Plan& plan, bool allow_unknown);

// The release a run aims at: the one whose head is `target`, or without a
// target the newest release; a target that is no release's head is kept as
// its version, so that status can name the command that resumes the run.
std::string TargetRelease(const UpgradeSet& set, const std::optional<Version>& target);

enum class ItemLoopStep { kApply, kPrepare };

// The item an earlier run left unfinished, if any: the one in flight, or
// the one whose failure it recorded (state `failed`).
std::string InterruptedItem(const StateRow& state, DbState failed);

// What a new run records in flight before its first item: `interrupted`
// when it is a pending item that runs journaled in `step` (a crash before it
// runs again must still lead the next run to what it left behind), else "".
// REQUIRES: the pending items are parsed (RunsJournaled needs that).
std::string StillInFlight(const Plan& plan, const std::string& interrupted, ItemLoopStep step);

// Runs every item of `plan.pending` through `runner` (apply: prepare and
// finalize sections, recorded applied; prepare: the prepare section, recorded
// prepared), skipping items already prepared when preparing. An optional
// item's failure is recorded and the loop goes on; items that require it are
// skipped. The first required failure is recorded in the state
// (failed-upgrade or failed-prepare) and returned. A lost connection stops
// the loop at once with kUpgradeFailed: nothing more can be recorded.
// Transactional items run as units of `group`, which the loop commits when
// due and before a journaled item or a failure record; the caller commits
// what is left (with its closing write). Preparing skips the items
// `run.recorded` has in phase prepared; failures are recorded in the state
// `runner` writes.
Status RunPendingItems(RunContext& run, const Plan& plan, ItemLoopStep step, ItemRunner& runner,
                       TransactionGroup& group, UpgradeSummary* summary);

}  // namespace ratchet

#endif  // RATCHET_SRC_RUN_ITEM_LOOP_H_
