// Running a piece of work in one transaction on a Connection.
#ifndef RATCHET_SRC_ENGINE_IN_TRANSACTION_H_
#define RATCHET_SRC_ENGINE_IN_TRANSACTION_H_

#include <functional>

#include "ratchet/engine.h"
#include "util/fault.h"

namespace ratchet {

// Begins a transaction, runs `body`, and commits if it succeeded; otherwise
// rolls back and returns the body's (or the commit's) error. Nothing `body`
// wrote survives a failure.
inline Status RunInTransaction(Connection& conn, const std::function<Status()>& body) {
  RATCHET_RETURN_IF_ERROR(conn.Begin());
  Status s = body();
  if (s.ok()) RATCHET_FAULT_POINT("commit.before");
  if (s.ok()) s = conn.Commit();
  if (!s.ok()) conn.Rollback();
  if (s.ok()) RATCHET_FAULT_POINT("commit.after");
  return s;
}

}  // namespace ratchet

#endif  // RATCHET_SRC_ENGINE_IN_TRANSACTION_H_
