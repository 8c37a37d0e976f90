// `ratchet status`: where one database stands, and what to run next.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "common.h"
#include "fleet.h"
#include "json_output.h"
#include "ratchet/copy.h"

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

std::string NextStep(const DatabaseStatus& st, const StatusCommandOptions& options,
                     const CopyState* copy);

nlohmann::json CopyJson(const CopyState* copy) {
  if (!copy || (!copy->Unfinished() && copy->kept.empty())) return nullptr;
  auto text = [](const std::string& s) { return s.empty() ? nlohmann::json() : nlohmann::json(s); };
  return {{"unfinished", copy->Unfinished()},
          {"copy", text(copy->copy)},
          {"copy_status", text(copy->copy_status)},
          {"frozen", copy->frozen},
          {"kept", text(copy->kept)}};
}

nlohmann::json ToJson(const DatabaseStatus& st, const StatusCommandOptions& options,
                      const CopyState* copy) {
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
  j["pivoted"] = st.pivoted;
  j["bookkeeping_format"] = st.bookkeeping_format;
  j["prepared_at"] =
      st.prepared_at.empty() ? nlohmann::json(nullptr) : nlohmann::json(st.prepared_at);
  j["finalized_at"] =
      st.finalized_at.empty() ? nlohmann::json(nullptr) : nlohmann::json(st.finalized_at);
  j["frozen_since"] =
      st.frozen_since.empty() ? nlohmann::json(nullptr) : nlohmann::json(st.frozen_since);
  if (st.last_error) {
    const RecordedError& e = *st.last_error;
    j["last_error"] = {{"item", e.version},        {"file", e.file},
                       {"line", e.line},           {"column", e.column},
                       {"sqlstate", e.sqlstate},   {"message", e.message},
                       {"statement", e.statement}, {"at", e.at}};
  } else {
    j["last_error"] = nullptr;
  }
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
  j["copy_upgrade"] = CopyJson(copy);
  std::string next = NextStep(st, options, copy);
  j["next"] = next.empty() ? nlohmann::json(nullptr) : nlohmann::json(next);
  return j;
}

// The one command that moves this database on, or "" when nothing is needed.
std::string NextStep(const DatabaseStatus& st, const StatusCommandOptions& options,
                     const CopyState* copy) {
  if (copy && copy->Unfinished()) {
    return CommandLine("copy-upgrade --recover", options.common, st.database);
  }
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
    return CommandLine("finalize", options.common, st.database) +
           "  (or undo prepare: " + CommandLine("rollback", options.common, st.database) + ")";
  }
  // A run that stopped is resumed aiming where it aimed.
  std::string to =
      st.stopped && !st.stopped->resume_to.empty() ? " --to " + st.stopped->resume_to : "";
  if (st.status == "rolling-back") {
    return CommandLine("rollback", options.common, st.database) + "  (to complete it)";
  }
  if (st.status == "preparing" || st.status == "failed-prepare") {
    return CommandLine("prepare", options.common, st.database) + to +
           "  (to complete it; or undo: " + CommandLine("rollback", options.common, st.database) +
           ")";
  }
  if (!st.plan.pending.empty() || st.status == "failed-upgrade" || st.status == "upgrading") {
    return CommandLine("upgrade", options.common, st.database) + to;
  }
  return "";
}

// Where a recorded error happened: "file:line:column" when a statement of
// the file failed, the file alone when the item failed as a whole (it was
// stopped, or its connection lost), or the version when not even that is
// known. Never an empty name or ":0:0".
std::string ErrorPlace(const RecordedError& e) {
  std::string where = !e.file.empty() ? e.file : e.version.empty() ? "the item" : e.version;
  if (e.line <= 0 || e.file.empty()) return where;
  return fmt::format("{}:{}:{}", where, e.line, std::max(e.column, 1));
}

// The copy-upgrade lines of a database's status, if any.
void PrintCopy(const CopyState& copy, const StatusCommandOptions& options,
               const std::function<void(const std::string&, const std::string&)>& line) {
  if (copy.Unfinished()) {
    line("Copy", fmt::format("copy-upgrade has not finished (it is running, or it stopped "
                             "before its swap): {}{}",
                             copy.copy.empty() ? "no copy yet"
                                               : fmt::format("copy {} (its state: {})", copy.copy,
                                                             copy.copy_status),
                             copy.frozen ? "; the original is closed to connections" : ""));
  } else if (!copy.kept.empty()) {
    line("Original", fmt::format("kept as {} by copy-upgrade; remove it with: {}", copy.kept,
                                 CommandLine("cleanup --approve", options.common, copy.database)));
  }
}

