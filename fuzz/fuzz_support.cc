// The scratch set folder the set-loading fuzz targets write their inputs to.
#include "fuzz_support.h"

#include <unistd.h>

#include <fstream>

namespace ratchet::fuzz {
namespace {

void WriteFile(const std::filesystem::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (!out) Fail("cannot write the scratch set", path.string());
}

}  // namespace

ScratchSet::ScratchSet() {
  std::filesystem::path base = std::filesystem::exists("/dev/shm")
                                   ? std::filesystem::path("/dev/shm")
                                   : std::filesystem::temp_directory_path();
  dir_ = base / ("ratchet-fuzz-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir_ / "items");
  WriteProject("[project]\nname = \"fuzz\"\n");
}

ScratchSet::~ScratchSet() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void ScratchSet::WriteProject(std::string_view text) const {
  WriteFile(dir_ / "ratchet.toml", text);
}

void ScratchSet::WriteOnlyItem(const std::string& name, std::string_view text) const {
  for (const auto& entry : std::filesystem::directory_iterator(dir_ / "items")) {
    std::filesystem::remove(entry.path());
  }
  WriteFile(dir_ / "items" / name, text);
}

}  // namespace ratchet::fuzz
