// `ratchet new`: the next version on the main line or on a back-port line.
#include "ratchet/authoring.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>

#include "ratchet/text.h"
#include "set/item_file.h"
#include "set/project_file.h"

namespace ratchet {
namespace fs = std::filesystem;

Result<fs::path> CreateItemFile(const fs::path& dir, const NewItemOptions& options) {
  std::error_code ec;
  fs::path items_dir = dir / "items";
  if (!fs::exists(dir / "ratchet.toml", ec)) {
    return Status(Code::kInvalidSet, fmt::format("{}: no ratchet.toml here: point --set at the "
                                                 "directory of your upgrade set",
                                                 fs::absolute(dir, ec).string()));
  }
  std::string description;
  for (char c : options.description) {
    if (c == ' ' || c == '-') c = '_';
    description.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  // Words of letters and digits, one '_' between two words.
  auto is_word = [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c));
  };
  bool valid = !description.empty() && is_word(description.front()) &&
               is_word(description.back()) && description.find("__") == std::string::npos &&
               std::all_of(description.begin(), description.end(),
                           [&](char c) { return is_word(c) || c == '_'; });
  if (!valid) {
    return Status(Code::kInvalidArgument,
                  fmt::format("description '{}': use letters, digits and single '_' between "
                              "words, e.g. add_isbn_index",
                              Clip(options.description)));
  }
  if (options.ticket.empty() ||
      !std::all_of(options.ticket.begin(), options.ticket.end(),
                   [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    return Status(Code::kInvalidArgument,
                  fmt::format("--ticket {}: a ticket is digits (0 when there is none)",
                              Clip(options.ticket)));
  }
  if (!options.engine.empty() && options.engine != "sqlite" && options.engine != "postgresql") {
    return Status(Code::kInvalidArgument,
                  fmt::format("--engine {}: use sqlite or postgresql", options.engine));
  }

  std::vector<Version> versions;
  if (fs::is_directory(items_dir, ec)) {
    for (const auto& entry : fs::directory_iterator(items_dir, ec)) {
      if (entry.path().extension() != ".sql") continue;
      Item item;
      if (ParseItemFileName(entry.path().filename().string(), &item).ok()) {
        versions.push_back(item.version);
      }
    }
  } else {
    fs::create_directories(items_dir, ec);
    if (ec)
      return Status(Code::kIo,
                    fmt::format("cannot create {}: {}", items_dir.string(), ec.message()));
  }

  Version next;
  if (options.backport) {
    std::optional<Version> base;
    Project project;
    std::vector<int> lines;
    if (ReadProjectFile(dir / "ratchet.toml", &project, &lines).ok()) {
      for (const Release& r : project.releases) {
        if (r.name == *options.backport) base = r.head;
      }
    }
    if (!base) base = Version::Parse(*options.backport);
    if (!base) {
      return Status(Code::kInvalidArgument,
                    fmt::format("--backport {}: name a version (V2) or a release in ratchet.toml",
                                *options.backport));
    }
    next.major = base->major;
    next.minor = 0;
    for (const Version& v : versions) {
      if (v.major == base->major) next.minor = std::max(next.minor, v.minor);
    }
    next.minor += 1;
    if (std::none_of(versions.begin(), versions.end(),
                     [&](const Version& v) { return v.major == base->major; })) {
      return Status(Code::kInvalidArgument,
                    fmt::format("--backport {}: no item has major version {}, so there is no "
                                "line to back-port onto",
                                *options.backport, base->major));
    }
  } else {
    for (const Version& v : versions) next.major = std::max(next.major, v.major);
    next.major += 1;
  }

  std::string name = fmt::format("{}__{}__{}{}.sql", next.ToString(), options.ticket, description,
                                 options.engine.empty() ? "" : "." + options.engine);
  fs::path path = items_dir / name;
  if (fs::exists(path, ec)) {
    return Status(Code::kIo, fmt::format("items/{} already exists", name));
  }
  // "x": exclusive creation, so two `new` runs at once never overwrite.
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "wx"), &std::fclose);
  if (!file)
    return Status(Code::kIo, fmt::format("cannot create items/{}: {}", name, std::strerror(errno)));
  std::string text = fmt::format(
      "-- {}{}: {}\n"
      "-- Directives go above the first statement, e.g.:\n"
      "--   -- ratchet: requires V1\n"
      "-- Without section markers the whole file is the finalize section; for the online\n"
      "-- path use '-- ratchet: prepare', '-- ratchet: finalize' and '-- ratchet: rollback'.\n"
      "-- Until statements are written below, the item runs nothing: an upgrade records it\n"
      "-- applied (editing it later is drift), and 'ratchet lint' warns about it.\n\n",
      next.ToString(), options.ticket == "0" ? "" : " #" + options.ticket, description);
  if (std::fwrite(text.data(), 1, text.size(), file.get()) != text.size() ||
      std::fclose(file.release()) != 0) {
    return Status(Code::kIo, fmt::format("cannot write {}", path.string()));
  }
  return path;
}

