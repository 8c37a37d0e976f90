// `ratchet copy-upgrade`: the cautious path. Upgrades a copy of each
// database while writes to it are frozen, verifies the copy and swaps it in,
// keeping the original until `ratchet cleanup --approve`.
#include <fmt/format.h>

#include <iostream>

#include "common.h"
#include "fleet.h"
#include "json_output.h"
#include "ratchet/copy.h"

namespace ratchet::tool {
namespace {

struct CopyUpgradeCommandOptions {
  CommonOptions common;
  std::string to;
  bool allow_unknown = false;
  bool recover = false;
  bool skip_check = false;
};

// The pre-upgrade checks, on the original, before anything is frozen or
// copied: a problem they find stops the run with nothing changed. The
// connection is closed again before the copy (PostgreSQL copies only a
// database nobody uses).
Status CheckOriginal(const Target& target, std::shared_ptr<const UpgradeSet> set,
                     const UpgradeOptions& upgrade, Reporter* reporter) {
  auto session = OpenTarget(target, set, OpenMode::kMustExist);
  if (!session.ok()) return session.status();
  return CheckBeforeUpgrade(*session->conn, *set, upgrade, reporter);
}

DatabaseResult CopyUpgradeOne(const CopyUpgradeCommandOptions& options, SetCache& sets,
                              std::chrono::milliseconds wait, const Target& target,
                              std::ostream& out, bool live) {
  std::ostream& err = ErrorStream(out);
  auto set = sets.For(target.kind);
  if (!set.ok()) return FailedResult(target.display, set.status());
  CopyUpgradeOptions copy;
  copy.upgrade.lock_wait = wait;
  copy.upgrade.allow_unknown = options.allow_unknown;
  copy.recover = options.recover;
  if (!options.to.empty()) {
    auto version = ResolveTarget(**set, options.to);
    if (!version.ok()) {
      err << "ratchet: error: " << version.status().message() << "\n";
      return FailedResult(target.display, version.status());
    }
    copy.upgrade.target = *version;
  }
  const std::string recover = CommandLine("copy-upgrade --recover", options.common, target.display);
  out << fmt::format("Copy-upgrade of {}{}\n", target.display,
                     options.recover ? ", continuing an interrupted run" : "");
  auto reporter = MakeItemReporter(out, live, target.display);
  if (!options.recover && !options.skip_check) {
    Status checked = CheckOriginal(target, *set, copy.upgrade, reporter.get());
    if (!checked.ok()) {
      err << "ratchet: error: " << checked.message() << "\n";
      return WithNext(FailedResult(target.display, checked),
                      CommandLine("copy-upgrade", options.common, target.display));
    }
  }
  auto summary = CopyUpgrade(target, **set, copy, reporter.get());
  if (!summary.ok()) {
    const Status& st = summary.status();
    err << "ratchet: error: " << st.message() << "\n";
    if (const DbError* e = st.db_error(); e && !e->statement.empty()) {
      err << "  statement: " << e->statement.substr(0, 400) << "\n";
    }
    if (st.code() == Code::kUpgradeFailed || st.code() == Code::kConnection) {
      err << "Next: fix the cause, then run: " << recover << "\n";
      return WithNext(FailedResult(target.display, st), recover);
    }
    return FailedResult(target.display, st);
  }
  DatabaseResult result;
  result.database = target.display;
  const std::string cleanup = CommandLine("cleanup --approve", options.common, target.display);
  if (summary->already_swapped) {
    out << fmt::format(
        "Nothing to recover: the copy had already been swapped in; {} holds the "
        "original. Remove it when you no longer need it: {}\n",
        summary->kept, cleanup);
    result.next = cleanup;
    result.label = "swapped";
    result.detail = "swapped earlier; original kept as " + summary->kept;
    return result;
  }
  const std::string& release = summary->upgrade.release;
  out << fmt::format(
      "Copy-upgrade complete: {} is now the upgraded copy{}; the original is kept "
      "as {}.\n",
      target.display, release.empty() ? "" : " at release " + release, summary->kept);
  if (target.kind == EngineKind::kSqlite) {
    out << "Applications must open the file again: a connection opened before the swap still "
           "reads and writes the original.\n";
  }
  out << "Remove the original when you no longer need it: " << cleanup << "\n";
  result.next = cleanup;
  result.label = "swapped";
  result.detail =
      fmt::format("{} item(s) applied on the copy{}; original kept as {}", summary->upgrade.applied,
                  summary->copied_again ? " (copied afresh)" : "", summary->kept);
  return result;
}

int RunCopyUpgrade(const CopyUpgradeCommandOptions& options) {
  auto wait = LockWait(options.common);
  if (!wait.ok()) return ReportError(wait.status());
  // The copy's upgrade parses what it runs, as upgrade does.
  SetCache sets(options.common.set_dir, /*defer_parse=*/true);
  auto targets = TargetsAndSets(options.common, sets);
  if (!targets.ok()) return ReportError(targets.status());
  auto results = RunOnEach(*targets, options.common.jobs,
                           [&](const Target& target, std::ostream& out, bool live) {
                             return CopyUpgradeOne(options, sets, *wait, target, out, live);
                           });
  return Summarize(results, FleetCommandLine("copy-upgrade --recover", options.common), "",
                   FleetCommandLine("cleanup --approve", options.common));
}

}  // namespace

void SetupCopyUpgradeCommand(CLI::App& app, Runner* run) {
  auto options = std::make_shared<CopyUpgradeCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "copy-upgrade",
      "the cautious path: freeze writes, upgrade and verify a copy, swap it in and keep the "
      "original (<file>.old, <db>_old) until 'cleanup --approve'");
  AddCommonOptions(cmd, &options->common);
  AddTargetOptions(cmd, &options->common);
  cmd->add_option("--to", options->to, "stop at this version (V3, V2.1) or release name");
  cmd->add_flag("--allow-unknown", options->allow_unknown,
                "proceed although the database has items this set does not know");
  cmd->add_flag("--recover", options->recover,
                "continue a copy-upgrade that stopped before it finished");
  cmd->add_flag("--skip-check", options->skip_check,
                "do not run the pre-upgrade checks ('ratchet check') on the original first");
  AddJsonFlag(cmd);
  cmd->callback([options, run] { *run = [options] { return RunCopyUpgrade(*options); }; });
}

const CommandRegistration kCopyUpgradeRegistered(35, SetupCopyUpgradeCommand);

}  // namespace ratchet::tool
