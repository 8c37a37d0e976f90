// What every fuzz target checks beyond "no crash": a refusal names its place.
#ifndef RATCHET_FUZZ_FUZZ_SUPPORT_H_
#define RATCHET_FUZZ_FUZZ_SUPPORT_H_

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include "ratchet/status.h"

namespace ratchet::fuzz {

// Stops the run, printing why, so libFuzzer saves the input as a finding.
[[noreturn]] inline void Fail(std::string_view what, std::string_view message) {
  std::fprintf(stderr, "fuzz: %.*s\nmessage: %.*s\n", static_cast<int>(what.size()), what.data(),
               static_cast<int>(message.size()), message.data());
  std::abort();
}

// Requires that `status`, a refusal of the file `file`, says where: the
// message starts with "<file>:" followed by a line number of at least 1 (and
// a column of at least 1 if one is given), or by a space for a problem of the
// whole file. Never an empty message, a ":0" position or an empty name.
inline void RequirePlace(const Status& status, std::string_view file) {
  const std::string& m = status.message();
  if (m.empty()) Fail("a refusal with an empty message", m);
  if (m.compare(0, file.size(), file) != 0 || m.size() <= file.size() || m[file.size()] != ':') {
    Fail("a refusal that does not start with the file's name", m);
  }
  size_t at = file.size() + 1;
  if (at < m.size() && m[at] == ' ') return;  // the whole file
  for (int part = 0; part < 2; ++part) {
    if (at >= m.size() || m[at] < '1' || m[at] > '9') {
      Fail(part == 0 ? "a refusal without a line number of at least 1"
                     : "a refusal with a column that is not at least 1",
           m);
    }
    while (at < m.size() && m[at] >= '0' && m[at] <= '9') ++at;
    if (at >= m.size() || m[at] != ':') Fail("a position not followed by ':'", m);
    ++at;
    if (at < m.size() && m[at] == ' ') return;
  }
  Fail("a position with more than a line and a column", m);
}

// A set folder of this process, rewritten for each input: ratchet.toml and
// at most one item file.
class ScratchSet {
 public:
  ScratchSet();
  ~ScratchSet();
  ScratchSet(const ScratchSet&) = delete;
  ScratchSet& operator=(const ScratchSet&) = delete;
  const std::filesystem::path& dir() const { return dir_; }
  // Replaces ratchet.toml with `text`.
  void WriteProject(std::string_view text) const;
  // Leaves `name` (in items/) as the only item file, holding `text`.
  void WriteOnlyItem(const std::string& name, std::string_view text) const;

 private:
  std::filesystem::path dir_;
};

}  // namespace ratchet::fuzz

#endif  // RATCHET_FUZZ_FUZZ_SUPPORT_H_
