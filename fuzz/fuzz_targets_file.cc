// Fuzzes the targets file (--targets): it gives the databases it names, or is
// refused naming the file and line; no target's display shows a password.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.h"
#include "password_checks.h"
#include "ratchet/engine.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto targets = ratchet::ParseTargetsFile(text, "targets.txt");
  if (!targets.ok()) {
    ratchet::fuzz::RequirePlace(targets.status(), "targets.txt");
    return 0;
  }
  for (const ratchet::Target& t : *targets) ratchet::fuzz::RequireNoPasswordShown(t);
  return 0;
}
