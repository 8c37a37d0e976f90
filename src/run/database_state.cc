// The state table: each state's name, and for each run the states it may
// start in; every refusal names the command that moves the database on.
#include "run/database_state.h"

#include <fmt/format.h>

#include <array>

namespace ratchet {
namespace {

struct StateInfo {
  DbState state;
  std::string_view name;
  bool at_rest;
  bool online;
};

constexpr std::array<StateInfo, 7> kStates = {{
    {DbState::kActive, "active", true, false},
    {DbState::kUpgrading, "upgrading", false, false},
    {DbState::kFailedUpgrade, "failed-upgrade", true, false},
    {DbState::kPreparing, "preparing", false, true},
    {DbState::kFailedPrepare, "failed-prepare", true, true},
    {DbState::kPrepared, "prepared", true, true},
    {DbState::kRollingBack, "rolling-back", false, true},
}};

const StateInfo& Info(DbState state) {
  for (const StateInfo& info : kStates) {
    if (info.state == state) return info;
  }
  return kStates[0];
}

// Which run may start in which state. A row with a refusal says why not:
// {db} is the database, {state} its state's name, {command} the run's.
// A pair without a row is allowed.
struct Refusal {
  RunKind run;
  DbState state;
  const char* message;
};

constexpr const char* kRollbackUnfinished =
    "{db}: a rollback did not finish here: complete it with 'ratchet rollback' before running "
    "{command}";
constexpr const char* kOnlineUnderWay =
    "{db}: an online upgrade is {state} here: finish it with 'ratchet finalize' (after 'ratchet "
    "prepare' completes), or undo it with 'ratchet rollback'";
constexpr const char* kUpgradeUnfinished =
    "{db}: an upgrade is unfinished here (status {state}): finish it with 'ratchet upgrade' "
    "before starting an online upgrade";
constexpr const char* kPrepareUnfinished =
    "{db}: prepare did not finish here (status {state}): run 'ratchet prepare' again to "
    "complete it, or 'ratchet rollback' to undo it";
constexpr const char* kFinishUpgradeFirst =
    "{db}: status {state}: finish the upgrade with 'ratchet upgrade' first";

constexpr std::array<Refusal, 12> kRefusals = {{
    {RunKind::kUpgrade, DbState::kRollingBack, kRollbackUnfinished},
    {RunKind::kUpgrade, DbState::kPreparing, kOnlineUnderWay},
    {RunKind::kUpgrade, DbState::kFailedPrepare, kOnlineUnderWay},
    {RunKind::kUpgrade, DbState::kPrepared, kOnlineUnderWay},
    {RunKind::kPrepare, DbState::kRollingBack, kRollbackUnfinished},
    {RunKind::kPrepare, DbState::kUpgrading, kUpgradeUnfinished},
    {RunKind::kPrepare, DbState::kFailedUpgrade, kUpgradeUnfinished},
    {RunKind::kFinalize, DbState::kRollingBack,
     "{db}: a rollback did not finish here: run 'ratchet rollback' again to complete it"},
    {RunKind::kFinalize, DbState::kPreparing, kPrepareUnfinished},
    {RunKind::kFinalize, DbState::kFailedPrepare, kPrepareUnfinished},
    {RunKind::kFinalize, DbState::kUpgrading, kFinishUpgradeFirst},
    {RunKind::kFinalize, DbState::kFailedUpgrade, kFinishUpgradeFirst},
}};

}  // namespace

std::string_view StateName(DbState state) { return Info(state).name; }

std::optional<DbState> ParseState(std::string_view name) {
  for (const StateInfo& info : kStates) {
    if (info.name == name) return info.state;
  }
  return std::nullopt;
}

bool AtRest(DbState state) { return Info(state).at_rest; }
bool IsOnline(DbState state) { return Info(state).online; }

std::string_view CommandOf(RunKind run) {
  switch (run) {
    case RunKind::kUpgrade:
      return "upgrade";
    case RunKind::kPrepare:
      return "prepare";
    case RunKind::kFinalize:
      return "finalize";
    case RunKind::kRollback:
      return "rollback";
  }
  return "upgrade";
}

const RunStates& StatesOf(RunKind run) {
  static const RunStates kUpgrade{DbState::kUpgrading, DbState::kActive, DbState::kFailedUpgrade};
  static const RunStates kPrepare{DbState::kPreparing, DbState::kPrepared, DbState::kFailedPrepare};
  // A failed pivot commits nothing: the database stays prepared.
  static const RunStates kFinalize{std::nullopt, DbState::kActive, DbState::kPrepared};
  // A failed rollback stays rolling-back until a rollback completes it.
  static const RunStates kRollback{DbState::kRollingBack, DbState::kActive, DbState::kRollingBack};
  switch (run) {
    case RunKind::kUpgrade:
      return kUpgrade;
    case RunKind::kPrepare:
      return kPrepare;
    case RunKind::kFinalize:
      return kFinalize;
    case RunKind::kRollback:
      return kRollback;
  }
  return kUpgrade;
}

Status MayStart(RunKind run, DbState state, const std::string& database) {
  const Refusal* found = nullptr;
  for (const Refusal& r : kRefusals) {
    if (r.run == run && r.state == state) found = &r;
  }
  if (!found) return Status::Ok();
  return Status(Code::kRefused, fmt::format(fmt::runtime(found->message), fmt::arg("db", database),
                                            fmt::arg("state", StateName(state)),
                                            fmt::arg("command", CommandOf(run))));
}

}  // namespace ratchet
