// A lock-free table of cancel hooks that a signal handler can walk.
#include "engine/interrupt_registry.h"

#include <atomic>
#include <csignal>
#include <thread>

#include "ratchet/interrupt.h"

namespace ratchet {
namespace {

// Enough for --jobs 256 with a few connections each.
constexpr int kSlots = 1024;

struct Slot {
  std::atomic<bool> taken{false};
  std::atomic<void (*)(void*)> cancel{nullptr};
  std::atomic<void*> context{nullptr};
};

Slot g_slots[kSlots];
std::atomic<int> g_requested{0};
// Signal handlers walking the table now; UnregisterCancel waits for them.
std::atomic<int> g_walking{0};

}  // namespace

int RegisterCancel(CancelHook hook) {
  for (int i = 0; i < kSlots; ++i) {
    bool expected = false;
    if (g_slots[i].taken.compare_exchange_strong(expected, true)) {
      g_slots[i].context.store(hook.context);
      g_slots[i].cancel.store(hook.cancel);
      return i;
    }
  }
  return -1;
}

void UnregisterCancel(int token) {
  if (token < 0 || token >= kSlots) return;
  g_slots[token].cancel.store(nullptr);
  while (g_walking.load() > 0) std::this_thread::yield();
  g_slots[token].context.store(nullptr);
  g_slots[token].taken.store(false);
}

void RequestInterrupt(int signal_number) {
  g_requested.store(signal_number != 0 ? signal_number : -1);
  g_walking.fetch_add(1);
  for (Slot& slot : g_slots) {
    void (*cancel)(void*) = slot.cancel.load();
    if (cancel != nullptr) cancel(slot.context.load());
  }
  g_walking.fetch_sub(1);
}

int InterruptRequested() { return g_requested.load(); }

void ClearInterrupt() { g_requested.store(0); }

const char* SignalName(int signal_number) {
  switch (signal_number) {
    case SIGINT:
      return "SIGINT (Ctrl-C)";
    case SIGTERM:
      return "SIGTERM";
    case SIGHUP:
      return "SIGHUP";
    default:
      return "a stop request";
  }
}

}  // namespace ratchet
