// The connections a stop request reaches: each registers how to cancel the
// statement it is running, and a signal handler calls every one.
#ifndef RATCHET_SRC_ENGINE_INTERRUPT_REGISTRY_H_
#define RATCHET_SRC_ENGINE_INTERRUPT_REGISTRY_H_

namespace ratchet {

// How one connection cancels what it runs; called from a signal handler, so
// `cancel` must be async-signal-safe (PQcancel and sqlite3_interrupt are).
struct CancelHook {
  void (*cancel)(void* context) = nullptr;
  void* context = nullptr;
};

// Registers `hook` until the returned token is given to UnregisterCancel.
// Returns -1 when every slot is taken (the connection then cannot be
// cancelled, and the item loop still stops before its next item).
int RegisterCancel(CancelHook hook);

// Unregisters; returns once no signal handler can still be calling the hook.
void UnregisterCancel(int token);

}  // namespace ratchet

#endif  // RATCHET_SRC_ENGINE_INTERRUPT_REGISTRY_H_
