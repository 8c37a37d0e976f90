// Reading a targets file: the databases a multi-database command works on.
#include <fmt/format.h>

#include "ratchet/engine.h"

namespace ratchet {

Result<std::vector<Target>> ParseTargetsFile(std::string_view text, std::string_view file_name) {
  std::vector<Target> targets;
  int number = 0;
  for (size_t at = 0; at < text.size();) {
    size_t end_of_line = text.find('\n', at);
    if (end_of_line == std::string_view::npos) end_of_line = text.size();
    std::string_view line = text.substr(at, end_of_line - at);
    at = end_of_line + 1;
    ++number;
    size_t begin = line.find_first_not_of(" \t\r");
    if (begin == std::string_view::npos || line[begin] == '#') continue;
    size_t end = line.find_last_not_of(" \t\r");
    auto target = ParseTarget(line.substr(begin, end - begin + 1));
    if (!target.ok()) {
      return Status(Code::kInvalidArgument,
                    fmt::format("{}:{}: {}\nWrite one database a line (sqlite:path or "
                                "postgresql://...); '#' starts a comment.",
                                file_name, number, target.status().message()));
    }
    targets.push_back(std::move(*target));
  }
  if (targets.empty()) {
    return Status(
        Code::kInvalidArgument,
        fmt::format("{}: the file names no database; write one database a line", file_name));
  }
  return targets;
}

}  // namespace ratchet
