// `ratchet upgrade`: brings one database up to the head (or --to) of the set.
#include <iostream>

#include <fmt/format.h>

#include "common.h"

namespace ratchet::tool {
namespace {

struct UpgradeCommandOptions {
  CommonOptions common;
  std::string to;
  bool allow_unknown = false;
};

// Prints one aligned line per item, ending in ok/failed and the time. On a
// terminal the item's line appears when it starts, so a long item shows
// what is running.
class LineReporter : public Reporter {
 public:
  void ItemStarted(const Item& item, size_t index, size_t count) override {
    width_ = std::to_string(count).size();
    prefix_ = fmt::format("  [{:>{}}/{}] {:<7} {:<40} ", index, width_, count,
                          item.version.ToString(), Shorten(item.description, 40));
    if (IsTerminal()) {
      std::cout << prefix_ << std::flush;
      open_ = true;
    }
  }

  void ItemFinished(const Item& item, ItemOutcome outcome, std::chrono::milliseconds elapsed,
                    const Status& error) override {
    if (!open_) std::cout << prefix_;
    open_ = false;
    switch (outcome) {
      case ItemOutcome::kApplied:
        std::cout << fmt::format("ok      {:>7}\n", FormatMs(elapsed));
        break;
      case ItemOutcome::kFailed:
        std::cout << fmt::format("failed  {:>7}\n", FormatMs(elapsed));
        break;
      case ItemOutcome::kFailedOptional:
        std::cout << fmt::format("failed  {:>7}  (optional: recorded, retried next run)\n",
                                 FormatMs(elapsed));
        std::cout << "      " << error.message() << "\n";
        break;
      case ItemOutcome::kSkipped:
        std::cout << "skipped           (" << error.message() << ")\n";
        break;
    }
  }

  void Note(const std::string& text) override {
    if (open_) std::cout << "\n";
    open_ = false;
    std::cout << "      " << text << "\n";
    if (IsTerminal()) std::cout << prefix_ << std::flush, open_ = true;
  }

 private:
  static std::string Shorten(const std::string& s, size_t n) {
    return s.size() <= n ? s : s.substr(0, n - 3) + "...";
  }
  static std::string FormatMs(std::chrono::milliseconds ms) {
    if (ms.count() < 10000) return fmt::format("{} ms", ms.count());
    return fmt::format("{:.1f} s", ms.count() / 1000.0);
  }
  size_t width_ = 1;
  std::string prefix_;
  bool open_ = false;
};

int RunUpgrade(const UpgradeCommandOptions& options) {
  auto wait = LockWait(options.common);
  if (!wait.ok()) return ReportError(wait.status());
  auto session = OpenSession(options.common, OpenMode::kCreate);
  if (!session.ok()) return ReportError(session.status());
  UpgradeOptions upgrade;
  upgrade.lock_wait = *wait;
  upgrade.allow_unknown = options.allow_unknown;
  if (!options.to.empty()) {
    auto target = ResolveTarget(session->set, options.to);
    if (!target.ok()) return ReportError(target.status());
    upgrade.target = *target;
  }
  Connection& conn = *session->conn;
  std::cout << fmt::format("Upgrading {} with {} ({} item file(s))\n", conn.display_name(),
                           session->set.project.name.empty() ? session->set.dir.string()
                                                             : session->set.project.name,
                           session->set.items.size());
  LineReporter reporter;
  auto summary = Upgrade(conn, session->set, upgrade, &reporter);
  std::string again = CommandLine("upgrade", options.common, conn.display_name());
  if (!summary.ok()) {
    const Status& s = summary.status();
    int code = ReportError(s);
    if (const DbError* e = s.db_error(); e && !e->statement.empty()) {
      std::string statement = e->statement.size() > 400 ? e->statement.substr(0, 400) + " ..."
                                                        : e->statement;
      std::cerr << "  statement: " << statement << "\n";
    }
    const bool connection_lost = s.db_error() && s.db_error()->sqlstate.rfind("08", 0) == 0;
    if (s.code() == Code::kUpgradeFailed && connection_lost) {
      std::cerr << "Next: when the database can be reached again, run: " << again << "\n";
    } else if (s.code() == Code::kUpgradeFailed) {
      std::cerr << "The failed item was rolled back; items before it stay applied. "
                   "The database is marked failed-upgrade.\n"
                << "Next: fix " << (s.db_error() ? s.db_error()->file : std::string("the item"))
                << ", then run: " << again << "\n";
    } else if (s.code() == Code::kLockBusy) {
      std::cerr << "Nothing was changed. Next: run again when the other upgrade has finished: "
                << again << "\n";
    }
    return code;
  }
  if (summary->applied == 0 && summary->failed_optional == 0 && summary->skipped == 0) {
    std::cout << fmt::format("Nothing to do: {} is up to date{}.\n", conn.display_name(),
                             summary->release.empty() ? "" : " at release " + summary->release);
    return 0;
  }
  std::cout << fmt::format("Upgrade complete: {} item(s) applied", summary->applied);
  if (summary->covered) std::cout << fmt::format(", {} already present via same-as", summary->covered);
  std::cout << fmt::format("; {} is {}.\n", conn.display_name(),
                           summary->release.empty() ? "up to date"
                                                    : "at release " + summary->release);
  if (summary->failed_optional || summary->skipped) {
    std::cout << fmt::format(
        "{} optional item(s) failed and {} were skipped; they are retried by: {}\n",
        summary->failed_optional, summary->skipped, again);
  }
  return 0;
}

}  // namespace

void SetupUpgradeCommand(CLI::App& app, Runner* run) {
  auto options = std::make_shared<UpgradeCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "upgrade", "apply every pending item, each in one transaction with its bookkeeping row");
  AddCommonOptions(cmd, &options->common);
  cmd->add_option("--to", options->to, "stop at this version (V3, V2.1) or release name");
  cmd->add_flag("--allow-unknown", options->allow_unknown,
                "proceed although the database has items this set does not know");
  cmd->callback([options, run] { *run = [options] { return RunUpgrade(*options); }; });
}

const CommandRegistration kUpgradeRegistered(10, SetupUpgradeCommand);

}  // namespace ratchet::tool
