// The requirements family: what ratchet.toml's [requirements] asks of the
// server (PostgreSQL version, extensions) and of its settings (PostgreSQL
// settings, SQLite pragmas).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "check/check_context.h"
#include "sql/sql_text.h"

namespace ratchet {
namespace {

constexpr const char* kToml = "ratchet.toml";

// "14" -> 140000, "14.2" -> 140002, "9.6" -> 90600, as server_version_num.
std::optional<int> VersionNumber(const std::string& text) {
  auto number = [&](size_t* i) -> std::optional<int> {
    size_t begin = *i;
    int value = 0;
    while (*i < text.size() && std::isdigit(static_cast<unsigned char>(text[*i]))) {
      if (*i - begin >= 6) return std::nullopt;  // no version part is that long
      value = value * 10 + (text[*i] - '0');
      ++*i;
    }
    if (*i == begin) return std::nullopt;
    return value;
  };
  size_t i = 0;
  std::optional<int> major = number(&i);
  if (!major) return std::nullopt;
  int minor = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    std::optional<int> m = number(&i);
    if (!m) return std::nullopt;
    minor = *m;
  }
  if (i != text.size() || *major > 9999 || minor > 99) return std::nullopt;
  return *major >= 10 ? *major * 10000 + minor : *major * 10000 + minor * 100;
}

Status ServerVersion(CheckContext& c) {
  const std::string& wanted = c.set.project.min_server_version;
  if (wanted.empty() || !c.postgres()) return Status::Ok();
  std::optional<int> minimum = VersionNumber(wanted);
  if (!minimum) {
    c.Add(
        Severity::kProblem, "", kToml,
        fmt::format("server-version '{}' is not a version: write e.g. \"14\" or \"14.2\"", wanted));
    return Status::Ok();
  }
  auto r = c.Query(
      "SELECT current_setting('server_version_num')::int, "
      "current_setting('server_version')");
  if (!r.ok()) return r.status();
  int actual = std::stoi(r->rows.at(0).at(0).value_or("0"));
  if (actual < *minimum) {
    c.Add(Severity::kProblem, "", kToml,
          fmt::format("the server is PostgreSQL {}, and the set requires {} or later: upgrade "
                      "the server first",
                      r->rows[0][1].value_or("?"), wanted));
  }
  return Status::Ok();
}

Status Extensions(CheckContext& c) {
  if (!c.postgres()) return Status::Ok();
  for (const std::string& extension : c.set.project.required_extensions) {
    auto r = c.Query(
        "SELECT (SELECT extversion FROM pg_extension WHERE extname = $1), "
        "(SELECT default_version FROM pg_available_extensions WHERE name = $1)",
        {Value(extension)});
    if (!r.ok()) return r.status();
    const Row& row = r->rows.at(0);
    if (row[0].has_value()) continue;  // installed
    std::string created_by;
    for (const PlannedStatement& s : c.statements) {
      for (const std::string& name : s.effects.extensions_created) {
        if (name == extension && created_by.empty()) created_by = s.item->version.ToString();
      }
    }
    if (!row[1].has_value()) {
      c.Add(Severity::kProblem, "", kToml,
            fmt::format("extension {} is not available on this server: install its package on "
                        "the server first",
                        extension));
    } else if (created_by.empty()) {
      c.Add(Severity::kProblem, "", kToml,
            fmt::format("extension {} is not installed (version {} is available): run CREATE "
                        "EXTENSION {} as a role that may, or create it in an item",
                        extension, *row[1], extension));
    }
  }
  return Status::Ok();
}

// True if `actual` satisfies `wanted`: a value ("logical", compared without
// regard to case) or a comparison with a number (">= 100").
bool Satisfies(const std::string& wanted, const std::string& actual) {
  // A comparison: blanks, an operator, blanks, a number, blanks.
  std::string_view w = wanted;
  auto skip_blanks = [&] {
    while (!w.empty() && std::isspace(static_cast<unsigned char>(w.front()))) w.remove_prefix(1);
  };
  skip_blanks();
  std::string op;
  for (const char* candidate : {">=", "<=", "!=", ">", "<", "="}) {
    if (w.substr(0, std::strlen(candidate)) == candidate) {
      op = candidate;
      w.remove_prefix(op.size());
      break;
    }
  }
  skip_blanks();
  while (!w.empty() && std::isspace(static_cast<unsigned char>(w.back()))) w.remove_suffix(1);
  std::string_view digits = w;
  if (!digits.empty() && digits.front() == '-') digits.remove_prefix(1);
  bool numeric = !digits.empty() && digits.size() <= 40 &&
                 std::all_of(digits.begin(), digits.end(), [](char c) {
                   return std::isdigit(static_cast<unsigned char>(c)) || c == '.';
                 });
  if (op.empty() || !numeric) return AsciiLower(wanted) == AsciiLower(actual);
  char* end = nullptr;
  double value = std::strtod(actual.c_str(), &end);
  if (end == actual.c_str()) return false;
  double bound = std::strtod(std::string(w).c_str(), nullptr);
  if (op == ">=") return value >= bound;
  if (op == "<=") return value <= bound;
  if (op == ">") return value > bound;
  if (op == "<") return value < bound;
  if (op == "=") return value == bound;
  return value != bound;
}

Status Settings(CheckContext& c) {
  for (const auto& [name, wanted] : c.set.project.required_settings) {
    std::optional<std::string> actual;
    if (c.postgres()) {
      // pg_settings gives numbers in the setting's base unit (8kB pages,
      // ms ...), which is what a comparison needs.
      auto r = c.Query(
          "SELECT coalesce((SELECT setting FROM pg_settings WHERE name = $1), "
          "current_setting($1, true))",
          {Value(name)});
      if (!r.ok()) return r.status();
      actual = r->rows.at(0).at(0);
    } else if (name.find('.') == std::string::npos) {
      auto r = c.Query("PRAGMA " + name);
      if (r.ok() && !r->rows.empty() && !r->rows[0].empty()) actual = r->rows[0][0];
    }
    if (!actual) {
      c.Add(Severity::kProblem, "", kToml,
            fmt::format("setting {} does not exist on this {}: check its name in "
                        "[requirements.settings]",
                        name, c.postgres() ? "server" : "SQLite"));
    } else if (!Satisfies(wanted, *actual)) {
      c.Add(Severity::kProblem, "", kToml,
            fmt::format("setting {} is {}, and the set requires {}: change it on the {} first",
                        name, *actual, wanted, c.postgres() ? "server" : "database"));
    }
  }
  return Status::Ok();
}

}  // namespace

Status CheckRequirements(CheckContext& context) {
  RATCHET_RETURN_IF_ERROR(ServerVersion(context));
  RATCHET_RETURN_IF_ERROR(Extensions(context));
  return Settings(context);
}

}  // namespace ratchet
