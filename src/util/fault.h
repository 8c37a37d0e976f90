// Fault points: named places in the code that writes where a test can make
// ratchet die abruptly, to prove that re-running converges (DESIGN invariant 7).
//
// RATCHET_FAULT=<point>[:<n>] makes the process call _exit(kFaultExitCode) at
// the n-th pass (default 1) through <point>: no destructors, no stdio flush,
// no rollback; open connections are simply closed by the kernel, as after a
// kill -9. RATCHET_FAULT_TRACE=<file> appends "<point> <n>" to <file> at every
// pass, so a test can list every point and pass a run goes through. With
// neither variable set a point costs one predictable branch on a flag read
// once at start-up. docs/FAULTS.md describes each point; a bad RATCHET_FAULT
// is reported by FaultConfigError (ratchet/faults.h).
#ifndef RATCHET_SRC_UTIL_FAULT_H_
#define RATCHET_SRC_UTIL_FAULT_H_

#include <string>
#include <string_view>
#include <vector>

namespace ratchet::fault {

// The exit status of a process stopped at a fault point.
inline constexpr int kFaultExitCode = 86;

// A fault point and where it sits.
struct PointInfo {
  std::string_view name;
  std::string_view where;
};

// Every fault point ratchet has, in the order docs/FAULTS.md lists them.
const std::vector<PointInfo>& Points();

namespace internal {
// True when RATCHET_FAULT or RATCHET_FAULT_TRACE is set; read before main().
extern bool armed;
// Counts a pass through `point`, traces it, and exits when it is the one.
void Pass(std::string_view point);
}  // namespace internal

// True when a fault or a trace is configured: points are counted.
inline bool Armed() { return internal::armed; }

}  // namespace ratchet::fault

// Marks a fault point. `name` must be one of fault::Points() (a test checks
// every use against the list).
#define RATCHET_FAULT_POINT(name)                                     \
  do {                                                                \
    if (__builtin_expect(::ratchet::fault::internal::armed, false)) { \
      ::ratchet::fault::internal::Pass(name);                         \
    }                                                                 \
  } while (0)

#endif  // RATCHET_SRC_UTIL_FAULT_H_
