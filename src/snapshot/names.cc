// Recognising the names an engine makes up for constraints, indexes and
// sequences, so that snapshots compare those objects by what they mean.
#include <regex>
#include <string>

#include "snapshot/snapshot_objects.h"

namespace ratchet {

bool IsGeneratedName(std::string_view name, std::string_view table) {
  if (name.substr(0, 17) == "sqlite_autoindex_") return true;
  // PostgreSQL: <table>_<columns>_<label>, a number appended on a clash,
  // and table and columns shortened to fit 63 bytes.
  static const std::regex kLabel("^.+_(pkey|key|fkey|check|excl|idx|seq|not_null)[0-9]*$");
  std::string text(name);
  if (!std::regex_match(text, kLabel)) return false;
  if (table.empty()) return true;
  std::string prefix = std::string(table) + "_";
  if (text.compare(0, prefix.size(), prefix) == 0) return true;
  size_t shortened = std::min<size_t>(table.size(), 8);
  return text.size() >= 60 && text.compare(0, shortened, table.substr(0, shortened)) == 0;
}

}  // namespace ratchet
