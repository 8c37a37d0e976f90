// Freezing DDL for the online window, where the engine can: through its
// driver's DdlFreeze (on PostgreSQL an event trigger that refuses DDL from
// every session but ratchet's own).
#include <fmt/format.h>

#include "engine/engine_driver.h"
#include "ratchet/online.h"

namespace ratchet {

Status FreezeDdl(Connection& conn, const std::string& upgrade_id) {
  const EngineDriver& driver = DriverFor(conn.kind());
  if (driver.ddl_freeze() == nullptr) {
    return Status(Code::kInvalidArgument,
                  fmt::format("{}: {} cannot block another process's DDL, so there is no "
                              "freeze to set; keep schema changes out of the application "
                              "during the online window",
                              conn.display_name(), driver.title()));
  }
  return driver.ddl_freeze()->Freeze(conn, upgrade_id);
}

Result<std::optional<FreezeInfo>> ReadFreeze(Connection& conn) {
  const DdlFreeze* freeze = DriverFor(conn.kind()).ddl_freeze();
  if (freeze == nullptr) return std::optional<FreezeInfo>();
  return freeze->Read(conn);
}

Status ThawDdl(Connection& conn) {
  const DdlFreeze* freeze = DriverFor(conn.kind()).ddl_freeze();
  if (freeze == nullptr) return Status::Ok();
  return freeze->Thaw(conn);
}

}  // namespace ratchet
