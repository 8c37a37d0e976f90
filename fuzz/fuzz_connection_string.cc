// Fuzzes database targets (--db): a target parses or is refused with a
// message, and neither its display nor the refusal shows its password.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.h"
#include "password_checks.h"
#include "ratchet/engine.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto target = ratchet::ParseTarget(text);
  if (target.ok()) {
    ratchet::fuzz::RequireNoPasswordShown(*target);
    return 0;
  }
  if (target.status().message().empty()) ratchet::fuzz::Fail("a refusal with no message", "");
  if (ratchet::fuzz::ShowsPassword(std::string(text), target.status().message())) {
    ratchet::fuzz::Fail("a refusal that shows the password", target.status().message());
  }
  return 0;
}
