// Fuzzes ratchet.toml: any text is loaded, or refused naming ratchet.toml's line.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_support.h"
#include "ratchet/upgrade_set.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static ratchet::fuzz::ScratchSet set;
  // One item, so that a release may name head "1".
  static const bool prepared =
      (set.WriteOnlyItem("V1__1__first.sql", "CREATE TABLE first (id integer PRIMARY KEY);\n"),
       true);
  (void)prepared;
  set.WriteProject(std::string_view(reinterpret_cast<const char*>(data), size));
  auto loaded = ratchet::LoadUpgradeSet(set.dir());
  if (!loaded.ok()) ratchet::fuzz::RequirePlace(loaded.status(), "ratchet.toml");
  return 0;
}
