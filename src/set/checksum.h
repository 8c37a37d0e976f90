// The canonical text behind an item's checksum, built from the lexer's
// segments so that the loader checksums a file in the pass that reads it.
#ifndef RATCHET_SRC_SET_CHECKSUM_H_
#define RATCHET_SRC_SET_CHECKSUM_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "sql/sql_lexer.h"

namespace ratchet {

// Feed it every segment ScanSql reports for `content`, in order; Finish()
// then returns what ItemChecksum(content) returns.
class ChecksumBuilder {
 public:
  explicit ChecksumBuilder(std::string_view content);

  void Add(SqlSegment kind, size_t begin, size_t end);

  // Returns the hex SHA-256 of the canonical text, sealed for a file that
  // `engine` runs ("" for every engine; see ItemChecksum). Call once.
  std::string Finish(std::string_view engine = "");
  // Returns the canonical text itself, unsealed. Call once, instead of Finish.
  std::string TakeCanonical();

 private:
  void Append(std::string_view piece);

  std::string_view content_;
  std::string canonical_;
  bool pending_blank_ = false;
};

}  // namespace ratchet

#endif  // RATCHET_SRC_SET_CHECKSUM_H_
