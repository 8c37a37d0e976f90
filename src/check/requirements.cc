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
  if (wanted.empty()) return Status::Ok();
  auto version = c.facts.ServerVersion(c);
  if (!version.ok()) return version.status();
  if (!*version) return Status::Ok();  // no server whose version a set may require
  std::optional<int> minimum = VersionNumber(wanted);
  if (!minimum) {
    c.Add(
        Severity::kProblem, "", kToml,
        fmt::format("server-version '{}' is not a version: write e.g. \"14\" or \"14.2\"", wanted));
    return Status::Ok();
  }
  if ((*version)->number < *minimum) {
    c.Add(Severity::kProblem, "", kToml,
          fmt::format("the server is {} {}, and the set requires {} or later: upgrade "
                      "the server first",
                      c.driver.title(), (*version)->text, wanted));
  }
  return Status::Ok();
}

Status Extensions(CheckContext& c) {
  if (!c.facts.has_extensions()) return Status::Ok();
  for (const std::string& extension : c.set.project.required_extensions) {
    auto found = c.facts.ExtensionOf(c, extension);
    if (!found.ok()) return found.status();
    if (found->installed.has_value()) continue;
    std::string created_by;
    for (const PlannedStatement& s : c.statements) {
      for (const std::string& name : s.effects.extensions_created) {
        if (name == extension && created_by.empty()) created_by = s.item->version.ToString();
      }
    }
    if (!found->available.has_value()) {
      c.Add(Severity::kProblem, "", kToml,
            fmt::format("extension {} is not available on this server: install its package on "
                        "the server first",
                        extension));
    } else if (created_by.empty()) {
      c.Add(Severity::kProblem, "", kToml,
            fmt::format("extension {} is not installed (version {} is available): run CREATE "
                        "EXTENSION {} as a role that may, or create it in an item",
                        extension, *found->available, extension));
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
    auto found = c.facts.Setting(c, name);
    if (!found.ok()) return found.status();
    const std::optional<std::string>& actual = *found;
    if (!actual) {
      c.Add(Severity::kProblem, "", kToml,
            fmt::format("setting {} does not exist on this {}: check its name in "
                        "[requirements.settings]",
                        name, c.facts.settings_holder()));
    } else if (!Satisfies(wanted, *actual)) {
      c.Add(Severity::kProblem, "", kToml,
            fmt::format("setting {} is {}, and the set requires {}: change it on the {} first",
                        name, *actual, wanted, c.facts.settings_holder()));
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
