// ratchet.toml: project settings, releases and requirements.
#include "set/project_file.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <regex>
#include <set>

#include "ratchet/text.h"

namespace ratchet {
namespace {

std::string Where(const toml::node& node) {
  const auto& begin = node.source().begin;
  return fmt::format("ratchet.toml:{}:{}", begin.line, begin.column);
}

Status Bad(const toml::node& node, const std::string& what) {
  return Status(Code::kInvalidSet, fmt::format("{}: {}", Where(node), what));
}

Status CheckKeys(const toml::table& table, std::string_view table_name,
                 const std::set<std::string>& allowed) {
  for (const auto& [key, node] : table) {
    if (!allowed.count(std::string(key.str()))) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      return Bad(node, fmt::format("unknown key '{}' in {}: the keys are {}", key.str(), table_name,
                                   list));
    }
  }
  return Status::Ok();
}

Status ReadString(const toml::table& table, std::string_view key, std::string* out) {
  const toml::node* node = table.get(key);
  if (!node) return Status::Ok();
  auto value = node->value<std::string>();
  if (!node->is_string() || !value) {
    return Bad(*node, fmt::format("'{}' must be a string, e.g. {} = \"...\"", key, key));
  }
  *out = *value;
  return Status::Ok();
}

Status ReadStringArray(const toml::table& table, std::string_view key,
                       std::vector<std::string>* out) {
  const toml::node* node = table.get(key);
  if (!node) return Status::Ok();
  const toml::array* array = node->as_array();
  if (!array) return Bad(*node, fmt::format("'{}' must be a list of strings, e.g. [\"a\"]", key));
  for (const auto& element : *array) {
    auto value = element.value<std::string>();
    if (!element.is_string() || !value) {
      return Bad(element, fmt::format("'{}' must hold only strings", key));
    }
    out->push_back(*value);
  }
  return Status::Ok();
}

Status ReadDuration(const toml::table& table, std::string_view key,
                    std::chrono::milliseconds* out) {
  const toml::node* node = table.get(key);
  if (!node) return Status::Ok();
  auto text = node->value<std::string>();
  std::optional<std::chrono::milliseconds> ms;
  if (node->is_string() && text) ms = ParseDuration(*text);
  if (!ms) {
    return Bad(*node, fmt::format("'{}' must be a duration string such as \"5s\", \"500ms\", "
                                  "\"10min\" or \"0\", at most \"596h\"",
                                  key));
  }
  *out = *ms;
  return Status::Ok();
}

// [requirements.settings]: a table of setting names and the values they
// must have, each a string: "logical", or a comparison such as ">= 100".
Status ReadSettings(const toml::table& requirements,
                    std::vector<std::pair<std::string, std::string>>* out) {
  const toml::node* node = requirements.get("settings");
  if (!node) return Status::Ok();
  const toml::table* settings = node->as_table();
  if (!settings) {
    return Bad(*node,
               "'settings' must be a table, e.g. [requirements.settings] with "
               "wal_level = \"logical\"");
  }
  // A letter or '_', then letters, digits, '_' and '.'; at most the 63
  // bytes of a PostgreSQL name.
  auto is_setting_name = [](std::string_view name) {
    if (name.empty() || name.size() > 63) return false;
    if (!std::isalpha(static_cast<unsigned char>(name[0])) && name[0] != '_') return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
    });
  };
  for (const auto& [key, value] : *settings) {
    std::string name(key.str());
    auto text = value.value<std::string>();
    if (!is_setting_name(name)) {
      return Bad(value, fmt::format("setting '{}' is not a setting name: a letter or '_', then "
                                    "letters, digits, '_' and '.', at most 63 bytes",
                                    Clip(name)));
    }
    if (!value.is_string() || !text) {
      return Bad(value, fmt::format("setting '{}' must be a string: the value it must have, e.g. "
                                    "\"on\", or a comparison such as \">= 100\"",
                                    name));
    }
    out->emplace_back(name, *text);
  }
  return Status::Ok();
}

Status SyntaxError(const toml::parse_error& e) {
  const auto& begin = e.source().begin;
  return Status(Code::kInvalidSet, fmt::format("ratchet.toml:{}:{}: {}: fix the TOML syntax",
                                               begin.line, begin.column, e.description()));
}

