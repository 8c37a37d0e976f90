// How the set reads the statements of a section: by the rules of the engine
// the section is for. The set layer declares this and calls it; the engine
// layer implements it (engine/drivers.cc), so the set never includes an
// engine's code.
#ifndef RATCHET_SRC_SET_DIALECT_H_
#define RATCHET_SRC_SET_DIALECT_H_

#include <string_view>
#include <vector>

#include "ratchet/status.h"
#include "ratchet/upgrade_set.h"

namespace ratchet {

class ScriptDialect {
 public:
  virtual ~ScriptDialect() = default;

  // Splits `text` into statements by the engine's own rules and classifies
  // each (transaction control, non-transactional, the parser's node name).
  // On a syntax error (or what the engine's scripts cannot hold, such as a
  // psql meta-command) returns kInvalidSet with a DbError whose
  // statement_offset and error_offset locate the problem within `text`.
  virtual Status SplitScript(std::string_view text, std::vector<Statement>* out) const = 0;
};

// The dialect of `engine`. Defined by the engine layer.
const ScriptDialect& DialectFor(EngineKind engine);

}  // namespace ratchet

#endif  // RATCHET_SRC_SET_DIALECT_H_
