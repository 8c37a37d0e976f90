// Loading a set's fresh-install schema file into a scratch database, with
// a failure placed at the file's line and column.
#include "verify/schema_file.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

namespace ratchet {
namespace {

namespace fs = std::filesystem;

void OffsetToLineColumn(std::string_view text, size_t offset, int* line, int* column) {
  *line = 1;
  *column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++*line;
      *column = 1;
    } else {
      ++*column;
    }
  }
}

}  // namespace

Status LoadSchemaFile(Connection& conn, const fs::path& set_dir, const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string shown = path.lexically_relative(set_dir).string();
  if (!in) return Status(Code::kIo, fmt::format("cannot read {}", path.string()));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  Status s = conn.ExecuteScript(text);
  if (s.ok()) return s;
  size_t at = 0;
  if (const DbError* e = s.db_error(); e != nullptr && e->statement_offset != std::string::npos) {
    at = e->statement_offset;
    if (e->error_offset != std::string::npos) at += e->error_offset;
  }
  int line, column;
  OffsetToLineColumn(text, at, &line, &column);
  return Status(Code::kInvalidSet,
                fmt::format("{}:{}:{}: the fresh-install schema does not load: {}", shown, line,
                            column, s.message()));
}

}  // namespace ratchet
