// `ratchet snapshot`: the schema of one database as ordered, diffable text or
// JSON, and its differences from another database or a saved snapshot.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "common.h"
#include "json_output.h"
#include "ratchet/snapshot.h"

namespace ratchet::tool {
namespace {

namespace fs = std::filesystem;

struct SnapshotCommandOptions {
  CommonOptions common;
  bool json = false;
  std::string diff;
};

// The bookkeeping schema named in the set's ratchet.toml, if there is one.
Result<SnapshotOptions> OptionsFromSet(const CommonOptions& options) {
  SnapshotOptions out;
  if (!fs::exists(fs::path(options.set_dir) / "ratchet.toml")) return out;
  auto set = LoadUpgradeSet(options.set_dir);
  if (!set.ok()) return set.status();
  out.history_schema = set->project.history_schema;
  return out;
}

Result<Snapshot> SnapshotOf(const Target& target, const SnapshotOptions& options) {
  ConnectOptions connect;
  connect.history_schema = options.history_schema;
  connect.create_if_missing = false;
  auto conn = Connect(target, connect);
  if (!conn.ok()) return conn.status();
  return TakeSnapshot(**conn, options);
}

// `other` is a file written by --json, or a database target.
Result<Snapshot> OtherSnapshot(const std::string& other, const SnapshotOptions& options,
                               std::string* label) {
  std::error_code ec;
  if (fs::is_regular_file(other, ec) && other.find(':') == std::string::npos) {
    std::ifstream in(other, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    *label = other;
    auto snapshot = SnapshotFromJson(text.str());
    if (!snapshot.ok()) return snapshot.status().WithContext(other);
    return snapshot;
  }
  auto target = ParseTarget(other);
  if (!target.ok()) {
    return target.status().WithContext(
        "--diff takes a database or a file written by 'ratchet snapshot --json'");
  }
  *label = target->display;
  return SnapshotOf(*target, options);
}

int RunSnapshot(const SnapshotCommandOptions& options) {
  auto targets = ResolveTargets(options.common);
  if (!targets.ok()) return ReportError(targets.status());
  if (targets->size() != 1) {
    return ReportError(
        Status(Code::kInvalidArgument, "snapshot reads one database; compare two with --diff"));
  }
  const Target* target = &targets->front();
  auto snapshot_options = OptionsFromSet(options.common);
  if (!snapshot_options.ok()) return ReportError(snapshot_options.status());
  auto snapshot = SnapshotOf(*target, *snapshot_options);
  if (!snapshot.ok()) return ReportError(snapshot.status());
  if (options.diff.empty() && options.json) {
    // The snapshot document, on one line, as --diff reads it back.
    nlohmann::ordered_json fields = nlohmann::ordered_json::parse(SnapshotToJson(*snapshot));
    fields["database"] = target->display;
    fields["exit_code"] = 0;
    EmitJson("snapshot", fields);
    return 0;
  }
  if (options.diff.empty()) {
    std::cout << FormatSnapshot(*snapshot);
    return 0;
  }
  DiffLabels labels;
  labels.before = target->display;
  auto other = OtherSnapshot(options.diff, *snapshot_options, &labels.after);
  if (!other.ok()) return ReportError(other.status());
  if (other->engine != snapshot->engine) {
    return ReportError(Status(Code::kInvalidArgument,
                              fmt::format("{} is {} and {} is {}: only schemas of one engine "
                                          "can be compared",
                                          labels.before, EngineName(snapshot->engine), labels.after,
                                          EngineName(other->engine))));
  }
  std::vector<Difference> differences = DiffSnapshots(*snapshot, *other);
  const int code = differences.empty() ? 0 : ExitCodeFor(Status(Code::kCheckFailed, ""));
  if (options.json) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const Difference& d : differences) list.push_back(DifferenceJson(d));
    EmitJson("snapshot-diff", {{"before", labels.before},
                               {"after", labels.after},
                               {"engine", EngineName(snapshot->engine)},
                               {"objects", snapshot->objects.size()},
                               {"same", differences.empty()},
                               {"differences", list},
                               {"exit_code", code}});
    return code;
  }
  if (differences.empty()) {
    std::cout << fmt::format("{} and {} have the same schema ({} objects).\n", labels.before,
                             labels.after, snapshot->objects.size());
    return 0;
  }
  std::cout << fmt::format("{} difference(s) from {} to {}:\n", differences.size(), labels.before,
                           labels.after);
  for (const Difference& d : differences) std::cout << "  " << FormatDifference(d, labels) << "\n";
  return ExitCodeFor(Status(Code::kCheckFailed, ""));
}

}  // namespace

void SetupSnapshotCommand(CLI::App& app, Runner* run) {
  auto options = std::make_shared<SnapshotCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "snapshot", "print the schema of a database (ordered, diffable), or diff it with another");
  AddCommonOptions(cmd, &options->common, /*with_lock_wait=*/false);
  cmd->add_flag("--json", options->json,
                "write the snapshot (or the differences) as a JSON line; --diff reads the "
                "snapshot back");
  cmd->add_option("--diff", options->diff,
                  "compare with this database, or with a file written by --json; exits 3 when "
                  "they differ");
  cmd->callback([options, run] { *run = [options] { return RunSnapshot(*options); }; });
}

const CommandRegistration kSnapshotRegistered(90, SetupSnapshotCommand);

}  // namespace ratchet::tool
