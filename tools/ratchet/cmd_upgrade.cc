// `ratchet upgrade`: brings each database up to the head (or --to) of the set.
#include <fmt/format.h>

#include <iostream>

#include "common.h"
#include "fleet.h"
#include "json_output.h"

namespace ratchet::tool {
namespace {

struct UpgradeCommandOptions {
  CommonOptions common;
  std::string to;
  bool allow_unknown = false;
  bool skip_check = false;
};

// Whether the item that `failure` names ran outside a transaction, so that
// what it did before its failing statement stays.
bool FailedItemRanOutsideATransaction(const UpgradeSet& set, const Status& failure) {
  const DbError* e = failure.db_error();
  if (e == nullptr) return false;
  for (const Item& item : set.items) {
    if ("items/" + item.file_name != e->file) continue;
    if (item.transaction == TransactionMode::kNone) return true;
    for (const Section& section : item.sections) {
      if (section.non_transactional) return true;
    }
  }
  return false;
}

// Upgrades one database, writing its item lines to `out`.
DatabaseResult UpgradeOne(const UpgradeCommandOptions& options, SetCache& sets,
                          std::chrono::milliseconds wait, const Target& target, std::ostream& out,
                          bool live, const std::string& again) {
  auto set = sets.For(target.kind);
  if (!set.ok()) return FailedResult(target.display, set.status());
  auto session = OpenTarget(target, *set, OpenMode::kCreate);
  if (!session.ok()) {
    // A mistake in the set is the one to fix first, as without deferral.
    Status parse = ParseAll(**set, target.kind);
    const Status& first = parse.ok() ? session.status() : parse;
    ErrorStream(out) << "ratchet: error: " << first.message() << "\n";
    return WithNext(FailedResult(target.display, first), again);
  }
  UpgradeOptions upgrade;
  upgrade.lock_wait = wait;
  upgrade.allow_unknown = options.allow_unknown;
  if (!options.to.empty()) {
    auto version = ResolveTarget(**set, options.to);
    if (!version.ok()) {
      ErrorStream(out) << "ratchet: error: " << version.status().message() << "\n";
      return FailedResult(target.display, version.status());
    }
    upgrade.target = *version;
  }
  Connection& conn = *session->conn;
  const UpgradeSet& s = **set;
  out << fmt::format("Upgrading {} with {} ({} item file(s))\n", conn.display_name(),
                     s.project.name.empty() ? s.dir.string() : s.project.name, s.items.size());
  auto reporter = MakeItemReporter(out, live, conn.display_name());
  // The checks run inside the upgrade, on the bookkeeping it reads under its
  // lock: a run with nothing pending reads the bookkeeping once.
  upgrade.run_checks = !options.skip_check;
  auto summary = Upgrade(conn, s, upgrade, reporter.get());
  if (!summary.ok()) {
    const Status& st = summary.status();
    if (st.code() == Code::kCheckFailed) {
      ErrorStream(out) << "ratchet: error: " << st.message() << "\n";
      // The findings are what `ratchet check` reports.
      return WithNext(FailedResult(conn.display_name(), st),
                      CommandLine("check", options.common, conn.display_name()));
    }
    std::string next;
    std::ostream& err = ErrorStream(out);
    err << "ratchet: error: " << st.message() << "\n";
    if (const DbError* e = st.db_error(); e && !e->statement.empty()) {
      std::string statement =
          e->statement.size() > 400 ? e->statement.substr(0, 400) + " ..." : e->statement;
      err << "  statement: " << statement << "\n";
    }
    const bool connection_lost = st.db_error() && st.db_error()->sqlstate.rfind("08", 0) == 0;
    if (st.code() == Code::kUpgradeFailed && connection_lost) {
      next = again;
      err << "Next: when the database can be reached again, run: " << again << "\n";
    } else if (st.code() == Code::kUpgradeFailed) {
      // An item that runs statement by statement keeps what ran before the
      // failing statement (its message says which); any other is undone.
      // The state is read back, not assumed: the failure may have kept
      // ratchet from recording it (a full disk, bookkeeping not created).
      auto now = ReadStatus(conn, s);
      std::string marked = !now.ok() ? "ratchet could not read the database's state back: " +
                                           now.status().message().substr(0, 200)
                           : now->status == "failed-upgrade"
                               ? std::string("The database is marked failed-upgrade.")
                               : fmt::format(
                                     "The failure could not be recorded: the database's status is "
                                     "still {}; 'ratchet status' shows where it stands.",
                                     now->status);
      err << (FailedItemRanOutsideATransaction(s, st)
                  ? "Items before it stay applied. "
                  : "The failed item was rolled back; items before it stay applied. ")
          << marked << "\n";
      if (st.db_error() && st.db_error()->sqlstate == "55P03") {
        err << "Next: the item is not at fault; when the sessions named above have ended, "
               "run: "
            << again << "\n";
        return WithNext(FailedResult(conn.display_name(), st), again);
      }
      next = again;
      err << "Next: fix "
          << (st.db_error() && !st.db_error()->file.empty() ? st.db_error()->file
                                                            : std::string("the failed item"))
          << ", then run: " << again << "\n";
    } else if (st.code() == Code::kInterrupted) {
      // What stays is read back from the database, not inferred.
      auto now = ReadStatus(conn, s);
      if (now.ok()) {
        err << fmt::format(
            "The database now has {} item(s) applied and {} pending{}; the statement that was "
            "running was cancelled on the server, and the upgrade lock is released as ratchet "
            "exits.\n",
            now->applied.size(), now->plan.pending.size(),
            now->release.empty() ? "" : fmt::format(" (release {})", now->release));
      }
      err << "Next: run again to go on where it stopped: " << again << "\n";
      next = again;
    } else if (st.code() == Code::kLockBusy) {
      err << "Nothing was changed. Next: run again when the other upgrade has finished: " << again
          << "\n";
      next = again;
    }
    return WithNext(FailedResult(conn.display_name(), st), next);
  }
  DatabaseResult result;
  result.database = conn.display_name();
  std::string at = summary->release.empty() ? "up to date" : "at release " + summary->release;
  if (summary->applied == 0 && summary->failed_optional == 0 && summary->skipped == 0) {
    out << fmt::format("Nothing to do: {} is {}.\n", conn.display_name(), at);
    result.label = "up to date";
    result.detail = at;
    return result;
  }
  out << fmt::format("Upgrade complete: {} item(s) applied", summary->applied);
  if (summary->covered) out << fmt::format(", {} already present via same-as", summary->covered);
  out << fmt::format("; {} is {}.\n", conn.display_name(), at);
  result.label = "upgraded";
  result.detail = fmt::format("{} item(s) applied, {}", summary->applied, at);
  if (summary->failed_optional || summary->skipped) {
    out << fmt::format("{} optional item(s) failed and {} were skipped; they are retried by: {}\n",
                       summary->failed_optional, summary->skipped, again);
    result.detail +=
        fmt::format("; {} optional failed, {} skipped", summary->failed_optional, summary->skipped);
  }
  return result;
}

int RunUpgrade(const UpgradeCommandOptions& options) {
  auto wait = LockWait(options.common);
  if (!wait.ok()) return ReportError(wait.status());
  // Only the items a database still needs are parsed, by the library (DESIGN §6).
  SetCache sets(options.common.set_dir, /*defer_parse=*/true);
  auto targets = TargetsAndSets(options.common, sets);
  if (!targets.ok()) return ReportError(targets.status());
  std::string again = FleetCommandLine("upgrade", options.common);
  auto results = RunOnEach(*targets, options.common.jobs,
                           [&](const Target& target, std::ostream& out, bool live) {
                             return UpgradeOne(options, sets, *wait, target, out, live, again);
                           });
  return Summarize(results, again);
}

}  // namespace

void SetupUpgradeCommand(CLI::App& app, Runner* run) {
  auto options = std::make_shared<UpgradeCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "upgrade", "apply every pending item, each in one transaction with its bookkeeping row");
  AddCommonOptions(cmd, &options->common);
  AddTargetOptions(cmd, &options->common);
  cmd->add_option("--to", options->to, "stop at this version (V3, V2.1) or release name");
  cmd->add_flag("--allow-unknown", options->allow_unknown,
                "proceed although the database has items this set does not know");
  cmd->add_flag("--skip-check", options->skip_check,
                "do not run the pre-upgrade checks ('ratchet check') first");
  AddJsonFlag(cmd);
  cmd->callback([options, run] { *run = [options] { return RunUpgrade(*options); }; });
}

const CommandRegistration kUpgradeRegistered(10, SetupUpgradeCommand);

}  // namespace ratchet::tool
