// The checks before a run: the pending items' check sections, requirements,
// name conflicts, privileges and locks, found before anything changes.
#include "run/pre_checks.h"

#include <fmt/format.h>

#include "ratchet/check.h"

namespace ratchet {
namespace {

// Checks the items of `starting` on `conn`, reporting the findings; the
// report's problems stop the run.
Status CheckStartingItems(Connection& conn, const UpgradeSet& set, const Plan& starting,
                          const CheckOptions& options, Reporter& reporter) {
  if (starting.pending.empty()) return Status::Ok();
  auto report = CheckDatabase(conn, set, starting, options);
  if (!report.ok()) return report.status();
  reporter.ChecksRan(starting, *report);
  if (report->problems() == 0) return Status::Ok();
  return Status(Code::kCheckFailed,
                fmt::format("{}: the checks before the upgrade found {} problem(s); nothing was "
                            "changed. Fix them, or pass --skip-check to go on anyway.",
                            conn.display_name(), report->problems()));
}

}  // namespace

Status RunPreChecks(RunContext& run, const Plan& plan, const UpgradeOptions& options) {
  if (!options.run_checks) return Status::Ok();
  return CheckStartingItems(run.conn, run.set,
                            ItemsToStart(plan, run.recorded, run.state.in_flight),
                            options.check_options, run.reporter);
}

Status CheckBeforeUpgrade(Connection& conn, const UpgradeSet& set, const UpgradeOptions& options,
                          Reporter* reporter) {
  auto status = ReadStatus(conn, set);
  if (!status.ok()) return status.status();
  PlanOptions plan_options;
  plan_options.target = options.target;
  Plan plan = MakePlan(set, conn.kind(), status->applied, plan_options);
  Reporter quiet;
  return CheckStartingItems(conn, set,
                            ItemsToStart(std::move(plan), status->applied, status->in_flight),
                            options.check_options, reporter ? *reporter : quiet);
}

}  // namespace ratchet
