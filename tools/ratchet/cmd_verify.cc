// `ratchet verify`: proves on scratch databases that upgrading from every
// release (and from empty) gives exactly the schema of a fresh install.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>

#include "common.h"
#include "json_output.h"
#include "ratchet/verify.h"

namespace ratchet::tool {
namespace {

struct VerifyCommandOptions {
  CommonOptions common;
  std::string scratch;
  bool idempotent = false;
};

const DiffLabels kLabels{"the fresh install", "the upgraded database"};

std::string From(const VerifyRun& run) { return run.from.empty() ? "empty" : run.from; }

// Prints a line per run and per item applied again as each finishes.
class VerifyLines : public VerifyListener {
 public:
  void RunDone(const VerifyRun& run) override {
    std::string label = fmt::format("  from {:<8} by {:<20}", From(run), run.path);
    if (!run.not_applicable.empty()) {
      std::string why = run.not_applicable;
      for (size_t at = 0; (at = why.find('\n', at)) != std::string::npos; at += 7) {
        why.replace(at, 1, "\n      ");
      }
      std::cout << label << "not applicable\n      " << why << "\n";
    } else if (!run.error.ok()) {
      std::cout << label << "failed\n      " << run.error.message() << "\n";
    } else if (run.differences.empty()) {
      std::cout << label << "ok\n";
    } else {
      std::cout << label << fmt::format("{} difference(s)\n", run.differences.size());
      for (const Difference& d : run.differences) {
        std::cout << "      " << FormatDifference(d, kLabels) << "\n";
      }
    }
    std::cout << std::flush;
  }

  void ItemRerunDone(const Item& item, const ItemRerun* problem) override {
    if (!rerun_banner_shown_) {
      std::cout << "Applying every item again on a database at the head:\n";
      rerun_banner_shown_ = true;
    }
    std::string label = fmt::format("  {:<7} items/{}: ", item.version.ToString(), item.file_name);
    if (problem == nullptr) {
      std::cout << label << "idempotent\n";
    } else if (!problem->error.ok()) {
      std::cout << label << "fails when applied again\n      " << problem->error.message() << "\n";
    } else {
      std::cout << label << "changes the schema when applied again\n";
      for (const Difference& d : problem->changes) {
        std::cout << "      " << FormatDifference(d, {"the first run", "the second run"}) << "\n";
      }
    }
    std::cout << std::flush;
  }

 private:
  bool rerun_banner_shown_ = false;
};

// Writes a verify-run object per run and a verify-item object per item
// applied again (--json).
class VerifyJson : public VerifyListener {
 public:
  void RunDone(const VerifyRun& run) override {
    nlohmann::ordered_json differences = nlohmann::ordered_json::array();
    for (const Difference& d : run.differences) differences.push_back(DifferenceJson(d));
    std::string outcome = !run.not_applicable.empty() ? "not-applicable"
                          : !run.error.ok()           ? "failed"
                          : run.differences.empty()   ? "ok"
                                                      : "differs";
    EmitJson("verify-run", {{"from", TextOrNull(run.from)},
                            {"path", run.path},
                            {"outcome", outcome},
                            {"not_applicable", TextOrNull(run.not_applicable)},
                            {"error", ErrorFields(run.error)},
                            {"differences", differences}});
  }

