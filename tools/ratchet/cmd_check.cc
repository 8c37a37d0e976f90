// `ratchet check`: every problem an upgrade of one database would meet,
// found read-only before anything changes.
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>
#include <regex>

#include "common.h"
#include "json_output.h"
#include "ratchet/check.h"

namespace ratchet::tool {
namespace {

struct CheckCommandOptions {
  CommonOptions common;
  std::string to;
  std::string min_table_size = "1MB";
  bool strict = false;
  bool json = false;
};

// "0", "512kB", "1MB", "2GB" (powers of 1024), or nullopt.
std::optional<int64_t> ParseSize(const std::string& text) {
  static const std::regex kSize("\\s*([0-9]+)\\s*(|b|B|kB|KB|k|MB|M|GB|G|TB|T)\\s*");
  std::smatch m;
  if (!std::regex_match(text, m, kSize)) return std::nullopt;
  int64_t value = std::stoll(m[1].str());
  std::string unit = m[2].str();
  int shift = unit.empty() || unit == "b" || unit == "B" ? 0
              : unit[0] == 'k' || unit[0] == 'K'         ? 10
              : unit[0] == 'M'                           ? 20
              : unit[0] == 'G'                           ? 30
                                                         : 40;
  return value << shift;
}

int RunCheck(const CheckCommandOptions& options) {
  CheckOptions check;
  check.command_privileges = true;
  auto size = ParseSize(options.min_table_size);
  if (!size) {
    return ReportError(Status(Code::kInvalidArgument,
                              fmt::format("--min-table-size {}: write a size such as 0, 500kB, "
                                          "1MB or 2GB",
                                          options.min_table_size)));
  }
  check.min_table_bytes = *size;
  auto session = OpenSession(options.common, OpenMode::kMayBeMissing);
  if (!session.ok()) return ReportError(session.status());
  const UpgradeSet& set = *session->set;
  if (session->missing && options.json) {
    EmitJson("check", {{"database", session->target.display},
                       {"findings", nlohmann::ordered_json::array()},
                       {"pending", 0},
                       {"problems", 0},
                       {"warnings", 0},
                       {"missing", true},
                       {"exit_code", 0},
                       {"next", nullptr}});
    return 0;
  }
  if (session->missing) {
    std::cout << fmt::format(
        "{} does not exist yet: an upgrade creates it, and there is nothing "
        "in it to check against.\n",
        session->target.display);
    return 0;
  }
  PlanOptions plan_options;
  if (!options.to.empty()) {
    auto target = ResolveTarget(set, options.to);
    if (!target.ok()) return ReportError(target.status());
    plan_options.target = *target;
  }
  auto status = SessionStatus(*session);
  if (!status.ok()) return ReportError(status.status());
  Plan plan = MakePlan(set, status->engine, status->applied, plan_options);
  auto report = CheckDatabase(*session->conn, set, plan, check);
  if (!report.ok()) return ReportError(report.status());
  bool failed = report->problems() > 0 || (options.strict && report->warnings() > 0);
  const std::string again = CommandLine("check", options.common, session->conn->display_name());
  if (options.json) {
    nlohmann::ordered_json fields = CheckReportJson(*report);
    fields["missing"] = false;
    fields["exit_code"] = failed ? ExitCodeFor(Status(Code::kCheckFailed, "")) : 0;
    fields["next"] = failed ? nlohmann::ordered_json(again) : nullptr;
    EmitJson("check", fields);
    return fields["exit_code"].get<int>();
  }
  std::cout << FormatCheckReport(*report);
  if (!failed) return 0;
  if (!options.json) {
    std::cout << "Nothing was changed. Fix the problems above, then run: " << again << "\n";
  }
  return ExitCodeFor(Status(Code::kCheckFailed, ""));
}

}  // namespace

void SetupCheckCommand(CLI::App& app, Runner* run) {
  auto options = std::make_shared<CheckCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "check", "find every problem an upgrade would meet, read-only, before anything changes");
  AddCommonOptions(cmd, &options->common, /*with_lock_wait=*/false);
  cmd->add_option("--to", options->to, "check the upgrade to this version or release");
  cmd->add_option("--min-table-size", options->min_table_size,
                  "report rewrites, scans and index builds under a lock on tables at least "
                  "this large (0 for all)")
      ->capture_default_str();
  cmd->add_flag("--strict", options->strict, "warnings count as problems (exit 3)");
  AddJsonFlag(cmd, &options->json);
  cmd->callback([options, run] { *run = [options] { return RunCheck(*options); }; });
}

const CommandRegistration kCheckRegistered(5, SetupCheckCommand);

}  // namespace ratchet::tool
