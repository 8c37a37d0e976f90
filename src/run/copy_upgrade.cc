// copy-upgrade: freeze, copy, upgrade the copy, verify it, swap it in. The
// order matters: the original is never written, and until the swap it is
// the database; the swap is the point of no return.
#include <fmt/format.h>

#include "engine/engine_driver.h"
#include "ratchet/copy.h"
#include "run/bookkeeping.h"
#include "util/fault.h"

namespace ratchet {
namespace {

Result<std::unique_ptr<CopyPlace>> MakePlace(const Target& target, const ConnectOptions& options,
                                             Connection* server = nullptr) {
  return DriverFor(target.kind).OpenCopyPlace(target, options, server);
}

// The status the bookkeeping of `target` records, read without creating
// anything: "" when it has none.
Result<std::string> BookkeepingStatus(const Target& target, const ConnectOptions& options) {
  ConnectOptions read_only = options;
  read_only.create_if_missing = false;
  auto conn = Connect(target, read_only);
  if (!conn.ok()) return conn.status();
  Bookkeeping books(**conn);
  auto format = books.Format();
  if (!format.ok()) return format.status();
  if (*format == 0) return std::string();
  auto state = books.ReadState();
  if (!state.ok()) return state.status();
  return std::string(StateName(state->status));
}

// What `place` holds now, with a complete copy's state as its bookkeeping
// records it.
Result<CopyState> ReadPlace(CopyPlace& place, const ConnectOptions& options) {
  auto state = place.Read();
  if (!state.ok() || state->copy_status != "copied") return state;
  auto status = BookkeepingStatus(place.CopyTarget(), options);
  if (!status.ok()) return status.status();
  if (!status->empty()) state->copy_status = *status;
  return state;
}

// What the copy must show before it may replace the original: its run
// ended (state active), nothing required is pending up to the target, and
// the engine finds it sound.
Status VerifyCopy(Connection& copy, const UpgradeSet& set, const UpgradeOptions& options) {
  Bookkeeping books(copy);
  auto state = books.ReadState();
  if (!state.ok()) return state.status();
  if (state->status != DbState::kActive) {
    return Status(Code::kUpgradeFailed, fmt::format("{}: the copy's state is {}, not active",
                                                    copy.display_name(), StateName(state->status)));
  }
  auto applied = books.ReadItems();
  if (!applied.ok()) return applied.status();
  PlanOptions plan_options;
  plan_options.target = options.target;
  Plan plan = MakePlan(set, copy.kind(), *applied, plan_options);
  for (const Item* item : plan.pending) {
    if (plan.IsEffectivelyOptional(item->version)) continue;
    return Status(Code::kUpgradeFailed, fmt::format("{}: {} is still pending on the copy",
                                                    copy.display_name(), item->version.ToString()));
  }
  auto problems = DriverFor(copy.kind()).Unsound(copy);
  if (!problems.ok()) return problems.status();
  if (problems->empty()) return Status::Ok();
  std::string list;
  for (const std::string& problem : *problems) list += "\n  " + problem;
  return Status(Code::kUpgradeFailed,
                fmt::format("{}: the upgraded copy is not sound:{}", copy.display_name(), list));
}

// Upgrades the copy behind `place` and verifies it. On failure the
// original is opened for writes again and the copy stays for a look.
Result<UpgradeSummary> UpgradeCopy(CopyPlace& place, const UpgradeSet& set,
                                   const CopyUpgradeOptions& options, const ConnectOptions& connect,
                                   Reporter* reporter) {
  Target copy_target = place.CopyTarget();
  auto copy = Connect(copy_target, connect);
  if (!copy.ok()) return copy.status();
  reporter->Banner(fmt::format("Upgrading the copy {}", copy_target.display));
  auto summary = Upgrade(**copy, set, options.upgrade, reporter);
  Status s = summary.ok() ? VerifyCopy(**copy, set, options.upgrade) : summary.status();
  if (s.ok()) return summary;
  Status thawed = place.Thaw();
  std::string note = thawed.ok()
                         ? "the original is unchanged and open for writes again"
                         : "the original is unchanged, but could not be opened for writes again: " +
                               thawed.message();
  return Status(s.code(), fmt::format("{}\nThe copy {} was not swapped in; {}. Fix the cause, "
                                      "then run copy-upgrade again with --recover (it copies "
                                      "the original afresh).",
                                      s.message(), copy_target.display, note));
}

}  // namespace

Result<CopyUpgradeSummary> CopyUpgrade(const Target& target, const UpgradeSet& set,
                                       const CopyUpgradeOptions& options, Reporter* reporter) {
  Reporter quiet;
  if (!reporter) reporter = &quiet;
  ConnectOptions connect;
  connect.history_schema = set.project.history_schema;
  auto made = MakePlace(target, connect);
  if (!made.ok()) return made.status();
  CopyPlace& place = **made;
  RATCHET_RETURN_IF_ERROR(place.Lock(options.upgrade.lock_wait));
  auto state = ReadPlace(place, connect);
  if (!state.ok()) return state.status();
  RATCHET_RETURN_IF_ERROR(place.CheckPrivileges());

  CopyUpgradeSummary summary;
  summary.kept = state->kept;
  if (!state->kept.empty() && !state->Unfinished()) {
    if (options.recover) {
      summary.already_swapped = true;
      return summary;
    }
    return Status(Code::kRefused,
                  fmt::format("{}: {} holds the original kept by an earlier copy-upgrade; remove "
                              "it with 'ratchet cleanup --approve' before copying again",
                              target.display, state->kept));
  }
  bool keep_copy = false;
  if (state->Unfinished()) {
    if (!options.recover) {
      std::string copy = state->copy.empty()
                             ? "no copy yet, the original is closed to connections"
                             : fmt::format("copy {}: {}", state->copy, state->copy_status);
      return Status(Code::kRefused,
                    fmt::format("{}: an earlier copy-upgrade stopped before it finished ({}); "
                                "continue it with 'ratchet copy-upgrade --recover'",
                                target.display, copy));
    }
    auto keep = place.KeepCopyAfterCrash(*state);
    if (!keep.ok()) return keep.status();
    keep_copy = *keep;
    summary.copied_again = !keep_copy && !state->copy.empty();
  }

  // The write freeze holds from before the copy until the swap.
  reporter->Banner(fmt::format("Freezing writes to {}", target.display));
  RATCHET_RETURN_IF_ERROR(place.Freeze());
  if (!keep_copy) {
    reporter->Banner(fmt::format("Copying {} to {}", target.display, place.CopyTarget().display));
    Status copied = place.TakeCopy(reporter);
    if (!copied.ok()) {
      place.Thaw();
      return copied;
    }
  }
  summary.copy = place.CopyTarget().display;
  auto upgraded = UpgradeCopy(place, set, options, connect, reporter);
  if (!upgraded.ok()) return upgraded.status();
  summary.upgrade = *upgraded;
  RATCHET_FAULT_POINT("copy.verified");

  // The point of no return: the copy takes the original's name.
  reporter->Banner(
      fmt::format("Swapping: {} becomes {}; the original is kept", summary.copy, target.display));
  RATCHET_RETURN_IF_ERROR(place.Swap());
  auto after = ReadPlace(place, connect);
  if (!after.ok()) return after.status();
  summary.kept = after->kept;
  return summary;
}

Result<CopyState> ReadCopyState(const Target& target, const ConnectOptions& options,
                                Connection* server) {
  auto place = MakePlace(target, options, server);
  if (!place.ok()) return place.status();
  return ReadPlace(**place, options);
}

Result<std::string> RemoveKeptOriginal(const Target& target, const ConnectOptions& options) {
  auto made = MakePlace(target, options);
  if (!made.ok()) return made.status();
  CopyPlace& place = **made;
  RATCHET_RETURN_IF_ERROR(place.Lock(std::chrono::milliseconds(0)));
  auto state = ReadPlace(place, options);
  if (!state.ok()) return state.status();
  if (state->Unfinished()) {
    return Status(Code::kRefused,
                  fmt::format("{}: a copy-upgrade has not finished here; finish it with 'ratchet "
                              "copy-upgrade --recover' before removing anything",
                              target.display));
  }
  return place.RemoveKept();
}

}  // namespace ratchet
