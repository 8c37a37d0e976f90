// Fuzzes item checksums: every reading (the union's and each engine's) gives
// a SHA-256 in hex, the same one each time.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.h"
#include "ratchet/upgrade_set.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (std::string_view engine : {"", "sqlite", "postgresql"}) {
    std::string sum = ratchet::ItemChecksum(text, engine);
    if (sum.size() != 64 || sum.find_first_not_of("0123456789abcdef") != std::string::npos) {
      ratchet::fuzz::Fail("a checksum that is not 64 hex digits", sum);
    }
    if (ratchet::ItemChecksum(text, engine) != sum) {
      ratchet::fuzz::Fail("a checksum that changes between two readings", sum);
    }
  }
  return 0;
}
