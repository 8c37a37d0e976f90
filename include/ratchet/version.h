// Item versions: V<major>[.<minor>], ordered numerically.
#ifndef RATCHET_VERSION_H_
#define RATCHET_VERSION_H_

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ratchet {

// The identity of an upgrade item. V2 < V2.1 < V3 < V10.
struct Version {
  uint32_t major = 0;
  uint32_t minor = 0;

  auto operator<=>(const Version&) const = default;
  // "V3" or "V2.1".
  std::string ToString() const;
  // Parses "V3", "v3", "3", "V2.1" or "2.1". Returns nullopt otherwise.
  static std::optional<Version> Parse(std::string_view text);
};

}  // namespace ratchet

#endif  // RATCHET_VERSION_H_
