// The checks upgrade and prepare run before anything changes.
#include "precheck.h"

#include <fmt/format.h>

#include "json_output.h"
#include "ratchet/check.h"
#include "ratchet/runner.h"

namespace ratchet::tool {

Status CheckItemsToStart(Connection& conn, const UpgradeSet& set, const Plan& starting,
                         std::ostream& out) {
  if (starting.pending.empty()) return Status::Ok();
  auto report = CheckDatabase(conn, set, starting);
  if (!report.ok()) return report.status();
  if (report->problems() == 0) return Status::Ok();
  if (JsonMode()) {
    // The findings, before the error that stops the run.
    nlohmann::ordered_json fields = CheckReportJson(*report);
    fields["missing"] = false;
    fields["exit_code"] = ExitCodeFor(Status(Code::kCheckFailed, ""));
    fields["next"] = nullptr;
    EmitJson("check", fields);
  } else {
    out << FormatCheckReport(*report);
  }
  return Status(Code::kCheckFailed,
                fmt::format("{}: the checks before the upgrade found {} problem(s); nothing was "
                            "changed. Fix them, or pass --skip-check to go on anyway.",
                            conn.display_name(), report->problems()));
}

Status RunPreChecks(Connection& conn, const UpgradeSet& set, const std::optional<Version>& target,
                    std::ostream& out) {
  auto status = ReadStatus(conn, set);
  if (!status.ok()) return status.status();
  PlanOptions plan_options;
  plan_options.target = target;
  Plan plan = MakePlan(set, conn.kind(), status->applied, plan_options);
  return CheckItemsToStart(conn, set,
                           ItemsToStart(std::move(plan), status->applied, status->in_flight), out);
}

}  // namespace ratchet::tool
