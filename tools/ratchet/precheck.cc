// The checks upgrade and prepare run before anything changes.
#include "precheck.h"

#include <algorithm>

#include <fmt/format.h>

#include "ratchet/check.h"
#include "ratchet/runner.h"

namespace ratchet::tool {

Status RunPreChecks(Connection& conn, const UpgradeSet& set, const std::optional<Version>& target,
                    std::ostream& out) {
  auto status = ReadStatus(conn, set);
  if (!status.ok()) return status.status();
  PlanOptions plan_options;
  plan_options.target = target;
  Plan plan = MakePlan(set, conn.kind(), status->applied, plan_options);
  auto started_before = [&](const Item* item) {
    if (item->version.ToString() == status->in_flight) return true;
    return std::any_of(status->applied.begin(), status->applied.end(), [&](const AppliedItem& a) {
      return a.version == item->version && a.phase == Phase::kPrepared;
    });
  };
  plan.pending.erase(std::remove_if(plan.pending.begin(), plan.pending.end(), started_before),
                     plan.pending.end());
  if (plan.pending.empty()) return Status::Ok();
  auto report = CheckDatabase(conn, set, plan);
  if (!report.ok()) return report.status();
  if (report->problems() == 0) return Status::Ok();
  out << FormatCheckReport(*report);
  return Status(Code::kCheckFailed,
                fmt::format("{}: the checks before the upgrade found {} problem(s); nothing was "
                            "changed. Fix them, or pass --skip-check to go on anyway.",
                            conn.display_name(), report->problems()));
}

}  // namespace ratchet::tool
