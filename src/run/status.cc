// `status`: where a database stands against a set, read without writing.
#include <fmt/format.h>

#include "ratchet/online.h"
#include "ratchet/runner.h"
#include "run/run_context.h"
#include "run/stopped_run.h"

namespace ratchet {
namespace {

// A read that found the database busy (SQLite: another process holds the
// file's write lock): when it is a ratchet run, its upgrade lock names it.
Status BusyReading(Connection& conn, const Status& read) {
  const DbError* e = read.db_error();
  if (e == nullptr || e->sqlstate != "SQLITE_BUSY") return read;
  UpgradeLock probe(conn);
  Status lock = probe.Take(std::chrono::milliseconds(0));
  if (lock.ok()) {
    return Status(Code::kLockBusy,
                  fmt::format("{}: the file is busy: another process (not ratchet) is writing "
                              "it; run status again when it is done",
                              conn.display_name()));
  }
  if (lock.code() != Code::kLockBusy) return read;
  return Status(Code::kLockBusy, fmt::format("status: upgrading now, and the file is busy "
                                             "with it: {}",
                                             lock.message()));
}

}  // namespace

Result<DatabaseStatus> ReadStatus(Connection& conn, const UpgradeSet& set) {
  RunContext run(conn, set, nullptr);
  Status read = ReadRecorded(run);
  if (!read.ok()) return BusyReading(conn, read);
  DatabaseStatus out;
  out.database = conn.display_name();
  out.engine = conn.kind();
  out.initialized = run.format != 0;
  out.bookkeeping_format = run.format;
  if (out.initialized) {
    const StateRow& state = run.state;
    out.applied = run.recorded;
    out.status = std::string(StateName(state.status));
    out.upgrade_id = state.upgrade_id;
    out.updated_at = state.updated_at;
    out.in_flight = state.in_flight;
    out.last_error = state.error;
    out.pivoted = state.pivoted;
    out.prepared_at = state.prepared_at;
    out.finalized_at = state.finalized_at;
  }
  auto freeze = ReadFreeze(conn);
  if (!freeze.ok()) return freeze.status();
  if (*freeze) {
    out.frozen_since = (*freeze)->since;
    out.frozen_by = (*freeze)->upgrade_id;
  }
  out.plan = MakePlan(set, conn.kind(), out.applied);
  out.release = CurrentRelease(set, conn.kind(), out.applied);
  if (out.initialized) {
    auto stopped = FindStoppedRun(conn, set, run.state, out.plan, out.applied);
    if (!stopped.ok()) return stopped.status();
    out.stopped = std::move(*stopped);
  }
  return out;
}

}  // namespace ratchet
