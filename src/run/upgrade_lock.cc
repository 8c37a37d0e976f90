// Taking and releasing the upgrade lock of one database.
#include "run/upgrade_lock.h"

namespace ratchet {

Status UpgradeLock::Take(std::chrono::milliseconds wait) {
  Status s = conn_.AcquireUpgradeLock(wait);
  held_ = s.ok();
  return s;
}

void UpgradeLock::Release() {
  if (!held_) return;
  if (conn_.InTransaction()) conn_.Rollback();
  conn_.ReleaseUpgradeLock();
  held_ = false;
}

}  // namespace ratchet
