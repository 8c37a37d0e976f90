// What upgrade and prepare share: the refusals before anything runs, and the
// loop over pending items with its optional-item and failure handling.
#ifndef RATCHET_SRC_RUN_ITEM_LOOP_H_
#define RATCHET_SRC_RUN_ITEM_LOOP_H_

#include <optional>
#include <string>

#include "ratchet/runner.h"
#include "run/bookkeeping.h"
#include "run/item_runner.h"
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

// Refuses (kRefused) when the database is in the middle of an online
// upgrade or an upgrade that must finish first; `command` is what the user
// ran ("upgrade", "prepare"). OK when `state` allows `command` to start.
Status RefuseBusyState(const Connection& conn, const StateRow& state, const std::string& command);

enum class ItemLoopStep { kApply, kPrepare };

// Runs every item of `plan.pending` through `runner` (apply: prepare and
// finalize sections, recorded applied; prepare: the prepare section, recorded
// prepared), skipping items already prepared when preparing. An optional
// item's failure is recorded and the loop goes on; items that require it are
// skipped. The first required failure is recorded in the state
// (failed-upgrade or failed-prepare) and returned. A lost connection stops
// the loop at once with kUpgradeFailed: nothing more can be recorded.
// Transactional items run as units of `group`, which the loop commits when
// due and before a journaled item or a failure record; the caller commits
// what is left (with its closing write).
Status RunPendingItems(const Plan& plan, ItemLoopStep step, ItemRunner& runner,
                       TransactionGroup& group, Bookkeeping& books, StateRow& state,
                       Reporter* reporter, UpgradeSummary* summary,
                       const std::vector<AppliedItem>& recorded = {});

}  // namespace ratchet

#endif  // RATCHET_SRC_RUN_ITEM_LOOP_H_
