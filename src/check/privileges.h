// What the connected role may not do that a command needs, asked of the
// server's privilege functions before anything changes.
#ifndef RATCHET_SRC_CHECK_PRIVILEGES_H_
#define RATCHET_SRC_CHECK_PRIVILEGES_H_

#include <string>
#include <vector>

#include "ratchet/engine.h"
#include "ratchet/status.h"

namespace ratchet {

// PostgreSQL: each privilege the current role lacks for copy-upgrade of
// `database` (CREATEDB; ownership of the database; the right to set the
// parameter `marker` on it, which PostgreSQL 15 and later give only to
// superusers and to roles granted SET ON PARAMETER; superuser to carry a
// superuser-only setting of the database), each with how to get it. Empty
// for a superuser, and when the database does not exist. Runs only queries
// that succeed on every supported major, so it may run inside a transaction.
Result<std::vector<std::string>> MissingCopyUpgradePrivileges(Connection& conn,
                                                              const std::string& database,
                                                              const std::string& marker);

}  // namespace ratchet

#endif  // RATCHET_SRC_CHECK_PRIVILEGES_H_
