// Planning: which items a database still needs, in which order, and whether
// what it already has agrees with the upgrade set.
#ifndef RATCHET_PLAN_H_
#define RATCHET_PLAN_H_

#include <optional>
#include <string>
#include <vector>

#include "ratchet/status.h"
#include "ratchet/upgrade_set.h"
#include "ratchet/version.h"

namespace ratchet {

enum class Phase { kPrepared, kApplied, kFailed };
const char* PhaseName(Phase phase);
std::optional<Phase> ParsePhase(std::string_view text);

// An item as the bookkeeping of one database records it.
struct AppliedItem {
  Version version;
  std::string description;
  std::string checksum;
  Phase phase = Phase::kApplied;
  bool optional = false;
  std::string applied_at;
  int64_t duration_ms = 0;
  std::string error;  // for a failed optional item, the last error
};

// An applied item whose file has changed since it was applied.
struct Drift {
  Version version;
  std::string file_name;
  std::string recorded_checksum;
  std::string current_checksum;
};

struct PlanOptions {
  // Plan up to and including this version; nullopt: the head of the set.
  std::optional<Version> target;
};

// What a database needs. Problems (drift, unknown versions) are listed, not
// refused here: the caller decides (upgrade refuses, status reports).
struct Plan {
  std::vector<const Item*> pending;  // in the order they must run
  // Items skipped because an equivalent (same-as) is applied or planned first.
  std::vector<const Item*> covered;
  std::vector<Drift> drift;
  std::vector<AppliedItem> unknown;  // applied versions the set does not know
  // Items that may fail without stopping the run: optional, and not required
  // (directly or through others) by any item that is not optional.
  std::vector<Version> effectively_optional;

  bool IsEffectivelyOptional(const Version& v) const;
};

// Builds the plan for a database of `engine` that has `applied`.
// REQUIRES: `set` outlives the plan (it points into set.items).
Plan MakePlan(const UpgradeSet& set, EngineKind engine, const std::vector<AppliedItem>& applied,
              const PlanOptions& options = {});

// Resolves a --to argument: a version ("V3", "2.1") or a release name.
Result<Version> ResolveTarget(const UpgradeSet& set, std::string_view text);

// The newest release whose items are all applied (same-as honoured), or "".
std::string CurrentRelease(const UpgradeSet& set, EngineKind engine,
                           const std::vector<AppliedItem>& applied);

}  // namespace ratchet

#endif  // RATCHET_PLAN_H_
