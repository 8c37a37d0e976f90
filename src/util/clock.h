// Wall-clock helpers for bookkeeping timestamps. Upgrade ids, made in
// clock.cc as well, are public: NewUpgradeId in ratchet/runner.h.
#ifndef RATCHET_SRC_UTIL_CLOCK_H_
#define RATCHET_SRC_UTIL_CLOCK_H_

#include <string>

namespace ratchet {

// The current UTC time as "2026-11-21T04:53:00.123Z".
std::string NowUtc();

}  // namespace ratchet

#endif  // RATCHET_SRC_UTIL_CLOCK_H_