  void ItemRerunDone(const Item& item, const ItemRerun* problem) override {
    nlohmann::ordered_json changes = nlohmann::ordered_json::array();
    if (problem) {
      for (const Difference& d : problem->changes) changes.push_back(DifferenceJson(d));
    }
    std::string outcome = problem == nullptr     ? "idempotent"
                          : !problem->error.ok() ? "fails-again"
                                                 : "changes-schema";
    EmitJson("verify-item", {{"version", item.version.ToString()},
                             {"file", "items/" + item.file_name},
                             {"outcome", outcome},
                             {"error", problem ? ErrorFields(problem->error) : nullptr},
                             {"changes", changes}});
  }
};

// The engine and the server to build scratch databases on: --scratch, else
// the database's own server; SQLite needs no server.
Result<ScratchOptions> ChooseScratch(const VerifyCommandOptions& options) {
  ScratchOptions scratch;
  if (!options.scratch.empty()) {
    auto target = ParseTarget(options.scratch);
    if (!target.ok()) return target.status().WithContext("--scratch");
    if (target->kind != EngineKind::kPostgres) {
      return Status(Code::kInvalidArgument,
                    "--scratch names a PostgreSQL server; SQLite scratch databases are "
                    "temporary files and need no --scratch");
    }
    scratch.engine = EngineKind::kPostgres;
    scratch.server = target->conninfo;
    return scratch;
  }
  auto targets = ResolveTargets(options.common);
  if (!targets.ok()) {
    // Nothing names a database: verify on SQLite, which needs no server.
    if (targets.status().code() == Code::kInvalidArgument && options.common.dbs.empty()) {
      return scratch;
    }
    return targets.status();
  }
  const Target& target = targets->front();
  scratch.engine = target.kind;
  if (target.kind == EngineKind::kPostgres) scratch.server = target.conninfo;
  return scratch;
}

int RunVerify(const VerifyCommandOptions& options) {
  auto scratch = ChooseScratch(options);
  if (!scratch.ok()) return ReportError(scratch.status());
  LoadOptions load;
  load.parse_for = scratch->engine;
  auto set = LoadUpgradeSet(options.common.set_dir, load);
  if (!set.ok()) return ReportError(set.status());
  const std::string engine = EngineName(scratch->engine);
  if (!set->project.engines.empty() &&
      std::find(set->project.engines.begin(), set->project.engines.end(), engine) ==
          set->project.engines.end()) {
    return ReportError(Status(Code::kInvalidArgument,
                              fmt::format("the set does not support {} (engines in "
                                          "ratchet.toml); pass --scratch with a server of an "
                                          "engine it supports",
                                          engine)));
  }

  const bool json = JsonMode();
  if (!json) {
    std::cout << fmt::format(
        "Verifying {} on {} scratch databases: every upgrade must equal a "
        "fresh install of the newest release\n",
        set->project.name.empty() ? set->dir.string() : set->project.name, engine);
  }
  VerifyOptions verify;
  verify.scratch = *scratch;
  verify.idempotent = options.idempotent;
  VerifyLines lines;
  VerifyJson objects;
  auto report =
      VerifyUpgradeSet(*set, verify, json ? static_cast<VerifyListener*>(&objects) : &lines);
  if (!report.ok()) return ReportError(report.status());
  if (json) {
    size_t failed = 0, skipped = 0;
    for (const VerifyRun& run : report->runs) {
      failed += run.ok() ? 0 : 1;
      skipped += run.not_applicable.empty() ? 0 : 1;
    }
    nlohmann::ordered_json uncovered = nlohmann::ordered_json::array();
    for (const Version& v : report->uncovered) uncovered.push_back(v.ToString());
    nlohmann::ordered_json not_idempotent = nlohmann::ordered_json::array();
    for (const ItemRerun& r : report->not_idempotent)
      not_idempotent.push_back(r.version.ToString());
    const int code = report->ok() ? 0 : ExitCodeFor(Status(Code::kCheckFailed, ""));
    EmitJson("verify", {{"set", set->project.name.empty() ? set->dir.string() : set->project.name},
                        {"engine", engine},
                        {"head", report->head},
                        {"ok", report->ok()},
                        {"runs", report->runs.size() - skipped},
                        {"failed_runs", failed},
                        {"not_applicable", skipped},
                        {"without_schema", report->without_schema},
                        {"uncovered", uncovered},
                        {"reclaimed", report->reclaimed},
                        {"idempotence_checked", report->idempotence_checked},
                        {"items_rerun", report->items_rerun},
                        {"not_idempotent", not_idempotent},
                        {"exit_code", code},
                        {"next", report->ok() ? nlohmann::ordered_json()
                                              : nlohmann::ordered_json(
                                                    CommandLine("verify", options.common, ""))}});
    return code;
  }

  if (!report->reclaimed.empty()) {
    std::string list;
    for (const std::string& name : report->reclaimed) list += (list.empty() ? "" : ", ") + name;
    std::cout << fmt::format("  removed {} scratch database(s) left by a verify that died: {}\n",
                             report->reclaimed.size(), list);
  }
  for (const std::string& release : report->without_schema) {
    std::cout << fmt::format("  release {} has no schema/{}.sql: not verified from there\n",
                             release, release);
  }
  if (!report->uncovered.empty()) {
    std::string list;
    for (const Version& v : report->uncovered) list += (list.empty() ? "" : ", ") + v.ToString();
    std::cout << fmt::format(
        "  {} item(s) lie beyond release {}, the newest: {}; no fresh install covers them, so "
        "verify does not apply them. To cover them, declare a [[release]] whose head is {} "
        "and write its schema/<release>.sql\n",
        report->uncovered.size(), report->head, list, report->uncovered.back().ToString());
  }
  size_t failed = 0, skipped = 0;
  for (const VerifyRun& run : report->runs) {
    failed += run.ok() ? 0 : 1;
    skipped += run.not_applicable.empty() ? 0 : 1;
  }
  const size_t made = report->runs.size() - skipped;
  const std::string not_made =
      skipped == 0 ? "" : fmt::format(" ({} path(s) not applicable, named above)", skipped);
  if (report->ok()) {
    std::cout << fmt::format("verify: all {} run(s) reach exactly the fresh install of {}{}", made,
                             report->head, not_made);
    if (report->idempotence_checked) {
      std::cout << fmt::format("; all {} item(s) are idempotent", report->items_rerun);
    }
    std::cout << ".\n";
    return 0;
  }
  if (failed == 0) {
    std::cout << fmt::format("verify: all {} run(s) reach exactly the fresh install of {}{}", made,
                             report->head, not_made);
  } else {
    std::cout << fmt::format("verify: {} of {} run(s) do not reach the fresh install of {}{}",
                             failed, made, report->head, not_made);
  }
  if (report->idempotence_checked) {
    std::cout << fmt::format("; {} of {} item(s) are not idempotent", report->not_idempotent.size(),
                             report->items_rerun);
  }
  std::cout << ".\nFix the items (or the schema files) named above, then run verify again.\n";
  return ExitCodeFor(Status(Code::kCheckFailed, ""));
}

}  // namespace

void SetupVerifyCommand(CLI::App& app, Runner* run) {
  auto options = std::make_shared<VerifyCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "verify",
      "prove on scratch databases that upgrading from each release equals a fresh install");
  AddCommonOptions(cmd, &options->common, /*with_lock_wait=*/false);
  cmd->add_option("--scratch", options->scratch,
                  "PostgreSQL server for scratch databases (the role needs CREATEDB); default: "
                  "the --db server; SQLite uses temporary files");
  cmd->add_flag("--idempotent", options->idempotent,
                "also apply every item a second time: nothing may fail or change");
  AddJsonFlag(cmd);
  cmd->callback([options, run] { *run = [options] { return RunVerify(*options); }; });
}

const CommandRegistration kVerifyRegistered(95, SetupVerifyCommand);

}  // namespace ratchet::tool
