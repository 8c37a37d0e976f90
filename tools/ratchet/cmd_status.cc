// `ratchet status`: where one database stands, and what to run next.
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common.h"

namespace ratchet::tool {
namespace {

struct StatusCommandOptions {
  CommonOptions common;
  bool json = false;
};

std::string VersionList(const std::vector<const Item*>& items) {
  std::string out;
  for (const Item* item : items) out += (out.empty() ? "" : ", ") + item->version.ToString();
  return out;
}

std::string NextStep(const DatabaseStatus& st, const StatusCommandOptions& options);

nlohmann::json ToJson(const DatabaseStatus& st, const StatusCommandOptions& options) {
  nlohmann::json j;
  j["database"] = st.database;
  j["engine"] = EngineName(st.engine);
  j["initialized"] = st.initialized;
  j["status"] = st.status;
  j["release"] = st.release.empty() ? nlohmann::json(nullptr) : nlohmann::json(st.release);
  j["upgrade_id"] = st.upgrade_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(st.upgrade_id);
  j["in_flight"] = st.in_flight.empty() ? nlohmann::json(nullptr) : nlohmann::json(st.in_flight);
  j["items"] = nlohmann::json::array();
  for (const AppliedItem& a : st.applied) {
    j["items"].push_back({{"version", a.version.ToString()},
                          {"description", a.description},
                          {"phase", PhaseName(a.phase)},
                          {"checksum", a.checksum},
                          {"applied_at", a.applied_at},
                          {"duration_ms", a.duration_ms}});
  }
  j["pending"] = nlohmann::json::array();
  for (const Item* item : st.plan.pending) {
    j["pending"].push_back({{"version", item->version.ToString()},
                            {"description", item->description},
                            {"file", "items/" + item->file_name},
                            {"optional", item->optional}});
  }
  j["covered"] = nlohmann::json::array();
  for (const Item* item : st.plan.covered) j["covered"].push_back(item->version.ToString());
  j["drift"] = nlohmann::json::array();
  for (const Drift& d : st.plan.drift) {
    j["drift"].push_back({{"version", d.version.ToString()},
                          {"file", "items/" + d.file_name},
                          {"recorded_checksum", d.recorded_checksum},
                          {"current_checksum", d.current_checksum}});
  }
  j["unknown"] = nlohmann::json::array();
  for (const AppliedItem& a : st.plan.unknown) j["unknown"].push_back(a.version.ToString());
  if (st.last_error) {
    const RecordedError& e = *st.last_error;
    j["last_error"] = {{"item", e.version}, {"file", e.file},       {"line", e.line},
                       {"column", e.column}, {"sqlstate", e.sqlstate}, {"message", e.message},
                       {"statement", e.statement}, {"at", e.at}};
  } else {
    j["last_error"] = nullptr;
  }
  j["pivoted"] = st.pivoted;
  j["stopped"] = nullptr;
  if (st.stopped) {
    const StoppedRun& r = *st.stopped;
    j["stopped"] = {
        {"running", r.running},
        {"holder", r.running ? nlohmann::json(r.holder) : nlohmann::json(nullptr)},
        {"item", r.item.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.item)},
        {"file", r.item_file.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.item_file)},
        {"journaled", r.journaled}};
  }
  std::string next = NextStep(st, options);
  j["next"] = next.empty() ? nlohmann::json(nullptr) : nlohmann::json(next);
  return j;
}

// The one command that moves this database on, or "" when nothing is needed.
std::string NextStep(const DatabaseStatus& st, const StatusCommandOptions& options) {
  if (!st.plan.unknown.empty()) {
    return "none automatic: this database has items the set does not know; use the set it was "
           "upgraded with";
  }
  if (st.stopped && st.stopped->running) {
    return "none: a ratchet is running on this database; wait for it to finish, then: " +
           CommandLine("status", options.common, st.database);
  }
  if (!st.plan.drift.empty()) {
    return "restore the changed item files, or accept them: " +
           CommandLine("repair", options.common, st.database);
  }
  if (st.status == "prepared" || st.status == "finalizing") {
    return CommandLine("finalize", options.common, st.database) + "  (or rollback)";
  }
  if (!st.plan.pending.empty() || st.status == "failed-upgrade" || st.status == "upgrading") {
    std::string to =
        st.stopped && !st.stopped->resume_to.empty() ? " --to " + st.stopped->resume_to : "";
    return CommandLine("upgrade", options.common, st.database) + to;
  }
  return "";
}

