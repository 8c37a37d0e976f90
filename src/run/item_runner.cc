// One item, atomically with its bookkeeping row.
#include "run/item_runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <thread>

#include "engine/engine_driver.h"
#include "ratchet/interrupt.h"
#include "run/transaction.h"
#include "util/clock.h"
#include "util/fault.h"

namespace ratchet {
namespace {

// The sections a step runs, in the order they must run: upgrade runs
// prepare then finalize; prepare only prepare.
std::vector<const Section*> StepSections(const Item& item, bool finalize_too) {
  std::vector<const Section*> out;
  if (const Section* s = item.section(SectionKind::kPrepare)) out.push_back(s);
  if (!finalize_too) return out;
  if (const Section* s = item.section(SectionKind::kFinalize)) out.push_back(s);
  return out;
}

bool RunsOutsideTransaction(const Item& item, const Section& section) {
  return item.transaction == TransactionMode::kNone || section.non_transactional;
}

}  // namespace

bool RunsJournaled(const Item& item, bool prepare_only) {
  std::vector<const Section*> sections = StepSections(item, !prepare_only);
  return std::any_of(sections.begin(), sections.end(),
                     [&](const Section* s) { return RunsOutsideTransaction(item, *s); });
}

bool IsLockTimeout(const Status& status) {
  const DbError* e = status.db_error();
  if (!e) return false;
  return e->sqlstate == "55P03" || e->sqlstate == "SQLITE_BUSY" || e->sqlstate == "SQLITE_LOCKED";
}

ItemRunner::ItemRunner(Connection& conn, const UpgradeSet& set, Bookkeeping& books, StateRow& state,
                       const UpgradeOptions& options, Reporter* reporter)
    : conn_(conn),
      driver_(DriverFor(conn.kind())),
      set_(set),
      books_(books),
      state_(state),
      options_(options),
      reporter_(reporter) {}

Timeouts ItemRunner::TimeoutsFor(const Item& item) const {
  Timeouts t;
  t.lock_timeout = item.lock_timeout.value_or(set_.project.lock_timeout);
  t.statement_timeout = item.statement_timeout.value_or(set_.project.statement_timeout);
  return t;
}

Status ItemRunner::RunSection(const Item& item, const Section& section) {
  Status s = conn_.ExecuteScript(section.text);
  if (s.ok()) return s;
  return PositionError(item, section, s);
}

Status ItemRunner::PositionError(const Item& item, const Section& section, const Status& error) {
  Status s = error;
  DbError* e = s.mutable_db_error();
  if (!e) return s.WithContext(fmt::format("items/{}", item.file_name));
  size_t at = section.offset;
  if (e->statement_offset != std::string::npos) {
    at += e->statement_offset;
    if (e->error_offset != std::string::npos) at += e->error_offset;
  }
  e->file = "items/" + item.file_name;
  item.LineColumn(at, &e->line, &e->column);
  std::string message = fmt::format("{}:{}:{}: {}", e->file, e->line, e->column, s.message());
  if (!e->detail.empty()) message += "\nDETAIL: " + e->detail;
  if (!e->hint.empty()) message += "\nHINT: " + e->hint;
  return Status::DbFailure(s.code(), std::move(message), *e);
}

Status RetryOnLockTimeout(const std::string& what, const UpgradeOptions& options,
                          Reporter* reporter, const std::function<Status()>& attempt) {
  auto delay = options.first_retry_delay;
  for (int tries = 0;; ++tries) {
    Status s = attempt();
    if (s.ok() || !IsLockTimeout(s) || tries >= options.max_lock_retries) return s;
    if (InterruptRequested() != 0) return s;  // asked to stop: no more tries
    if (reporter) {
      reporter->Note(fmt::format("{} waited too long for a lock ({}); retry {}/{} in {} ms", what,
                                 s.db_error()->message, tries + 1, options.max_lock_retries,
                                 delay.count()));
    }
    std::this_thread::sleep_for(delay);
    delay *= 2;
  }
}

Status ItemRunner::WithLockRetries(const Item& item, const std::function<Status()>& attempt) {
  Status s = RetryOnLockTimeout(item.version.ToString(), options_, reporter_, attempt);
  if (s.ok() || !IsLockTimeout(s) || !driver_.names_lock_holders()) return s;
  // Out of retries: name the sessions that hold table locks in open
  // transactions now, which is what the item queued behind; the item is not
  // what needs fixing.
  conn_.Rollback();
  auto holders = driver_.LockHolders(conn_);
  std::string named;
  if (holders.ok()) {
    for (const std::string& holder : *holders) named += "\n  " + holder;
  }
  std::string message =
      s.message() +
      fmt::format("\nThe item waited for a lock {} time(s) and gave up; nothing of it stays.",
                  options_.max_lock_retries + 1);
  message +=
      named.empty()
          ? " No session holds a table lock now: run again."
          : "\nSessions of this database holding table locks in open transactions now:" + named +
                "\nRun again once they have ended (or end them).";
  return Status::DbFailure(s.code(), std::move(message), *s.db_error());
}

Status ItemRunner::ClearInterruptedBuilds(const Item& item) {
  const IndexBuildRepair* repair = driver_.index_build_repair();
  if (repair == nullptr) return Status::Ok();
  for (const Section& section : item.sections) {
    for (const Statement& st : section.statements) {
      auto left = repair->LeftUnusable(
          conn_, std::string_view(section.text).substr(st.offset, st.length), st);
      if (!left.ok()) return left.status();
      const std::string& index = *left;
      if (index.empty()) continue;
      reporter_->Note(
          fmt::format("{}: dropping index {}, left INVALID by an interrupted "
                      "concurrent build, before building it again",
                      item.version.ToString(), index));
      RATCHET_RETURN_IF_ERROR(repair->DropUnusable(conn_, index));
      RATCHET_RETURN_IF_ERROR(books_.AddEvent(state_.upgrade_id, "invalid-index-dropped",
                                              item.version.ToString(), index));
      RATCHET_FAULT_POINT("index.dropped");
    }
  }
  return Status::Ok();
}

Status ItemRunner::RunItem(const Item& item, ItemStep step) {
  Timeouts timeouts = TimeoutsFor(item);
  if (!session_timeouts_ || session_timeouts_->lock_timeout != timeouts.lock_timeout ||
      session_timeouts_->statement_timeout != timeouts.statement_timeout) {
    RATCHET_RETURN_IF_ERROR(conn_.SetTimeouts(timeouts));
    session_timeouts_ = timeouts;
  }
  if (item.version.ToString() == interrupted_)
    RATCHET_RETURN_IF_ERROR(ClearInterruptedBuilds(item));
  const bool prepare_only = step == ItemStep::kPrepare;
  const Phase phase = prepare_only ? Phase::kPrepared : Phase::kApplied;
  const std::string done_event = prepare_only ? "item-prepared" : "item-applied";
  std::vector<const Section*> sections = StepSections(item, !prepare_only);
  bool journaled = RunsJournaled(item, prepare_only);
  auto started = std::chrono::steady_clock::now();
  auto elapsed_ms = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 started)
        .count();
  };
  const std::string version = item.version.ToString();

  if (!journaled && driver_.round_trip_batch()) {
    return WithLockRetries(item, [&] { return ApplyInOneRoundTrip(item, sections, phase); });
  }
  if (!journaled) {
    // Invariant 1: the item's statements and its row commit together.
    auto body = [&]() -> Status {
      for (const Section* section : sections) RATCHET_RETURN_IF_ERROR(RunSection(item, *section));
      RATCHET_RETURN_IF_ERROR(books_.WriteItem(item, phase, elapsed_ms(), state_.upgrade_id, ""));
      return books_.AddEvent(state_.upgrade_id, done_event, version, item.checksum);
    };
    return WithLockRetries(
        item, [&] { return group_ ? group_->Run(body) : RunInTransaction(conn_, body); });
  }

  // Invariant 2: journal the start, so a crash before the row is written
  // shows the item in flight and the next run goes on with it.
  size_t total = 0;
  for (const Section* section : sections) total += std::max<size_t>(section->statements.size(), 1);
  size_t done = 0;
  if (version == interrupted_) {
    auto recorded = books_.StatementsDone(item.version);
    if (!recorded.ok()) return recorded.status();
    done = std::min(*recorded, total);
  }
  state_.in_flight = version;
  RATCHET_RETURN_IF_ERROR(RunInTransaction(conn_, [&]() -> Status {
    RATCHET_RETURN_IF_ERROR(books_.WriteState(state_));
    return books_.AddEvent(
        state_.upgrade_id, "item-started", version,
        done > 0 ? fmt::format("journaled; resuming at statement {} of {}", done + 1, total)
                 : "journaled");
  }));
  RATCHET_FAULT_POINT("journal.started");
  RATCHET_RETURN_IF_ERROR(RunJournaledSections(item, sections, done, total));
  RATCHET_FAULT_POINT("journal.ran");
  state_.in_flight.clear();
  return RunInTransaction(conn_, [&]() -> Status {
    RATCHET_RETURN_IF_ERROR(books_.WriteItem(item, phase, elapsed_ms(), state_.upgrade_id, ""));
    RATCHET_RETURN_IF_ERROR(books_.WriteState(state_));
    return books_.AddEvent(state_.upgrade_id, done_event, version, item.checksum);
  });
}

