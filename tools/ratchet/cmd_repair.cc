// `ratchet repair` and `ratchet baseline`: the audited ways to tell ratchet
// what a database already has, and `baseline --detect`, which finds out.
#include <fmt/format.h>

#include <iostream>

#include "common.h"
#include "json_output.h"
#include "ratchet/text.h"
#include "ratchet/verify.h"

namespace ratchet::tool {
namespace {

struct BaselineCommandOptions {
  CommonOptions common;
  std::string release;
  bool detect = false;
  std::string scratch;
};

int RunRepair(const CommonOptions& options) {
  auto wait = LockWait(options);
  if (!wait.ok()) return ReportError(wait.status());
  auto session = OpenSession(options, OpenMode::kMustExist);
  if (!session.ok()) return ReportError(session.status());
  auto summary = Repair(*session->conn, *session->set, *wait);
  if (!summary.ok()) return ReportError(summary.status());
  const std::string next = CommandLine("upgrade", options, session->conn->display_name());
  if (JsonMode()) {
    nlohmann::ordered_json accepted = nlohmann::ordered_json::array();
    for (const Drift& d : summary->accepted_drift) {
      accepted.push_back({{"version", d.version.ToString()},
                          {"file", "items/" + d.file_name},
                          {"recorded_checksum", d.recorded_checksum},
                          {"current_checksum", d.current_checksum}});
    }
    const bool changed = !summary->accepted_drift.empty() || summary->cleared_failure;
    EmitJson("repair", {{"database", session->conn->display_name()},
                        {"accepted_drift", accepted},
                        {"cleared_failure", summary->cleared_failure},
                        {"changed", changed},
                        {"exit_code", 0},
                        {"next", changed ? nlohmann::ordered_json(next) : nullptr}});
    return 0;
  }
  for (const Drift& d : summary->accepted_drift) {
    std::cout << fmt::format("accepted change of {} items/{} (checksum {} -> {})\n",
                             d.version.ToString(), d.file_name, d.recorded_checksum.substr(0, 12),
                             d.current_checksum.substr(0, 12));
  }
  if (summary->cleared_failure) std::cout << "cleared the failed-upgrade state\n";
  if (summary->accepted_drift.empty() && !summary->cleared_failure) {
    std::cout << "nothing to repair: no drift and no failed state\n";
  } else {
    std::cout << "recorded as audit events. Next: " << next << "\n";
  }
  return 0;
}

// Compares the database with each release's fresh install and offers the
// baseline command for the one it matches. Changes nothing.
int RunDetect(const BaselineCommandOptions& options) {
  auto session = OpenSession(options.common, OpenMode::kMustExist);
  if (!session.ok()) return ReportError(session.status());
  Connection& conn = *session->conn;
  ScratchOptions scratch;
  scratch.engine = conn.kind();
  scratch.server = options.scratch.empty() ? session->target.conninfo : options.scratch;
  auto report = DetectRelease(conn, *session->set, scratch);
  if (!report.ok()) return ReportError(report.status());
  const ReleaseMatch& best = report->candidates.front();
  std::string command = CommandLine("baseline", options.common, conn.display_name()) +
                        " --release " + ShellQuote(best.release);
  if (JsonMode()) {
    nlohmann::ordered_json candidates = nlohmann::ordered_json::array();
    for (const ReleaseMatch& m : report->candidates) {
      nlohmann::ordered_json differences = nlohmann::ordered_json::array();
      for (const Difference& d : m.differences) differences.push_back(DifferenceJson(d));
      candidates.push_back({{"release", m.release}, {"differences", differences}});
    }
    const int code = report->exact() ? 0 : ExitCodeFor(Status(Code::kCheckFailed, ""));
    EmitJson("baseline-detect", {{"database", conn.display_name()},
                                 {"exact", report->exact()},
                                 {"release", best.release},
                                 {"candidates", candidates},
                                 {"without_schema", report->without_schema},
                                 {"exit_code", code},
                                 {"next", command}});
    return code;
  }
  for (const std::string& release : report->without_schema) {
    std::cout << fmt::format("release {} has no schema/{}.sql and was not compared\n", release,
                             release);
  }
  if (report->exact()) {
    std::cout << fmt::format(
        "{} matches the fresh install of release {} exactly.\n"
        "Next: mark its items applied with: {}\n",
        conn.display_name(), best.release, command);
    return 0;
  }
  std::cout << fmt::format(
      "{} matches no release exactly; the closest is {} with {} "
      "difference(s):\n",
      conn.display_name(), best.release, best.differences.size());
  DiffLabels labels{"the fresh install of " + best.release, "the database"};
  for (const Difference& d : best.differences) {
    std::cout << "  " << FormatDifference(d, labels) << "\n";
  }
  for (size_t i = 1; i < report->candidates.size(); ++i) {
    std::cout << fmt::format("release {}: {} difference(s)\n", report->candidates[i].release,
                             report->candidates[i].differences.size());
  }
  std::cout << fmt::format(
      "Bring the schema in line with {} first, or, if these differences are "
      "meant to stay, mark it with: {}\n",
      best.release, command);
  return ExitCodeFor(Status(Code::kCheckFailed, ""));
}

int RunBaseline(const BaselineCommandOptions& options) {
  if (options.detect == !options.release.empty()) {
    return ReportError(Status(Code::kInvalidArgument,
                              "baseline needs either --release <release> (mark it applied) or "
                              "--detect (find which release the database is at), not both"));
  }
  if (options.detect) return RunDetect(options);
  auto wait = LockWait(options.common);
  if (!wait.ok()) return ReportError(wait.status());
  auto session = OpenSession(options.common, OpenMode::kMustExist);
  if (!session.ok()) return ReportError(session.status());
  auto head = ResolveTarget(*session->set, options.release);
  if (!head.ok()) return ReportError(head.status());
  const Release* release = session->set->FindRelease(options.release);
  auto count = Baseline(*session->conn, *session->set, *head, release ? release->name : "", *wait);
  if (!count.ok()) return ReportError(count.status());
  if (JsonMode()) {
    EmitJson("baseline",
             {{"database", session->conn->display_name()},
              {"head", head->ToString()},
              {"release", TextOrNull(release ? release->name : "")},
              {"marked", *count},
              {"exit_code", 0},
              {"next", CommandLine("upgrade", options.common, session->conn->display_name())}});
    return 0;
  }
  std::cout << fmt::format(
      "marked {} item(s) up to {} as applied on {} (nothing was run). Next: {}\n", *count,
      head->ToString(), session->conn->display_name(),
      CommandLine("upgrade", options.common, session->conn->display_name()));
  return 0;
}

}  // namespace

void SetupRepairCommand(CLI::App& app, Runner* run) {
  auto options = std::make_shared<CommonOptions>();
  CLI::App* cmd = app.add_subcommand(
      "repair", "accept changed item files (drift) and clear a failed state, with audit events");
  AddCommonOptions(cmd, options.get());
  AddJsonFlag(cmd);
  cmd->callback([options, run] { *run = [options] { return RunRepair(*options); }; });
}

void SetupBaselineCommand(CLI::App& app, Runner* run) {
  auto options = std::make_shared<BaselineCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "baseline", "mark a release's items applied on a database that predates ratchet");
  AddCommonOptions(cmd, &options->common);
  cmd->add_option("--release", options->release, "the release (or version) the database is at");
  cmd->add_flag("--detect", options->detect,
                "find the release whose fresh schema (schema/<release>.sql) the database "
                "matches, show the differences, and print the baseline command; changes "
                "nothing");
  cmd->add_option("--scratch", options->scratch,
                  "with --detect on PostgreSQL: server for scratch databases (the role needs "
                  "CREATEDB); default: the --db server");
  AddJsonFlag(cmd);
  cmd->callback([options, run] { *run = [options] { return RunBaseline(*options); }; });
}

const CommandRegistration kRepairRegistered(110, SetupRepairCommand);

const CommandRegistration kBaselineRegistered(120, SetupBaselineCommand);

}  // namespace ratchet::tool
