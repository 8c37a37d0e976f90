// The states of a database's bookkeeping, and which run may start in each:
// every transition ratchet makes is in the tables of database_state.cc.
#ifndef RATCHET_SRC_RUN_DATABASE_STATE_H_
#define RATCHET_SRC_RUN_DATABASE_STATE_H_

#include <optional>
#include <string>
#include <string_view>

#include "ratchet/status.h"

namespace ratchet {

// What the state row's `status` says. A database rests in kActive,
// kPrepared, kFailedUpgrade or kFailedPrepare; the others last only while a
// run is under way, so finding one with no ratchet running means that run
// stopped.
enum class DbState {
  kActive,
  kUpgrading,
  kFailedUpgrade,
  kPreparing,
  kFailedPrepare,
  kPrepared,
  kRollingBack,
};

// The name stored in the bookkeeping and shown to users: "active",
// "failed-upgrade", ...
std::string_view StateName(DbState state);
// The state named `name`, or nullopt for a name ratchet does not write.
std::optional<DbState> ParseState(std::string_view name);

// True when a database rests in `state` between runs.
bool AtRest(DbState state);
// True while an online upgrade is under way: from prepare until the pivot
// or the end of rollback.
bool IsOnline(DbState state);

// The runs that move a database from one state to another.
enum class RunKind { kUpgrade, kPrepare, kFinalize, kRollback };

// The user's command for `run`: "upgrade", "prepare", ...
std::string_view CommandOf(RunKind run);

// The states a run moves through: the one it records before its first step
// (so that a crash leaves it for status to name), the one it ends in, and
// the one a failure leaves. Finalize records no running state: its pivot is
// one transaction.
struct RunStates {
  std::optional<DbState> running;
  DbState done;
  DbState failed;
};
const RunStates& StatesOf(RunKind run);

// Returns OK when `run` may start on `database` in `state`; otherwise
// kRefused saying what the database is in the middle of and the command
// that moves it on.
Status MayStart(RunKind run, DbState state, const std::string& database);

}  // namespace ratchet

#endif  // RATCHET_SRC_RUN_DATABASE_STATE_H_
