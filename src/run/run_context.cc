// Opening a run: the lock first, then the bookkeeping as it was.
#include "run/run_context.h"

namespace ratchet {

RunContext::RunContext(Connection& conn, const UpgradeSet& set, Reporter* reporter)
    : conn(conn), set(set), reporter(reporter ? *reporter : quiet_), lock(conn), books(conn) {}

Status ReadRecorded(RunContext& run) {
  auto format = run.books.Format();
  if (!format.ok()) return format.status();
  run.format = *format;
  if (run.format == 0) return Status::Ok();
  auto recorded = run.books.ReadItems();
  if (!recorded.ok()) return recorded.status();
  run.recorded = std::move(*recorded);
  auto state = run.books.ReadState();
  if (!state.ok()) return state.status();
  run.state = std::move(*state);
  return Status::Ok();
}

Status OpenRun(RunContext& run, std::chrono::milliseconds lock_wait, OpenMode mode) {
  RATCHET_RETURN_IF_ERROR(run.lock.Take(lock_wait));
  if (mode == OpenMode::kEnsure) RATCHET_RETURN_IF_ERROR(run.books.Ensure());
  return ReadRecorded(run);
}

}  // namespace ratchet
