// The job pool and the output of multi-database commands.
#include "fleet.h"

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "json_output.h"
#include "ratchet/interrupt.h"
#include "util/text.h"

namespace ratchet::tool {
namespace {

std::string Shorten(const std::string& s, size_t n) {
  return s.size() <= n ? s : s.substr(0, n - 3) + "...";
}

std::string FirstLine(const std::string& s) { return s.substr(0, s.find('\n')); }

thread_local JobProgress* current_job = nullptr;

// "0:07", "12:03", "1:02:03".
std::string Clock(std::chrono::steady_clock::duration d) {
  auto s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

size_t TerminalWidth() {
  struct winsize size {};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 20) return size.ws_col;
  return 80;
}

nlohmann::ordered_json ResultJson(const DatabaseResult& r) {
  return {{"database", r.database},        {"stage", TextOrNull(r.stage)},
          {"outcome", r.outcome},          {"detail", r.detail},
          {"exit_code", r.exit_code},      {"elapsed_ms", r.elapsed.count()},
          {"error", ErrorFields(r.error)}, {"next", TextOrNull(r.next)}};
}

}  // namespace

JobProgress* CurrentJob() { return current_job; }

bool ProgressLinesWanted() {
  if (JsonMode() || !IsTerminal()) return false;
  const char* term = std::getenv("TERM");
  return term == nullptr || std::string(term) != "dumb";
}

DatabaseResult WithNext(DatabaseResult r, std::string next) {
  r.next = std::move(next);
  return r;
}

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
  r.error = status;
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
  const bool json = JsonMode();
  auto emit = [&](const DatabaseResult& r) {
    if (json && progress) EmitJson("database-finished", ResultJson(r));
  };
  if (targets.size() == 1) {
    auto started = std::chrono::steady_clock::now();
    std::ostringstream dropped;  // with --json only the objects are output
    results[0] = json ? work(targets[0], dropped, false)
                      : work(targets[0], std::cout, ProgressLinesWanted());
    results[0].elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    if (results[0].database.empty()) results[0].database = targets[0].display;
    emit(results[0]);
    return results;
  }
  std::atomic<size_t> next{0};
  std::mutex print;
  size_t finished = 0, failed = 0;
  size_t width = std::to_string(targets.size()).size();
  // On a terminal, a status line under the finished databases' lines says
  // what runs now; every other line first clears it.
  const bool status_line = progress && ProgressLinesWanted();
  std::vector<JobProgress> slots(targets.size());
  std::vector<bool> running(targets.size(), false);
  bool drawn = false;
  const auto run_started = std::chrono::steady_clock::now();
  auto clear_status = [&] {
    if (drawn) std::cout << "\r\033[K";
    drawn = false;
  };
  auto draw_status = [&] {  // under `print`
    std::string line =
        fmt::format("[{}] {}/{} databases done{}; running:",
                    Clock(std::chrono::steady_clock::now() - run_started), finished, targets.size(),
                    failed ? fmt::format(", {} failed", failed) : "");
    for (size_t k = 0; k < slots.size(); ++k) {
      if (!running[k]) continue;
      std::lock_guard<std::mutex> job(slots[k].mutex);
      line += " " + slots[k].database;
      if (!slots[k].item.empty()) line += " (" + slots[k].item + ")";
    }
    size_t max = TerminalWidth() - 1;
    if (line.size() > max) line = line.substr(0, max - 3) + "...";
    std::cout << "\r" << line << "\033[K" << std::flush;
    drawn = true;
  };
  std::mutex ticker_mutex;
  std::condition_variable ticker_wake;
  bool ticker_stop = false;
  std::thread ticker;
  if (status_line) {
    ticker = std::thread([&] {
      std::unique_lock<std::mutex> wait(ticker_mutex);
      while (!ticker_wake.wait_for(wait, std::chrono::seconds(1), [&] { return ticker_stop; })) {
        std::lock_guard<std::mutex> lock(print);
        draw_status();
      }
    });
  }
  auto worker = [&] {
    for (size_t i = next++; i < targets.size(); i = next++) {
      std::ostringstream held;
      {
        std::lock_guard<std::mutex> lock(print);
        std::lock_guard<std::mutex> job(slots[i].mutex);
        slots[i].database = targets[i].display;
        running[i] = true;
      }
      current_job = &slots[i];
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
      current_job = nullptr;
      if (r.database.empty()) r.database = targets[i].display;
      std::lock_guard<std::mutex> lock(print);
      running[i] = false;
      ++finished;
      if (r.exit_code != 0) ++failed;
      if (json) {
        emit(r);
        results[i] = std::move(r);
        continue;
      }
      if (!progress) {
        results[i] = std::move(r);
        continue;
      }
      clear_status();
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
  if (ticker.joinable()) {
    {
      std::lock_guard<std::mutex> lock(ticker_mutex);
      ticker_stop = true;
    }
    ticker_wake.notify_all();
    ticker.join();
    std::lock_guard<std::mutex> lock(print);
    clear_status();
    std::cout << std::flush;
  }
  return results;
}

namespace {

int ExitCodeOf(const std::map<int, size_t>& codes) {
  if (codes.empty()) return 0;
  // A stop request is what the run as a whole ended on.
  if (InterruptRequested() != 0) return ExitCodeFor(Status(Code::kInterrupted, ""));
  return codes.size() == 1 ? codes.begin()->first : 1;
}

}  // namespace

int Summarize(const std::vector<DatabaseResult>& results, const std::string& again,
              const std::string& stage, const std::string& next) {
  std::map<int, size_t> codes;
  std::map<std::string, size_t> outcomes;
  for (const DatabaseResult& r : results) {
    if (r.exit_code != 0) ++codes[r.exit_code];
    ++outcomes[r.outcome];
  }
  if (JsonMode()) {
    size_t failed = 0;
    for (const auto& [code, n] : codes) failed += n;
    int code = ExitCodeOf(codes);
    std::string then = next;
    if (code != 0) {
      // One database: its own next step; several: run the command again.
      then = results.size() == 1 && !results[0].next.empty() ? results[0].next : again;
    }
    nlohmann::ordered_json fields;
    if (!stage.empty()) fields["stage"] = stage;
    fields["databases"] = results.size();
    fields["failed"] = failed;
    fields["outcomes"] = outcomes;
    fields["exit_code"] = code;
    fields["next"] = TextOrNull(then);
    EmitJson(stage.empty() || stage == "final" ? "summary" : "stage", fields);
    return code;
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
  return ExitCodeOf(codes);
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

LineReporter::LineReporter(std::ostream& out, bool live)
    : out_(out), live_(live), run_started_(std::chrono::steady_clock::now()) {
  if (live_) ticker_ = std::thread([this] { Tick(); });
}

LineReporter::~LineReporter() {
  if (!ticker_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  ticker_.join();
}

// Once an item has run for a second, its open line says every second for
// how long it has run and how long the whole run has taken.
void LineReporter::Tick() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_; })) {
    auto now = std::chrono::steady_clock::now();
    if (!open_ || !in_item_ || now - item_started_ < std::chrono::seconds(1)) continue;
    out_ << "\r" << prefix_
         << fmt::format("running {}  (run {})", Clock(now - item_started_),
                        Clock(now - run_started_))
         << "\033[K" << std::flush;
    drawn_ = true;
  }
}

void LineReporter::Rewind() {
  if (drawn_) out_ << "\r" << prefix_ << "\033[K";
  drawn_ = false;
}

std::unique_ptr<Reporter> MakeItemReporter(std::ostream& out, bool live,
                                           const std::string& database,
                                           const std::string& done_word) {
  if (JsonMode()) return std::make_unique<JsonReporter>(database);
  auto lines = std::make_unique<LineReporter>(out, live);
  lines->set_done_word(done_word);
  return lines;
}

void LineReporter::Banner(const std::string& text) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (open_) out_ << "\n";
  drawn_ = false;
  open_ = false;
  out_ << text << "\n";
}

void LineReporter::ItemStarted(const Item& item, size_t index, size_t count) {
  size_t width = std::to_string(count).size();
  std::lock_guard<std::mutex> lock(mutex_);
  prefix_ = fmt::format("  [{:>{}}/{}] {:<7} {:<40} ", index, width, count, item.version.ToString(),
                        Shorten(item.description, 40));
  in_item_ = true;
  item_started_ = std::chrono::steady_clock::now();
  if (JobProgress* job = CurrentJob()) {
    std::lock_guard<std::mutex> slot(job->mutex);
    job->item = fmt::format("{} {}/{}", item.version.ToString(), index, count);
  }
  if (live_) {
    out_ << prefix_ << std::flush;
    open_ = true;
  }
}

void LineReporter::ItemFinished(const Item& item, ItemOutcome outcome,
                                std::chrono::milliseconds elapsed, const Status& error) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!open_) out_ << prefix_;
  if (open_) Rewind();
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
  std::lock_guard<std::mutex> lock(mutex_);
  if (open_) out_ << "\n";
  drawn_ = false;
  open_ = false;
  out_ << "      " << text << "\n";
  if (live_ && in_item_) {
    out_ << prefix_ << std::flush;
    open_ = true;
  }
}

}  // namespace ratchet::tool
