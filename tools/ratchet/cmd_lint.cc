// `ratchet lint`: the upgrade set alone, no database.
#include <fmt/format.h>

#include <iostream>

#include "common.h"
#include "json_output.h"
#include "ratchet/check.h"
#include "ratchet/lint.h"

namespace ratchet::tool {
namespace {

struct LintCommandOptions {
  std::string set_dir = ".";
  std::vector<std::string> engines;
  bool strict = false;
};

int RunLint(const LintCommandOptions& options) {
  LintOptions lint;
  for (const std::string& name : options.engines) {
    if (name == "sqlite") {
      lint.engines.push_back(EngineKind::kSqlite);
    } else if (name == "postgresql") {
      lint.engines.push_back(EngineKind::kPostgres);
    } else {
      return ReportError(Status(Code::kInvalidArgument,
                                fmt::format("--engine {}: write sqlite or postgresql", name)));
    }
  }
  auto report = LintUpgradeSet(options.set_dir, lint);
  if (!report.ok()) return ReportError(report.status());
  bool failed = report->problems() > 0 || (options.strict && report->warnings() > 0);
  const int code = failed ? ExitCodeFor(Status(Code::kCheckFailed, "")) : 0;
  if (JsonMode()) {
    nlohmann::ordered_json engines = nlohmann::ordered_json::array();
    for (EngineKind e : report->engines) engines.push_back(EngineName(e));
    EmitJson("lint", {{"set", report->set},
                      {"engines", engines},
                      {"problems", report->problems()},
                      {"warnings", report->warnings()},
                      {"findings", FindingsJson(report->findings)},
                      {"exit_code", code}});
    return code;
  }
  std::cout << FormatLintReport(*report);
  return code;
}

}  // namespace

void SetupLintCommand(CLI::App& app, Runner* run) {
  auto options = std::make_shared<LintCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "lint",
      "check the upgrade set alone, without a database: load errors, version gaps, "
      "statements unsafe to repeat, locks and rewrites");
  cmd->add_option("--set", options->set_dir,
                  "directory of the upgrade set (holds ratchet.toml and items/)")
      ->capture_default_str();
  cmd->add_option("--engine", options->engines,
                  "lint for this engine only (sqlite, postgresql); default: the set's engines");
  cmd->add_flag("--strict", options->strict, "warnings count as problems (exit 3)");
  AddJsonFlag(cmd);
  cmd->callback([options, run] { *run = [options] { return RunLint(*options); }; });
}

const CommandRegistration kLintRegistered(7, SetupLintCommand);

}  // namespace ratchet::tool
