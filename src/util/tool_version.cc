// The version of ratchet, set by the build from the project's version.
#include "ratchet/runner.h"

namespace ratchet {

const char* ToolVersion() { return RATCHET_VERSION; }

}  // namespace ratchet
