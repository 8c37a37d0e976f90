// What copy-upgrade needs from each engine: reading where a copy-upgrade
// stands, freezing writes to the original, taking the copy, and swapping it
// in while keeping the original.
#ifndef RATCHET_SRC_ENGINE_COPY_PLACE_H_
#define RATCHET_SRC_ENGINE_COPY_PLACE_H_

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "ratchet/copy.h"

namespace ratchet {

// The original database and the places next to it where its copy and its
// kept original live. Holds the engine's locks until it is destroyed.
class CopyPlace {
 public:
  virtual ~CopyPlace() = default;

  // What exists now: the copy (complete or not), a freeze, a kept original.
  // A complete copy's copy_status is "copied"; the run layer puts what its
  // bookkeeping records in its place.
  virtual Result<CopyState> Read() = 0;
  // Serializes copy-upgrades of this database, waiting up to `wait`;
  // kLockBusy naming the holder otherwise.
  virtual Status Lock(std::chrono::milliseconds wait) = 0;
  // Refuses (kRefused, naming each privilege the current user or role
  // lacks and how to get it) when copy-upgrade could not take, swap and
  // keep the copy; called before anything changes, so a copy-upgrade that
  // cannot finish never starts.
  virtual Status CheckPrivileges() = 0;
  // Freezes writes to the original until Thaw or the swap. Refuses
  // (kRefused, with the list) while other sessions use it, where the
  // engine can tell. Safe to call on an original already frozen.
  virtual Status Freeze() = 0;
  // Opens the original for writes again after a failure before the swap.
  virtual Status Thaw() = 0;
  // Removes a copy (complete or not) that will not be swapped in.
  virtual Status DiscardCopy() = 0;
  // For --recover, what an interrupted run left in `state`, which has not
  // swapped: returns true when its copy is complete and still a faithful
  // copy of the original (the freeze outlived the crash), to be upgraded
  // on; otherwise undoes what the run did towards its swap, discards the
  // copy, and returns false.
  virtual Result<bool> KeepCopyAfterCrash(const CopyState& state) = 0;
  // Copies the frozen original; the copy appears under CopyTarget() only
  // once complete.
  virtual Status TakeCopy(Reporter* reporter) = 0;
  // The copy, for connecting to it.
  virtual Target CopyTarget() const = 0;
  // The point of no return: the copy takes the original's name and the
  // original is kept. Every session on the copy must be closed.
  virtual Status Swap() = 0;
  // Removes the kept original; returns it as displayed, or "" if none.
  virtual Result<std::string> RemoveKept() = 0;
};

// The refusal of a copy-upgrade of `display` that `who` ("role app", "this
// user (uid 1000)") cannot finish, listing what it lacks (kRefused).
Status RefusedForPrivileges(const std::string& display, const std::string& who,
                            const std::vector<std::string>& missing);

}  // namespace ratchet

#endif  // RATCHET_SRC_ENGINE_COPY_PLACE_H_
