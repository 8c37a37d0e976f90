// Finding the databases a run works on, and the set it loads once per engine.
#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "ratchet/fleet.h"
#include "set/project_file.h"

namespace ratchet {
namespace {

// The database named without `dbs`: RATCHET_DB, then db in ratchet.toml
// (relative to the set); nullopt when neither is set.
Result<std::optional<Target>> DefaultTarget(const TargetOptions& options) {
  if (const char* env = std::getenv("RATCHET_DB"); env && *env) {
    auto target = ParseTarget(env);
    if (!target.ok()) return target.status().WithContext("RATCHET_DB");
    return std::optional<Target>(*target);
  }
  // Only ratchet.toml names the database: the items are read and checked
  // once, when the command loads the set, not here as well.
  std::filesystem::path toml = options.set_dir / "ratchet.toml";
  std::error_code ec;
  if (!std::filesystem::exists(toml, ec)) {
    return LoadUpgradeSet(options.set_dir).status();  // says what is missing and what to do
  }
  Project project;
  std::vector<int> release_lines;
  RATCHET_RETURN_IF_ERROR(ReadProjectFile(toml, &project, &release_lines));
  if (project.default_db.empty()) return std::optional<Target>();
  auto target = ParseTarget(project.default_db);
  if (!target.ok()) return target.status().WithContext("ratchet.toml: db");
  if (target->kind == EngineKind::kSqlite) {
    // A path in ratchet.toml is relative to the set, not to where ratchet runs.
    std::filesystem::path p(target->conninfo);
    if (p.is_relative()) {
      target->conninfo = (options.set_dir / p).lexically_normal().string();
      target->display = "sqlite:" + target->conninfo;
    }
  }
  return std::optional<Target>(*target);
}

const char* kNoDatabase =
    "no database given: pass --db sqlite:app.db (or a postgresql:// URL), set RATCHET_DB, or "
    "write db = \"...\" under [project] in ratchet.toml";

// The databases the lines of `options.targets_file` name.
Result<std::vector<Target>> ReadTargetsFile(const TargetOptions& options) {
  std::ifstream in(options.targets_file, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  // Nothing read from a file that is not empty: it is unreadable (a folder).
  std::error_code size_error;
  if (!in || (text.fail() && std::filesystem::file_size(options.targets_file, size_error) != 0)) {
    return Status(Code::kInvalidArgument, fmt::format("--targets {}: cannot read the file: {}",
                                                      options.targets_file, std::strerror(errno)));
  }
  return ParseTargetsFile(text.str(), options.targets_file);
}

// The databases matching `options.databases` on the one server that `dbs`
// (or the default) names.
Result<std::vector<Target>> MatchingDatabases(const TargetOptions& options,
                                              const std::vector<Target>& listed) {
  std::optional<Target> server;
  if (options.dbs.size() == 1) {
    server = listed.front();
  } else if (options.dbs.empty()) {
    auto fallback = DefaultTarget(options);
    if (!fallback.ok()) return fallback.status();
    server = *fallback;
  }
  if (!server || !options.targets_file.empty()) {
    return Status(Code::kInvalidArgument,
                  "--databases needs exactly one server: pass one --db postgresql://host/any_db "
                  "and no --targets");
  }
  ConnectOptions connect;
  auto found = ListDatabases(*server, options.databases, connect);
  if (!found.ok()) return found.status().WithContext("--databases " + options.databases);
  if (found->empty()) {
    return Status(Code::kInvalidArgument,
                  fmt::format("--databases {}: no database on {} matches (the pattern is SQL "
                              "LIKE: % for any text, _ for one character)",
                              options.databases, server->display));
  }
  return found;
}

}  // namespace

Result<std::vector<Target>> ResolveTargets(const TargetOptions& options) {
  std::vector<Target> listed;
  for (const std::string& db : options.dbs) {
    auto target = ParseTarget(db);
    if (!target.ok()) return target.status().WithContext("--db");
    listed.push_back(*target);
  }
  if (!options.targets_file.empty()) {
    auto from_file = ReadTargetsFile(options);
    if (!from_file.ok()) return from_file.status();
    listed.insert(listed.end(), from_file->begin(), from_file->end());
  }
  if (!options.databases.empty()) {
    auto matching = MatchingDatabases(options, listed);
    if (!matching.ok()) return matching.status();
    listed = std::move(*matching);
  }
  if (listed.empty()) {
    auto fallback = DefaultTarget(options);
    if (!fallback.ok()) return fallback.status();
    if (!*fallback) return Status(Code::kInvalidArgument, kNoDatabase);
    listed.push_back(**fallback);
  }
  std::vector<Target> out;
  std::set<std::pair<EngineKind, std::string>> seen;
  for (Target& t : listed) {
    if (seen.insert({t.kind, t.conninfo}).second) out.push_back(std::move(t));
  }
  return out;
}

Result<std::shared_ptr<const UpgradeSet>> SetCache::For(EngineKind engine) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = sets_.find(engine);
  if (it != sets_.end()) return it->second;
  LoadOptions load;
  load.parse_for = engine;
  load.defer_parse = defer_parse_;
  auto set = LoadUpgradeSet(dir_, load);
  if (!set.ok()) return set.status();
  auto shared = std::make_shared<const UpgradeSet>(std::move(*set));
  sets_[engine] = shared;
  return std::shared_ptr<const UpgradeSet>(shared);
}

Status LoadSetsFor(const std::vector<Target>& targets, SetCache& sets) {
  for (const Target& t : targets) {
    auto set = sets.For(t.kind);
    if (!set.ok()) return set.status();
  }
  return Status::Ok();
}

}  // namespace ratchet