// Reads the settings of the parsed file `root` into `project`.
Status ReadProjectTable(const toml::table& root, Project* project,
                        std::vector<int>* release_lines) {
  RATCHET_RETURN_IF_ERROR(CheckKeys(root, "ratchet.toml", {"project", "release", "requirements"}));

  if (const toml::node* node = root.get("project")) {
    const toml::table* t = node->as_table();
    if (!t) return Bad(*node, "[project] must be a table");
    RATCHET_RETURN_IF_ERROR(CheckKeys(*t, "[project]",
                                      {"name", "engines", "history-schema", "lock-timeout",
                                       "statement-timeout", "sqlite-commit-interval", "db"}));
    RATCHET_RETURN_IF_ERROR(ReadString(*t, "name", &project->name));
    RATCHET_RETURN_IF_ERROR(ReadStringArray(*t, "engines", &project->engines));
    for (const auto& e : project->engines) {
      if (e != "sqlite" && e != "postgresql") {
        return Bad(*t->get("engines"),
                   fmt::format("unknown engine '{}': use \"sqlite\" and/or \"postgresql\"", e));
      }
    }
    RATCHET_RETURN_IF_ERROR(ReadString(*t, "history-schema", &project->history_schema));
    static const std::regex kIdentifier("[a-z_][a-z0-9_]{0,50}");
    if (!std::regex_match(project->history_schema, kIdentifier)) {
      return Bad(*t->get("history-schema"),
                 "'history-schema' must be a lower-case identifier ([a-z_][a-z0-9_]*)");
    }
    RATCHET_RETURN_IF_ERROR(ReadDuration(*t, "lock-timeout", &project->lock_timeout));
    RATCHET_RETURN_IF_ERROR(ReadDuration(*t, "statement-timeout", &project->statement_timeout));
    RATCHET_RETURN_IF_ERROR(
        ReadDuration(*t, "sqlite-commit-interval", &project->sqlite_commit_interval));
    RATCHET_RETURN_IF_ERROR(ReadString(*t, "db", &project->default_db));
  }

  if (const toml::node* node = root.get("requirements")) {
    const toml::table* t = node->as_table();
    if (!t) return Bad(*node, "[requirements] must be a table");
    RATCHET_RETURN_IF_ERROR(
        CheckKeys(*t, "[requirements]", {"server-version", "extensions", "settings"}));
    RATCHET_RETURN_IF_ERROR(ReadString(*t, "server-version", &project->min_server_version));
    RATCHET_RETURN_IF_ERROR(ReadStringArray(*t, "extensions", &project->required_extensions));
    RATCHET_RETURN_IF_ERROR(ReadSettings(*t, &project->required_settings));
  }

  if (const toml::node* node = root.get("release")) {
    const toml::array* releases = node->as_array();
    if (!releases) {
      return Bad(*node, "releases are written as [[release]] tables with name and head");
    }
    std::set<std::string> names;
    for (const auto& element : *releases) {
      const toml::table* t = element.as_table();
      if (!t) return Bad(element, "each [[release]] must be a table with name and head");
      RATCHET_RETURN_IF_ERROR(CheckKeys(*t, "[[release]]", {"name", "head"}));
      Release release;
      std::string head;
      RATCHET_RETURN_IF_ERROR(ReadString(*t, "name", &release.name));
      RATCHET_RETURN_IF_ERROR(ReadString(*t, "head", &head));
      if (release.name.empty())
        return Bad(element, "a [[release]] needs a name, e.g. name = \"1.0\"");
      if (head.empty()) {
        return Bad(element, fmt::format("release '{}' needs a head version, e.g. head = \"V3\"",
                                        release.name));
      }
      auto version = Version::Parse(head);
      if (!version) {
        return Bad(*t->get("head"),
                   fmt::format("release '{}': head '{}' is not a version: write e.g. \"V3\" or "
                               "\"V2.1\"",
                               release.name, head));
      }
      release.head = *version;
      if (!names.insert(release.name).second) {
        return Bad(element, fmt::format("release '{}' is declared twice", release.name));
      }
      project->releases.push_back(std::move(release));
      release_lines->push_back(static_cast<int>(t->source().begin.line));
    }
  }
  return Status::Ok();
}

}  // namespace

Status ReadProjectFile(const std::filesystem::path& path, Project* project,
                       std::vector<int>* release_lines) {
  toml::table root;
  try {
    root = toml::parse_file(path.string());
  } catch (const toml::parse_error& e) {
    return SyntaxError(e);
  }
  return ReadProjectTable(root, project, release_lines);
}

Status ParseProjectText(std::string_view text, Project* project, std::vector<int>* release_lines) {
  toml::table root;
  try {
    root = toml::parse(text, std::string_view("ratchet.toml"));
  } catch (const toml::parse_error& e) {
    return SyntaxError(e);
  }
  return ReadProjectTable(root, project, release_lines);
}

}  // namespace ratchet