void PrintText(const DatabaseStatus& st, const StatusCommandOptions& options,
               const CopyState* copy) {
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
  if (st.initialized && st.bookkeeping_format < kBookkeepingFormat) {
    line("Bookkeeping",
         fmt::format("format {}, written by an earlier ratchet: the next upgrade, prepare, "
                     "repair or baseline brings it to format {}",
                     st.bookkeeping_format, kBookkeepingFormat));
  }
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
    if (last)
      applied_text += fmt::format(", last {} at {}", last->version.ToString(), last->applied_at);
  }
  line("Applied", applied_text);
  std::vector<const Item*> prepared, pending;
  for (const Item* item : st.plan.pending) {
    bool is_prepared = std::any_of(st.applied.begin(), st.applied.end(), [&](const AppliedItem& a) {
      return a.version == item->version && a.phase == Phase::kPrepared;
    });
    (is_prepared ? prepared : pending).push_back(item);
  }
  if (!prepared.empty()) {
    line("Prepared",
         fmt::format("{} item(s) wait for finalize: {}{}", prepared.size(), VersionList(prepared),
                     st.prepared_at.empty() ? "" : " (prepared " + st.prepared_at + ")"));
  }
  if (pending.empty()) {
    line("Pending", "none");
  } else {
    line("Pending", fmt::format("{} item(s): {}", pending.size(), VersionList(pending)));
  }
  if (!st.frozen_since.empty()) {
    line("Freeze", fmt::format("DDL frozen since {} by upgrade {}: other sessions' schema "
                               "changes are refused",
                               st.frozen_since, st.frozen_by));
  }
  if (!st.plan.covered.empty()) line("Same-as", "covered: " + VersionList(st.plan.covered));
  if (failed) {
    for (const AppliedItem& a : st.applied) {
      if (a.phase == Phase::kFailed) {
        line("Optional",
             fmt::format("{} failed (retried next run): {}", a.version.ToString(), a.error));
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
    for (const AppliedItem& a : st.plan.unknown)
      list += (list.empty() ? "" : ", ") + a.version.ToString();
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
  if (st.stopped || st.pivoted || st.status == "prepared" || st.status == "finalizing" ||
      st.status == "preparing" || st.status == "failed-prepare") {
    line("Pivoted", st.pivoted ? fmt::format("yes: finalize committed at {}; rollback is no "
                                             "longer possible",
                                             st.finalized_at)
                               : "no");
  }
  if (st.last_error &&
      (st.status == "failed-upgrade" || st.status == "failed-prepare" || st.status == "prepared")) {
    const RecordedError& e = *st.last_error;
    line("Last error", fmt::format("{}: {}{}", ErrorPlace(e),
                                   e.sqlstate.empty() ? "" : e.sqlstate + ": ", e.message));
  }
  if (copy) PrintCopy(*copy, options, line);
  std::string next = NextStep(st, options, copy);
  if (!next.empty()) line("Next", next);
}

// The status of a PostgreSQL database that an unfinished copy-upgrade
// closed to connections, from the server's catalog: into `json` when given,
// else printed.
void PrintClosedByCopy(const Target& target, const CopyState& copy,
                       const StatusCommandOptions& options, nlohmann::json* json) {
  std::string next = CommandLine("copy-upgrade --recover", options.common, target.display);
  if (json) {
    *json = {{"database", target.display},
             {"engine", EngineName(target.kind)},
             {"status", "closed"},
             {"copy_upgrade", CopyJson(&copy)},
             {"next", next}};
    return;
  }
  auto line = [](const std::string& label, const std::string& value) {
    std::cout << fmt::format("{:<12} {}\n", label + ":", value);
  };
  line("Database", fmt::format("{} ({})", target.display, EngineName(target.kind)));
  line("Status", "closed to connections by copy-upgrade, which has not finished");
  PrintCopy(copy, options, line);
  line("Next", next);
}

// One line's worth of a database's status, for the multi-database view.
DatabaseResult Summary(const DatabaseStatus& st) {
  DatabaseResult r;
  r.database = st.database;
  r.label = st.initialized ? st.status : "new";
  r.detail = st.release.empty() ? "no release complete" : "release " + st.release;
  r.detail += fmt::format("; {} pending", st.plan.pending.size());
  if (!st.plan.drift.empty()) r.detail += fmt::format("; {} drifted", st.plan.drift.size());
  if (!st.plan.unknown.empty()) r.detail += fmt::format("; {} unknown", st.plan.unknown.size());
  if (!st.frozen_since.empty()) r.detail += "; DDL frozen";
  if (st.last_error && st.status != "active") {
    r.detail += fmt::format("; {}: {}", ErrorPlace(*st.last_error),
                            st.last_error->message.substr(0, st.last_error->message.find('\n')));
  }
  return r;
}

int RunStatus(const StatusCommandOptions& options) {
  // Status shows no statement: it parses nothing.
  SetCache sets(options.common.set_dir, /*defer_parse=*/true);
  auto targets = TargetsAndSets(options.common, sets);
  if (!targets.ok()) return ReportError(targets.status());
  std::vector<nlohmann::json> json(targets->size());
  auto results = RunOnEach(
      *targets, options.common.jobs,
      [&](const Target& target, std::ostream& out, bool) {
        size_t index = &target - targets->data();
        auto set = sets.For(target.kind);
        Result<Session> session =
            set.ok() ? OpenTarget(target, *set, OpenMode::kMayBeMissing) : set.status();
        if (!session.ok()) {
          // A PostgreSQL database copy-upgrade closed to connections.
          auto copy = ReadCopyState(target, {});
          if (copy.ok() && copy->Unfinished()) {
            if (targets->size() == 1 || options.json) {
              PrintClosedByCopy(target, *copy, options, options.json ? &json[index] : nullptr);
            }
            DatabaseResult closed;
            closed.database = target.display;
            closed.label = "closed";
            closed.detail = "copy-upgrade has not finished";
            return closed;
          }
          ErrorStream(out) << "ratchet: error: " << session.status().message() << "\n";
          return FailedResult(target.display, session.status());
        }
        auto st = SessionStatus(*session);
        if (!st.ok()) {
          ErrorStream(out) << "ratchet: error: " << st.status().message() << "\n";
          return FailedResult(target.display, st.status());
        }
        auto copy = ReadCopyState(target, {}, session->conn.get());
        if (!copy.ok()) {
          ErrorStream(out) << "ratchet: error: " << copy.status().message() << "\n";
          return FailedResult(target.display, copy.status());
        }
        if (options.json) {
          json[index] = ToJson(*st, options, &*copy);
        } else if (targets->size() == 1) {
          PrintText(*st, options, &*copy);
        }
        return Summary(*st);
      },
      /*progress=*/!options.json);
  if (options.json) {
    // One status object a database (an error object for one that could not
    // be read), and with several databases a summary.
    int code = 0;
    std::map<std::string, size_t> outcomes;
    size_t failed = 0;
    for (size_t i = 0; i < results.size(); ++i) {
      const DatabaseResult& r = results[i];
      code = std::max(code, r.exit_code);
      ++outcomes[r.label];
      if (r.exit_code == 0) {
        nlohmann::ordered_json fields = Ordered(json[i]);
        fields["exit_code"] = 0;
        EmitJson("status", fields);
        continue;
      }
      ++failed;
      EmitJson("error", {{"database", r.database},
                         {"exit_code", r.exit_code},
                         {"error", ErrorFields(r.error)},
                         {"next", TextOrNull(FleetCommandLine("status", options.common))}});
    }
    if (results.size() > 1) {
      EmitJson("summary", {{"databases", results.size()},
                           {"failed", failed},
                           {"outcomes", outcomes},
                           {"exit_code", code},
                           {"next", nullptr}});
    }
    return code;
  }
  return Summarize(results, FleetCommandLine("status", options.common));
}

}  // namespace

void SetupStatusCommand(CLI::App& app, Runner* run) {
  auto options = std::make_shared<StatusCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "status", "show a database's state, release, pending items, drift and last error");
  AddCommonOptions(cmd, &options->common, /*with_lock_wait=*/false);
  AddTargetOptions(cmd, &options->common);
  AddJsonFlag(cmd, &options->json);
  cmd->callback([options, run] { *run = [options] { return RunStatus(*options); }; });
}

const CommandRegistration kStatusRegistered(20, SetupStatusCommand);

}  // namespace ratchet::tool
