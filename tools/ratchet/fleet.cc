// The job pool and the output of multi-database commands.
#include "fleet.h"

#include <fmt/format.h>

#include <atomic>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "ratchet/interrupt.h"
#include "util/text.h"

namespace ratchet::tool {
namespace {

std::string Shorten(const std::string& s, size_t n) {
  return s.size() <= n ? s : s.substr(0, n - 3) + "...";
}

std::string FirstLine(const std::string& s) { return s.substr(0, s.find('\n')); }

}  // namespace

std::string FormatMs(std::chrono::milliseconds ms) {
  if (ms.count() < 10000) return fmt::format("{} ms", ms.count());
  return fmt::format("{:.1f} s", ms.count() / 1000.0);
}

std::ostream& ErrorStream(std::ostream& out) { return &out == &std::cout ? std::cerr : out; }

DatabaseResult FailedResult(const std::string& database, const Status& status) {
  DatabaseResult r;
  r.database = database;
  r.exit_code = ExitCodeFor(status);
  switch (status.code()) {
    case Code::kLockBusy:
      r.outcome = "busy";
      break;
    case Code::kRefused:
      r.outcome = "refused";
      break;
    case Code::kConnection:
      r.outcome = "unreachable";
      break;
    case Code::kCheckFailed:
      r.outcome = "problems";
      break;
    default:
      r.outcome = "failed";
      break;
  }
  r.detail = FirstLine(status.message());
  return r;
}

Result<std::vector<Target>> TargetsAndSets(const CommonOptions& options, SetCache& sets) {
  auto targets = ResolveTargets(options);
  if (!targets.ok()) return targets.status();
  for (const Target& t : *targets) {
    auto set = sets.For(t.kind);
    if (!set.ok()) return set.status();
  }
  return targets;
}

std::optional<Session> OpenForJob(SetCache& sets, const Target& target, OpenMode mode,
                                  std::ostream& out, DatabaseResult* failed) {
  auto set = sets.For(target.kind);
  Result<Session> session = set.ok() ? OpenTarget(target, *set, mode) : set.status();
  if (session.ok()) return std::move(*session);
  ErrorStream(out) << "ratchet: error: " << session.status().message() << "\n";
  *failed = FailedResult(target.display, session.status());
  return std::nullopt;
}

std::vector<DatabaseResult> RunOnEach(
    const std::vector<Target>& targets, int jobs,
    const std::function<DatabaseResult(const Target& target, std::ostream& out, bool live)>& work,
    bool progress) {
  std::vector<DatabaseResult> results(targets.size());
  if (targets.size() == 1) {
    auto started = std::chrono::steady_clock::now();
    results[0] = work(targets[0], std::cout, IsTerminal());
    results[0].elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    return results;
  }
  std::atomic<size_t> next{0};
  std::mutex print;
  size_t finished = 0, failed = 0;
  size_t width = std::to_string(targets.size()).size();
  auto worker = [&] {
    for (size_t i = next++; i < targets.size(); i = next++) {
      std::ostringstream held;
      auto started = std::chrono::steady_clock::now();
      // After a stop request no database is started; the ones under way
      // stop at their next item.
      DatabaseResult r = InterruptRequested() != 0
                             ? FailedResult(targets[i].display,
                                            Status(Code::kInterrupted,
                                                   fmt::format("not started: stopped by {}",
                                                               SignalName(InterruptRequested()))))
                             : work(targets[i], held, false);
      r.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - started);
      if (r.database.empty()) r.database = targets[i].display;
      std::lock_guard<std::mutex> lock(print);
      ++finished;
      if (r.exit_code != 0) ++failed;
      if (!progress) {
        results[i] = std::move(r);
        continue;
      }
      std::cout << fmt::format("[{:>{}}/{}{}] {:<11} {}  {}  ({})\n", finished, width,
                               targets.size(), failed ? fmt::format(", {} failed", failed) : "",
                               r.outcome, r.database, r.detail, FormatMs(r.elapsed));
      if (r.exit_code != 0 || r.show_output) {
        std::istringstream lines(held.str());
        for (std::string line; std::getline(lines, line);) std::cout << "      | " << line << "\n";
      }
      std::cout << std::flush;
      results[i] = std::move(r);
    }
  };
  size_t threads = std::min<size_t>(std::max(jobs, 1), targets.size());
  std::vector<std::thread> pool;
  for (size_t t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (std::thread& t : pool) t.join();
  return results;
}

int Summarize(const std::vector<DatabaseResult>& results, const std::string& again) {
  std::map<int, size_t> codes;
  std::map<std::string, size_t> outcomes;
  for (const DatabaseResult& r : results) {
    if (r.exit_code != 0) ++codes[r.exit_code];
    ++outcomes[r.outcome];
  }
  if (results.size() > 1) {
    size_t width = 8;
    for (const DatabaseResult& r : results) width = std::max(width, r.database.size());
    width = std::min<size_t>(width, 60);
    std::string counts;
    for (const auto& [outcome, n] : outcomes) {
      counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", n, outcome);
    }
    std::cout << fmt::format("\nSummary of {} databases: {}.\n", results.size(), counts);
    std::cout << fmt::format("  {:<{}}  {:<11}  {}\n", "DATABASE", width, "RESULT", "DETAIL");
    for (const DatabaseResult& r : results) {
      std::cout << fmt::format("  {:<{}}  {:<11}  {}\n", Shorten(r.database, width), width,
                               r.outcome, r.detail);
    }
    if (!codes.empty()) {
      size_t failed = 0;
      for (const auto& [code, n] : codes) failed += n;
      std::cout << fmt::format(
          "{} of {} databases did not finish. Fix what their lines say, then run again (only "
          "databases with work left act): {}\n",
          failed, results.size(), again);
    }
  }
  if (codes.empty()) return 0;
  // A stop request is what the run as a whole ended on.
  if (InterruptRequested() != 0) return ExitCodeFor(Status(Code::kInterrupted, ""));
  return codes.size() == 1 ? codes.begin()->first : 1;
}

std::string FleetCommandLine(const std::string& command, const CommonOptions& options) {
  std::string line = "ratchet " + command;
  if (options.set_dir != ".") line += " --set " + ShellQuote(options.set_dir);
  for (const std::string& db : options.dbs) {
    auto target = ParseTarget(db);
    line += " --db " + (target.ok() ? ShellQuote(target->display) : std::string("<database>"));
  }
  if (!options.targets_file.empty()) line += " --targets " + ShellQuote(options.targets_file);
  if (!options.databases.empty()) line += " --databases " + ShellQuote(options.databases);
  if (options.jobs > 1) line += fmt::format(" --jobs {}", options.jobs);
  return line;
}

void LineReporter::Banner(const std::string& text) {
  if (open_) out_ << "\n";
  open_ = false;
  out_ << text << "\n";
}

void LineReporter::ItemStarted(const Item& item, size_t index, size_t count) {
  size_t width = std::to_string(count).size();
  prefix_ = fmt::format("  [{:>{}}/{}] {:<7} {:<40} ", index, width, count, item.version.ToString(),
                        Shorten(item.description, 40));
  in_item_ = true;
  if (live_) {
    out_ << prefix_ << std::flush;
    open_ = true;
  }
}

void LineReporter::ItemFinished(const Item& item, ItemOutcome outcome,
                                std::chrono::milliseconds elapsed, const Status& error) {
  if (!open_) out_ << prefix_;
  open_ = false;
  in_item_ = false;
  switch (outcome) {
    case ItemOutcome::kApplied:
      out_ << fmt::format("{:<8}{:>7}\n", done_word_, FormatMs(elapsed));
      break;
    case ItemOutcome::kFailed:
      out_ << fmt::format("failed  {:>7}\n", FormatMs(elapsed));
      break;
    case ItemOutcome::kFailedOptional:
      out_ << fmt::format("failed  {:>7}  (optional: recorded, retried next run)\n",
                          FormatMs(elapsed));
      out_ << "      " << error.message() << "\n";
      break;
    case ItemOutcome::kSkipped:
      out_ << "skipped           (" << error.message() << ")\n";
      break;
  }
}

void LineReporter::Note(const std::string& text) {
  if (open_) out_ << "\n";
  open_ = false;
  out_ << "      " << text << "\n";
  if (live_ && in_item_) {
    out_ << prefix_ << std::flush;
    open_ = true;
  }
}

}  // namespace ratchet::tool
