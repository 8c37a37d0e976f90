// `ratchet repair` and `ratchet baseline`: the audited ways to tell ratchet
// what a database already has.
#include <iostream>

#include <fmt/format.h>

#include "common.h"

namespace ratchet::tool {
namespace {

struct BaselineCommandOptions {
  CommonOptions common;
  std::string release;
};

int RunRepair(const CommonOptions& options) {
  auto wait = LockWait(options);
  if (!wait.ok()) return ReportError(wait.status());
  auto session = OpenSession(options, OpenMode::kMustExist);
  if (!session.ok()) return ReportError(session.status());
  auto summary = Repair(*session->conn, *session->set, *wait);
  if (!summary.ok()) return ReportError(summary.status());
  for (const Drift& d : summary->accepted_drift) {
    std::cout << fmt::format("accepted change of {} items/{} (checksum {} -> {})\n",
                             d.version.ToString(), d.file_name, d.recorded_checksum.substr(0, 12),
                             d.current_checksum.substr(0, 12));
  }
  if (summary->cleared_failure) std::cout << "cleared the failed-upgrade state\n";
  if (summary->accepted_drift.empty() && !summary->cleared_failure) {
    std::cout << "nothing to repair: no drift and no failed state\n";
  } else {
    std::cout << "recorded as audit events. Next: "
              << CommandLine("upgrade", options, session->conn->display_name()) << "\n";
  }
  return 0;
}

int RunBaseline(const BaselineCommandOptions& options) {
  auto wait = LockWait(options.common);
  if (!wait.ok()) return ReportError(wait.status());
  auto session = OpenSession(options.common, OpenMode::kMustExist);
  if (!session.ok()) return ReportError(session.status());
  auto head = ResolveTarget(*session->set, options.release);
  if (!head.ok()) return ReportError(head.status());
  const Release* release = session->set->FindRelease(options.release);
  auto count = Baseline(*session->conn, *session->set, *head, release ? release->name : "", *wait);
  if (!count.ok()) return ReportError(count.status());
  std::cout << fmt::format("marked {} item(s) up to {} as applied on {} (nothing was run). Next: {}\n",
                           *count, head->ToString(), session->conn->display_name(),
                           CommandLine("upgrade", options.common, session->conn->display_name()));
  return 0;
}

}  // namespace

void SetupRepairCommand(CLI::App& app, Runner* run) {
  auto options = std::make_shared<CommonOptions>();
  CLI::App* cmd = app.add_subcommand(
      "repair", "accept changed item files (drift) and clear a failed state, with audit events");
  AddCommonOptions(cmd, options.get());
  cmd->callback([options, run] { *run = [options] { return RunRepair(*options); }; });
}

void SetupBaselineCommand(CLI::App& app, Runner* run) {
  auto options = std::make_shared<BaselineCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "baseline", "mark a release's items applied on a database that predates ratchet");
  AddCommonOptions(cmd, &options->common);
  cmd->add_option("--release", options->release, "the release (or version) the database is at")
      ->required();
  cmd->callback([options, run] { *run = [options] { return RunBaseline(*options); }; });
}

const CommandRegistration kRepairRegistered(110, SetupRepairCommand);

const CommandRegistration kBaselineRegistered(120, SetupBaselineCommand);

}  // namespace ratchet::tool