// The failure `s` of statement `number` of a journaled item, placed at its
// line and column, with what stays of the item.
Status ItemRunner::JournaledFailure(const Item& item, const Section& section, const Statement& st,
                                    size_t number, Status s) {
  if (DbError* e = s.mutable_db_error()) {
    e->statement_offset =
        st.offset + (e->statement_offset == std::string::npos ? 0 : e->statement_offset);
  }
  Status placed = PositionError(item, section, s);
  const std::string version = item.version.ToString();
  std::string stays =
      number > 1 ? fmt::format(
                       "Statements 1-{} of {} ran outside a transaction and stay "
                       "applied; re-running goes on with statement {}.",
                       number - 1, version, number)
                 : fmt::format("It is the first statement of {}: nothing of it stays.", version);
  if (!placed.db_error()) return Status(placed.code(), placed.message() + "\n" + stays);
  return Status::DbFailure(placed.code(), placed.message() + "\n" + stays, *placed.db_error());
}

// Statement by statement, each journaled ("statement-done <n>/<total>") so
// that a run that stops resumes at the first statement not recorded. In a
// section that runs outside a transaction, a statement that may run in one
// commits together with its journal entry, so that a crash leaves both or
// neither; one that cannot (CREATE INDEX CONCURRENTLY, a DO block that
// commits), and every statement of a section that manages its own
// transactions, commits on its own and is journaled right after: a crash in
// between runs it again on resume, which is why such an item must be
// idempotent. A section that runs in a transaction commits together with
// its journal entry. Statements before `done` were recorded by an earlier
// run and are skipped.
Status ItemRunner::RunJournaledSections(const Item& item,
                                        const std::vector<const Section*>& sections, size_t done,
                                        size_t total) {
  const std::string version = item.version.ToString();
  size_t number = 0;  // statements of this step so far
  auto journal = [&](size_t n) {
    return books_.AddEvent(state_.upgrade_id, "statement-done", version,
                           fmt::format("{}/{}", n, total));
  };
  for (const Section* section : sections) {
    if (!RunsOutsideTransaction(item, *section) || section->statements.empty()) {
      size_t count = std::max<size_t>(section->statements.size(), 1);
      if (number + count <= done) {
        number += count;
        continue;
      }
      RATCHET_RETURN_IF_ERROR(WithLockRetries(item, [&]() -> Status {
        auto body = [&]() -> Status {
          RATCHET_RETURN_IF_ERROR(RunSection(item, *section));
          return journal(number + count);
        };
        if (RunsOutsideTransaction(item, *section)) return body();
        return RunInTransaction(conn_, body);
      }));
      number += count;
      continue;
    }
    if (number < done && done < number + section->statements.size()) {
      const Statement& next = section->statements[done - number];
      int line = 0, column = 0;
      item.LineColumn(section->offset + next.offset, &line, &column);
      reporter_->Note(
          fmt::format("{}: statements 1-{} finished before the last run stopped; "
                      "going on with statement {} of {} (items/{}:{})",
                      version, done, done + 1, total, item.file_name, line));
    }
    const bool own_transactions =
        std::any_of(section->statements.begin(), section->statements.end(),
                    [](const Statement& st) { return st.transaction_control; });
    for (const Statement& st : section->statements) {
      ++number;
      if (number <= done) continue;
      std::string_view text = std::string_view(section->text).substr(st.offset, st.length);
      if (!own_transactions && !st.non_transactional && !st.may_commit) {
        Status s = WithLockRetries(item, [&]() -> Status {
          return RunInTransaction(conn_, [&]() -> Status {
            RATCHET_RETURN_IF_ERROR(conn_.ExecuteScript(text));
            RATCHET_FAULT_POINT("journal.statement");
            return journal(number);
          });
        });
        if (!s.ok()) return JournaledFailure(item, *section, st, number, s);
        continue;
      }
      Status s = WithLockRetries(item, [&] { return conn_.ExecuteScript(text); });
      if (!s.ok()) return JournaledFailure(item, *section, st, number, s);
      RATCHET_FAULT_POINT("journal.statement");
      RATCHET_RETURN_IF_ERROR(journal(number));
    }
  }
  return Status::Ok();
}

