// Reading a database's schema as a snapshot, through its engine's driver.
#include <fmt/format.h>

#include "engine/engine_driver.h"
#include "ratchet/snapshot.h"
#include "snapshot/snapshot_objects.h"

namespace ratchet {

Result<Snapshot> TakeSnapshot(Connection& conn, const SnapshotOptions& options) {
  Result<Snapshot> snapshot = DriverFor(conn.kind()).ReadCatalog(conn, options);
  if (!snapshot.ok()) {
    return snapshot.status().WithContext(
        fmt::format("{}: cannot read the schema", conn.display_name()));
  }
  snapshot->engine = conn.kind();
  SortSnapshot(&*snapshot);
  return snapshot;
}

}  // namespace ratchet
