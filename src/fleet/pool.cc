// The pool that works on several databases at a time, and what their
// results add up to.
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "ratchet/fleet.h"
#include "ratchet/interrupt.h"

namespace ratchet {
namespace {

std::string FirstLine(const std::string& s) { return s.substr(0, s.find('\n')); }

const char* FailureLabel(Code code) {
  switch (code) {
    case Code::kLockBusy:
      return "busy";
    case Code::kRefused:
      return "refused";
    case Code::kConnection:
      return "unreachable";
    case Code::kCheckFailed:
      return "problems";
    default:
      return "failed";
  }
}

// Works on `targets[index]`, unless a stop was requested before it started.
DatabaseResult WorkOn(const std::vector<Target>& targets, size_t index, const DatabaseWork& work,
                      FleetObserver* observer) {
  const Target& target = targets[index];
  if (observer) observer->DatabaseStarted(index, target);
  auto started = std::chrono::steady_clock::now();
  // After a stop request no database is started; the ones under way stop
  // at their next item.
  DatabaseResult r;
  if (const int signal_number = InterruptRequested(); signal_number != 0) {
    r = FailedResult(target.display,
                     Status(Code::kInterrupted,
                            fmt::format("not started: stopped by {}", SignalName(signal_number))));
    r.outcome = DatabaseOutcome::kNotStarted;
  } else {
    r = work(target, index);
  }
  r.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  if (r.database.empty()) r.database = target.display;
  if (observer) observer->DatabaseFinished(index, r);
  return r;
}

}  // namespace

DatabaseResult FailedResult(const std::string& database, const Status& status) {
  DatabaseResult r;
  r.database = database;
  r.outcome = DatabaseOutcome::kFailed;
  r.exit_code = ExitCodeFor(status);
  r.label = FailureLabel(status.code());
  r.detail = FirstLine(status.message());
  r.error = status;
  return r;
}

std::vector<DatabaseResult> ForEachDatabase(const std::vector<Target>& targets, int jobs,
                                            const DatabaseWork& work, FleetObserver* observer) {
  std::vector<DatabaseResult> results(targets.size());
  if (targets.size() == 1) {
    results[0] = WorkOn(targets, 0, work, observer);
    return results;
  }
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < targets.size(); i = next++) {
      results[i] = WorkOn(targets, i, work, observer);
    }
  };
  size_t threads = std::min<size_t>(std::max(jobs, 1), targets.size());
  std::vector<std::thread> pool;
  for (size_t t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (std::thread& t : pool) t.join();
  return results;
}

FleetSummary SummarizeResults(const std::vector<DatabaseResult>& results) {
  FleetSummary summary;
  summary.databases = results.size();
  std::map<int, size_t> codes;
  for (const DatabaseResult& r : results) {
    if (r.failed()) ++codes[r.exit_code];
    ++summary.labels[r.label];
  }
  for (const auto& [code, n] : codes) summary.failed += n;
  if (codes.empty()) return summary;
  // A stop request is what the run as a whole ended on.
  if (InterruptRequested() != 0) {
    summary.exit_code = ExitCodeFor(Status(Code::kInterrupted, ""));
  } else {
    summary.exit_code = codes.size() == 1 ? codes.begin()->first : 1;
  }
  return summary;
}

}  // namespace ratchet
