// The per-database upgrade lock (invariant 3), held by an object so that
// every path out of a run releases it.
#ifndef RATCHET_SRC_RUN_UPGRADE_LOCK_H_
#define RATCHET_SRC_RUN_UPGRADE_LOCK_H_

#include <chrono>

#include "ratchet/engine.h"

namespace ratchet {

class UpgradeLock {
 public:
  explicit UpgradeLock(Connection& conn) : conn_(conn) {}
  ~UpgradeLock() { Release(); }
  UpgradeLock(const UpgradeLock&) = delete;
  UpgradeLock& operator=(const UpgradeLock&) = delete;

  // Takes the lock, waiting up to `wait`. Returns kLockBusy naming the
  // holder when it is not obtained in time.
  Status Take(std::chrono::milliseconds wait);

  // Releases the lock if it is held. A transaction a failed step left open
  // is rolled back first, as the server would when the session ends.
  void Release();

 private:
  Connection& conn_;
  bool held_ = false;
};

}  // namespace ratchet

#endif  // RATCHET_SRC_RUN_UPGRADE_LOCK_H_
