// Wall-clock helpers for bookkeeping timestamps and upgrade ids.
#ifndef RATCHET_SRC_UTIL_CLOCK_H_
#define RATCHET_SRC_UTIL_CLOCK_H_

#include <string>

namespace ratchet {

// The current UTC time as "2026-11-21T04:53:00.123Z".
std::string NowUtc();

// A new upgrade id: time-ordered and unique across processes.
std::string NewUpgradeId();

}  // namespace ratchet

#endif  // RATCHET_SRC_UTIL_CLOCK_H_
