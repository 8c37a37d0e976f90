// Splitting and classifying SQLite scripts at load time.
#ifndef RATCHET_SRC_ENGINE_SQLITE_SQLITE_PARSE_H_
#define RATCHET_SRC_ENGINE_SQLITE_SQLITE_PARSE_H_

#include <string_view>
#include <vector>

#include "ratchet/status.h"
#include "ratchet/upgrade_set.h"

namespace ratchet::sqlite {

// Splits `text` into statements with sqlite3_complete, so that triggers
// (BEGIN ... END) and semicolons inside strings stay whole, and classifies
// each: VACUUM is non-transactional; BEGIN/COMMIT/END/ROLLBACK/SAVEPOINT/
// RELEASE are transaction control. Fails with kInvalidSet when the text ends
// in an incomplete statement.
Status SplitScript(std::string_view text, std::vector<Statement>* out);

}  // namespace ratchet::sqlite

#endif  // RATCHET_SRC_ENGINE_SQLITE_SQLITE_PARSE_H_
