// Fuzzes the SQLite splitter: statements lie inside the script, in order,
// and each one is a complete statement by SQLite's own reading.
#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/sqlite/sqlite_parse.h"
#include "split_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<ratchet::Statement> statements;
  ratchet::Status status = ratchet::sqlite::SplitScript(text, &statements);
  ratchet::fuzz::RequireSplitWithin(text, status, statements);
  if (!status.ok() || text.find('\0') != std::string_view::npos) return 0;
  for (const ratchet::Statement& s : statements) {
    // A statement ends where SQLite would end it: closed by a semicolon on a
    // line of its own, it is complete.
    std::string closed(text.substr(s.offset, s.length));
    closed += "\n;";
    if (!sqlite3_complete(closed.c_str())) {
      ratchet::fuzz::Fail("a statement that SQLite would not end there", closed);
    }
  }
  return 0;
}
