// What the copy places of every engine share.
#include "engine/copy_place.h"

#include <fmt/format.h>

namespace ratchet {

Status RefusedForPrivileges(const std::string& display, const std::string& who,
                            const std::vector<std::string>& missing) {
  std::string list;
  for (const std::string& m : missing) list += "\n  - " + m;
  return Status(Code::kRefused,
                fmt::format("{}: copy-upgrade cannot finish as {}, which lacks:{}\nNothing was "
                            "changed.",
                            display, who, list));
}

}  // namespace ratchet
