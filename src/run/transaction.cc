// Savepoint groups of units of work (transaction.h).
#include "run/transaction.h"

#include <fmt/format.h>

#include <thread>

#include "engine/engine_driver.h"
#include "run/item_runner.h"

namespace ratchet {

bool GroupsItems(const Connection& conn, const UpgradeSet& set) {
  return DriverFor(conn.kind()).groups_items() && set.project.sqlite_commit_interval.count() > 0;
}

TransactionGroup::TransactionGroup(Connection& conn, bool grouped, Reporter* reporter,
                                   Limits limits)
    : conn_(conn), grouped_(grouped), reporter_(reporter), limits_(limits) {}

TransactionGroup::~TransactionGroup() {
  // A group still open here belongs to a run that returned early with an
  // error: what it did not commit is rolled back, never half kept.
  if (open_) conn_.Rollback();
}

Status TransactionGroup::Run(const std::function<Status()>& body) {
  const char* relaxed = DriverFor(conn_.kind()).relaxed_commit();
  if (!grouped_ && *relaxed != '\0') {
    return RunInTransaction(conn_, [&]() -> Status {
      RATCHET_RETURN_IF_ERROR(conn_.Execute(relaxed));
      return body();
    });
  }
  if (!grouped_) return RunInTransaction(conn_, body);
  if (!open_) {
    RATCHET_RETURN_IF_ERROR(conn_.Begin());
    open_ = true;
    units_ = 0;
    opened_at_ = std::chrono::steady_clock::now();
  }
  RATCHET_RETURN_IF_ERROR(conn_.Execute("SAVEPOINT ratchet_unit"));
  Status s = body();
  if (s.ok()) s = conn_.Execute("RELEASE ratchet_unit");
  if (s.ok()) {
    ++units_;
    return s;
  }
  if (!conn_.InTransaction()) {
    // The engine ended the whole transaction on its own (SQLite does on a
    // full disk or an I/O error): the earlier units went with it.
    return Lost(s);
  }
  Status undone = conn_.Execute("ROLLBACK TO ratchet_unit");
  if (undone.ok()) undone = conn_.Execute("RELEASE ratchet_unit");
  if (!undone.ok()) {
    conn_.Rollback();
    return Lost(
        Status(s.code(), s.message() + "\n(and undoing it failed: " + undone.message() + ")"));
  }
  return s;
}

Status TransactionGroup::RunDurable(const std::function<Status()>& body) {
  if (!grouped_) return RunInTransaction(conn_, body);
  RATCHET_RETURN_IF_ERROR(Run(body));
  return Commit();
}

Status TransactionGroup::Commit() {
  if (!open_) return Status::Ok();
  if (!conn_.InTransaction()) return Lost(Status(Code::kUpgradeFailed, "the transaction ended"));
  RATCHET_FAULT_POINT("commit.before");
  Status s = conn_.Commit();
  // SQLite: a process still reading the file keeps the commit from writing
  // it; the transaction stays open and the commit can be tried again.
  auto delay = limits_.first_retry_delay;
  for (int tries = 0;
       !s.ok() && IsLockTimeout(s) && conn_.InTransaction() && tries < limits_.commit_retries;
       ++tries) {
    if (reporter_) {
      reporter_->Note(
          fmt::format("the commit waited too long for readers of {} to finish ({}); "
                      "retry {}/{} in {} ms",
                      conn_.display_name(), s.db_error()->message, tries + 1,
                      limits_.commit_retries, delay.count()));
    }
    std::this_thread::sleep_for(delay);
    delay *= 2;
    s = conn_.Commit();
  }
  if (!s.ok()) {
    conn_.Rollback();
    return Lost(s);
  }
  open_ = false;
  units_ = 0;
  RATCHET_FAULT_POINT("commit.after");
  return s;
}

Status TransactionGroup::CommitIfDue() {
  if (!open_ || std::chrono::steady_clock::now() - opened_at_ < limits_.window) {
    return Status::Ok();
  }
  return Commit();
}

Status TransactionGroup::Lost(const Status& cause) {
  size_t lost = units_;
  open_ = false;
  units_ = 0;
  if (lost == 0) return cause;
  std::string message = fmt::format(
      "{}\nThe {} step(s) run since ratchet's last commit in {} were rolled back "
      "with it (items reported done among them are not applied); 'ratchet status' "
      "shows where the database stands, and running again applies them.",
      cause.message(), lost, conn_.display_name());
  // Without the engine's error code: the step that failed is not retried on
  // its own as a lock timeout would be, since the steps before it are gone.
  lost_ = true;
  return Status(cause.code() == Code::kConnection ? Code::kConnection : Code::kUpgradeFailed,
                message);
}

}  // namespace ratchet
