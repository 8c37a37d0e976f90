// Fault points, for tests (docs/FAULTS.md): RATCHET_FAULT=<point>[:<n>]
// makes a program built with ratchet exit at once, as after a kill -9, at
// the n-th pass through a named point where ratchet writes;
// RATCHET_FAULT_TRACE=<file> lists every point it passes. Both are read from
// the environment when the program starts; unset, they cost nothing.
#ifndef RATCHET_FAULTS_H_
#define RATCHET_FAULTS_H_

#include <string>

namespace ratchet {

// Why RATCHET_FAULT cannot be used (malformed, or no such point), or "" when
// it is unset or valid. A program that runs under fault tests reports it and
// exits before it does anything, so that a fault set wrongly cannot pass for
// a run that converged.
const std::string& FaultConfigError();

}  // namespace ratchet

#endif  // RATCHET_FAULTS_H_
