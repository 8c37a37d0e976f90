// Fuzzes one item file, name and content: it is loaded and parsed for both
// engines, or refused naming the file and, for its content, the line.
//
// Input: a first line that is the file name when it ends in ".sql" (any
// other first line is content, under a fixed valid name), then the content.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "ratchet/upgrade_set.h"

namespace {

// Whether `name` can be a file in items/ at all.
bool UsableFileName(std::string_view name) {
  if (name.size() < 5 || name.size() > 200 || name[0] == '.') return false;
  if (name.substr(name.size() - 4) != ".sql") return false;
  for (char c : name) {
    if (c == '/' || static_cast<unsigned char>(c) < 0x20) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static ratchet::fuzz::ScratchSet set;
  static const bool prepared =
      (set.WriteProject("[project]\nname = \"fuzz\"\nengines = [\"sqlite\", \"postgresql\"]\n"),
       true);
  (void)prepared;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string name = "V1__1__fuzz.sql";
  size_t newline = input.find('\n');
  if (newline != std::string_view::npos && UsableFileName(input.substr(0, newline))) {
    name = std::string(input.substr(0, newline));
    input.remove_prefix(newline + 1);
  }
  set.WriteOnlyItem(name, input);
  for (ratchet::EngineKind engine :
       {ratchet::EngineKind::kSqlite, ratchet::EngineKind::kPostgres}) {
    ratchet::LoadOptions options;
    options.parse_for = engine;
    auto loaded = ratchet::LoadUpgradeSet(set.dir(), options);
    if (!loaded.ok()) ratchet::fuzz::RequirePlace(loaded.status(), "items/" + name);
  }
  return 0;
}