Status ItemRunner::ApplyInOneRoundTrip(const Item& item,
                                       const std::vector<const Section*>& sections, Phase phase) {
  // Invariant 1 as on every engine: one transaction holds the item and its
  // row. The duration is measured by the server, from the transaction's start.
  const RoundTripBatch& batch = *driver_.round_trip_batch();
  std::vector<Bookkeeping::Write> writes =
      books_.ItemAppliedWrites(item, phase, batch.elapsed_ms_sql(), state_.upgrade_id);
  std::vector<BatchStep> steps;
  for (const Section* section : sections) {
    // A section the loader split needs no second parse; an unparsed (or
    // empty) one is split by the connection.
    steps.push_back(
        {section->text, {}, true, section->statements.empty() ? nullptr : &section->statements});
  }
  for (const Bookkeeping::Write& w : writes) steps.push_back({w.sql, w.params, false});
  // The item's commit does not wait for its WAL to reach disk (DESIGN §6).
  // Still atomic: a crash loses the item together with its row, and resume
  // applies it again. Durable once the run's closing state write commits
  // synchronously, since WAL is flushed in order; only then does the run say
  // it is done.
  const char* relaxed = driver_.relaxed_commit();
  if (*relaxed != '\0') steps.push_back({relaxed, {}, false});
  RATCHET_RETURN_IF_ERROR(conn_.Begin());
  size_t failed = 0;
  RATCHET_FAULT_POINT("commit.before");
  Status s = batch.ExecuteBatch(conn_, steps, /*commit=*/true, &failed);
  if (s.ok()) RATCHET_FAULT_POINT("commit.after");
  if (s.ok()) return s;
  conn_.Rollback();
  if (failed < sections.size()) return PositionError(item, *sections[failed], s);
  return s.WithContext(fmt::format("{}: recording the item", item.version.ToString()));
}