void PrintText(const DatabaseStatus& st, const StatusCommandOptions& options) {
  auto line = [](const std::string& label, const std::string& value) {
    std::cout << fmt::format("{:<12} {}\n", label + ":", value);
  };
  line("Database", fmt::format("{} ({})", st.database, EngineName(st.engine)));
  if (!st.initialized) {
    line("Status", "new: ratchet has not upgraded this database yet");
  } else if (st.stopped && st.stopped->running) {
    line("Status", st.status + ", in progress: " + st.stopped->holder);
  } else if (st.stopped) {
    line("Status", st.status +
                       ", interrupted: the last run stopped before it finished, and no "
                       "ratchet is running now");
  } else {
    line("Status", st.status);
  }
  line("Release", st.release.empty() ? "(none complete)" : st.release);
  size_t applied = 0, failed = 0;
  for (const AppliedItem& a : st.applied) {
    if (a.phase == Phase::kApplied) ++applied;
    if (a.phase == Phase::kFailed) ++failed;
  }
  std::string applied_text = fmt::format("{} item(s)", applied);
  if (!st.applied.empty()) {
    const AppliedItem* last = nullptr;
    for (const AppliedItem& a : st.applied) {
      if (a.phase == Phase::kApplied) last = &a;
    }
    if (last) applied_text += fmt::format(", last {} at {}", last->version.ToString(), last->applied_at);
  }
  line("Applied", applied_text);
  if (st.plan.pending.empty()) {
    line("Pending", "none");
  } else {
    line("Pending", fmt::format("{} item(s): {}", st.plan.pending.size(), VersionList(st.plan.pending)));
  }
  if (!st.plan.covered.empty()) line("Same-as", "covered: " + VersionList(st.plan.covered));
  if (failed) {
    for (const AppliedItem& a : st.applied) {
      if (a.phase == Phase::kFailed) {
        line("Optional", fmt::format("{} failed (retried next run): {}", a.version.ToString(), a.error));
      }
    }
  }
  if (!st.plan.drift.empty()) {
    for (const Drift& d : st.plan.drift) {
      line("Drift", fmt::format("{} items/{} changed since it was applied", d.version.ToString(),
                                d.file_name));
    }
  }
  if (!st.plan.unknown.empty()) {
    std::string list;
    for (const AppliedItem& a : st.plan.unknown) list += (list.empty() ? "" : ", ") + a.version.ToString();
    line("Unknown", list + " (applied, but not in this set)");
  }
  if (st.stopped && !st.stopped->running) {
    const StoppedRun& r = *st.stopped;
    if (r.item.empty()) {
      line("In flight", "none: the run stopped after its last item, before recording its end");
    } else if (r.journaled) {
      line("In flight", fmt::format("{} ({}), journaled: it runs outside a transaction, so part "
                                    "of it may have run; it will re-run on resume",
                                    r.item, r.item_file));
    } else {
      line("In flight", fmt::format("{} ({}), transactional: whatever it had done was rolled back "
                                    "by the engine; it runs on resume",
                                    r.item, r.item_file));
    }
  } else if (!st.in_flight.empty()) {
    line("In flight", st.in_flight +
                          " was running outside a transaction when the last run stopped; it is "
                          "re-run on resume");
  }
  if (st.stopped || st.pivoted || st.status == "prepared" || st.status == "finalizing") {
    line("Pivoted",
         st.pivoted ? "yes: finalize has run here; rollback is no longer possible" : "no");
  }
  if (st.last_error && st.status == "failed-upgrade") {
    const RecordedError& e = *st.last_error;
    line("Last error", fmt::format("{}:{}:{}: {}{}", e.file, e.line, e.column,
                                   e.sqlstate.empty() ? "" : e.sqlstate + ": ", e.message));
  }
  std::string next = NextStep(st, options);
  if (!next.empty()) line("Next", next);
}

int RunStatus(const StatusCommandOptions& options) {
  auto session = OpenSession(options.common, OpenMode::kMayBeMissing);
  if (!session.ok()) return ReportError(session.status());
  auto st = SessionStatus(*session);
  if (!st.ok()) return ReportError(st.status());
  if (options.json) {
    std::cout << ToJson(*st, options).dump(2) << "\n";
  } else {
    PrintText(*st, options);
  }
  return 0;
}

}  // namespace

void SetupStatusCommand(CLI::App& app, Runner* run) {
  auto options = std::make_shared<StatusCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "status", "show a database's state, release, pending items, drift and last error");
  AddCommonOptions(cmd, &options->common, /*with_lock_wait=*/false);
  cmd->add_flag("--json", options->json, "print JSON for programs");
  cmd->callback([options, run] { *run = [options] { return RunStatus(*options); }; });
}

const CommandRegistration kStatusRegistered(20, SetupStatusCommand);

}  // namespace ratchet::tool