namespace {

// The ratchet.toml `ratchet init` writes: every setting, with what it does.
constexpr const char* kProjectTemplate =
    R"(# ratchet.toml: the settings of this upgrade set. Item files go in items/,
# named V<version>__<ticket>__<description>.sql; 'ratchet new <description>'
# writes the next one.
[project]
name = "{name}"
# The engines the items are written for: "sqlite", "postgresql" or both.
engines = ["sqlite", "postgresql"]
# Where ratchet keeps its bookkeeping: a schema on PostgreSQL, a table
# prefix (ratchet_items ...) on SQLite.
history-schema = "ratchet"
# How long a statement may wait for a lock the application holds before it
# gives up and is retried; and how long one statement may run ("0": no limit).
lock-timeout = "5s"
statement-timeout = "10min"
# The database to use when neither --db nor RATCHET_DB names one; a SQLite
# path here is relative to this directory.
# db = "sqlite:app.db"

# A release names the last item of a version of your product. 'ratchet
# upgrade --to 1.0' stops there, and schema/1.0.sql, when present, is the
# fresh-install schema 'ratchet verify' compares the upgrade with.
# [[release]]
# name = "1.0"
# head = "V3"

# What the database server must offer before anything runs ('ratchet check').
# [requirements]
# server-version = ">= 14"
# extensions = ["pgcrypto"]
)";

}  // namespace

Status CreateUpgradeSet(const fs::path& dir, const std::string& name) {
  std::error_code ec;
  if (fs::exists(dir / "ratchet.toml", ec) || fs::exists(dir / "items", ec)) {
    return Status(Code::kRefused,
                  fmt::format("{} already holds an upgrade set (ratchet.toml or items/): "
                              "nothing was written; choose another directory",
                              dir.string()));
  }
  fs::create_directories(dir / "items", ec);
  if (!ec) fs::create_directories(dir / "schema", ec);
  if (ec) return Status(Code::kIo, fmt::format("cannot create {}: {}", dir.string(), ec.message()));
  std::string project = name;
  if (project.empty()) project = fs::absolute(dir, ec).lexically_normal().filename().string();
  if (project.empty())
    project = fs::absolute(dir, ec).lexically_normal().parent_path().filename().string();
  for (char& c : project) {
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) c = '_';
  }
  std::string text = kProjectTemplate;
  text.replace(text.find("{name}"), 6, project);
  fs::path toml = dir / "ratchet.toml";
  // "x": exclusive creation, so a concurrent init never overwrites.
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(toml.c_str(), "wx"), &std::fclose);
  if (!file) {
    return Status(Code::kIo,
                  fmt::format("cannot create {}: {}", toml.string(), std::strerror(errno)));
  }
  if (std::fwrite(text.data(), 1, text.size(), file.get()) != text.size() ||
      std::fclose(file.release()) != 0) {
    return Status(Code::kIo, fmt::format("cannot write {}", toml.string()));
  }
  return Status::Ok();
}

}  // namespace ratchet
