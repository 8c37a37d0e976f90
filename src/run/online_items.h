// What the phases of the online path share: the prepared items behind the
// bookkeeping's rows, the items fit for that path, and each item's timeouts.
#ifndef RATCHET_SRC_RUN_ONLINE_ITEMS_H_
#define RATCHET_SRC_RUN_ONLINE_ITEMS_H_

#include <vector>

#include "ratchet/engine.h"
#include "ratchet/plan.h"
#include "ratchet/upgrade_set.h"

namespace ratchet {

// The set's items behind the rows in phase prepared, in version order;
// kRefused when one has left the set or its file changed since prepare.
Result<std::vector<const Item*>> PreparedItems(const Connection& conn, const UpgradeSet& set,
                                               const std::vector<AppliedItem>& recorded);

// Everything that would make an item unfit for the online path, for every
// pending item, before anything runs: a finalize that cannot run inside the
// pivot's transaction, and a prepare that rollback could not undo.
// kInvalidSet listing each with its file:line:column.
Status RefuseUnfitForOnline(const std::vector<const Item*>& pending);

// Sets `item`'s lock and statement timeouts (or the project's) on the session.
Status UseTimeoutsOf(Connection& conn, const UpgradeSet& set, const Item& item);

}  // namespace ratchet

#endif  // RATCHET_SRC_RUN_ONLINE_ITEMS_H_