Status ItemRunner::RecordFailure(const Item& item, const Status& error, DbState failed_status) {
  conn_.Rollback();
  RecordedError recorded;
  recorded.version = item.version.ToString();
  recorded.file = "items/" + item.file_name;
  recorded.message = error.message();
  recorded.at = NowUtc();
  if (const DbError* e = error.db_error()) {
    recorded.line = e->line;
    recorded.column = e->column;
    recorded.statement = e->statement.substr(0, 4000);
    recorded.sqlstate = e->sqlstate;
    recorded.message = e->message;
    if (!e->detail.empty()) recorded.message += " DETAIL: " + e->detail;
  }
  state_.status = failed_status;
  state_.error = recorded;
  return RunInTransaction(conn_, [&]() -> Status {
    RATCHET_RETURN_IF_ERROR(books_.WriteState(state_));
    return books_.AddEvent(state_.upgrade_id, "item-failed", recorded.version, error.message());
  });
}

Status ItemRunner::RecordInterrupt(const Item& item, bool cancelled, DbState failed_status) {
  conn_.Rollback();
  RecordedError recorded;
  recorded.version = item.version.ToString();
  recorded.file = "items/" + item.file_name;
  recorded.sqlstate = "57014";
  recorded.message =
      fmt::format("{} by {}", cancelled ? "cancelled while running" : "stopped before it started",
                  SignalName(InterruptRequested()));
  recorded.at = NowUtc();
  state_.status = failed_status;
  state_.error = recorded;
  auto write = [&]() -> Status {
    RATCHET_RETURN_IF_ERROR(books_.WriteState(state_));
    return books_.AddEvent(state_.upgrade_id, "run-interrupted", recorded.version,
                           recorded.message);
  };
  Status s = RunInTransaction(conn_, write);
  // The server may take the cancel request only now, and cancel this write
  // instead of the item: once more, and the request is spent.
  if (!s.ok() && s.db_error() && s.db_error()->sqlstate == "57014") {
    conn_.Rollback();
    s = RunInTransaction(conn_, write);
  }
  return s;
}

Status ItemRunner::RecordOptionalFailure(const Item& item, const Status& error,
                                         std::chrono::milliseconds elapsed) {
  conn_.Rollback();
  state_.in_flight.clear();
  return RunInTransaction(conn_, [&]() -> Status {
    RATCHET_RETURN_IF_ERROR(books_.WriteItem(item, Phase::kFailed, elapsed.count(),
                                             state_.upgrade_id, error.message()));
    RATCHET_RETURN_IF_ERROR(books_.WriteState(state_));
    return books_.AddEvent(state_.upgrade_id, "optional-item-failed", item.version.ToString(),
                           error.message());
  });
}

}  // namespace ratchet
