// Clipping quoted input, and quoting commands for the shell.
#include "util/text.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace ratchet {

std::string Clip(std::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  size_t cut = max;
  // Back up over continuation bytes (10xxxxxx) to a character's first byte.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return fmt::format("{}... ({} bytes)", text.substr(0, cut), text.size());
}

std::string ShellQuote(std::string_view word) {
  auto safe = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("_@%+=:,./-").find(c) != std::string_view::npos;
  };
  if (!word.empty() && std::all_of(word.begin(), word.end(), safe)) return std::string(word);
  std::string out = "'";
  for (char c : word) {
    if (c == '\'') {
      out += "'\\''";  // close the quotes, an escaped quote, open them again
    } else {
      out += c;
    }
  }
  return out + "'";
}

}  // namespace ratchet
