// Parsing and printing item versions.
#include "ratchet/version.h"

#include <charconv>

#include <fmt/format.h>

namespace ratchet {
namespace {

bool ParseNumber(std::string_view text, uint32_t* out) {
  if (text.empty() || text.size() > 9) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

}  // namespace

std::string Version::ToString() const {
  return minor == 0 ? fmt::format("V{}", major) : fmt::format("V{}.{}", major, minor);
}

std::optional<Version> Version::Parse(std::string_view text) {
  if (!text.empty() && (text[0] == 'V' || text[0] == 'v')) text.remove_prefix(1);
  Version v;
  size_t dot = text.find('.');
  if (!ParseNumber(text.substr(0, dot), &v.major)) return std::nullopt;
  if (dot != std::string_view::npos && !ParseNumber(text.substr(dot + 1), &v.minor)) {
    return std::nullopt;
  }
  return v;
}

}  // namespace ratchet
