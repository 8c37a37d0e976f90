// Checks shared by the splitter fuzz targets: statements lie inside the
// script, in order and apart, and a refusal points inside the script.
#ifndef RATCHET_FUZZ_SPLIT_CHECKS_H_
#define RATCHET_FUZZ_SPLIT_CHECKS_H_

#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "ratchet/upgrade_set.h"

namespace ratchet::fuzz {

inline void RequireSplitWithin(std::string_view text, const Status& status,
                               const std::vector<Statement>& statements) {
  if (!status.ok()) {
    if (status.message().empty()) Fail("a splitter refusal with an empty message", "");
    const DbError* error = status.db_error();
    if (error && error->statement_offset != std::string::npos &&
        error->statement_offset > text.size()) {
      Fail("a refusal placed after the end of the script", status.message());
    }
    return;
  }
  size_t end_of_previous = 0;
  for (const Statement& s : statements) {
    if (s.length == 0) Fail("an empty statement", "");
    if (s.offset < end_of_previous) Fail("statements out of order or overlapping", "");
    if (s.offset > text.size() || s.length > text.size() - s.offset) {
      Fail("a statement past the end of the script", "");
    }
    end_of_previous = s.offset + s.length;
  }
}

}  // namespace ratchet::fuzz

#endif  // RATCHET_FUZZ_SPLIT_CHECKS_H_
