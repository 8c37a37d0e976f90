// The output of multi-database commands, around the library's pool.
#include "fleet.h"

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>

#include "json_output.h"
#include "ratchet/text.h"

namespace ratchet::tool {
namespace {

std::string Shorten(const std::string& s, size_t n) {
  return s.size() <= n ? s : s.substr(0, n - 3) + "...";
}

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
  return {{"database", r.database},
          {"stage", TextOrNull(r.stage)},
          {"outcome", r.label},
          {"detail", r.detail},
          {"exit_code", r.exit_code},
          {"elapsed_ms", r.elapsed.count()},
          {"error", ErrorFields(r.error)},
          {"next", TextOrNull(r.next)}};
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

Result<std::vector<Target>> TargetsAndSets(const CommonOptions& options, SetCache& sets) {
  auto targets = ResolveTargets(options);
  if (!targets.ok()) return targets.status();
  RATCHET_RETURN_IF_ERROR(LoadSetsFor(*targets, sets));
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

FleetPrinter::FleetPrinter(const std::vector<Target>& targets, bool progress)
    : targets_(targets),
      progress_(progress),
      json_(JsonMode()),
      // On a terminal, a status line under the finished databases' lines
      // says what runs now; every other line first clears it.
      status_line_(targets.size() > 1 && progress && ProgressLinesWanted()),
      held_(targets.size()),
      slots_(targets.size()),
      running_(targets.size(), false) {}

FleetPrinter::~FleetPrinter() { End(); }

void FleetPrinter::Begin() {
  End();
  std::lock_guard<std::mutex> lock(print_);
  finished_ = failed_ = 0;
  for (size_t i = 0; i < held_.size(); ++i) {
    held_[i].str("");
    held_[i].clear();
    running_[i] = false;
    std::lock_guard<std::mutex> job(slots_[i].mutex);
    slots_[i].database.clear();
    slots_[i].item.clear();
  }
  started_ = std::chrono::steady_clock::now();
  if (!status_line_) return;
  ticker_stop_ = false;
  ticker_ = std::thread([this] {
    std::unique_lock<std::mutex> wait(ticker_mutex_);
    while (!ticker_wake_.wait_for(wait, std::chrono::seconds(1), [this] { return ticker_stop_; })) {
      std::lock_guard<std::mutex> lock(print_);
      DrawStatus();
    }
  });
}

void FleetPrinter::End() {
  if (!ticker_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(ticker_mutex_);
    ticker_stop_ = true;
  }
  ticker_wake_.notify_all();
  ticker_.join();
  std::lock_guard<std::mutex> lock(print_);
  ClearStatus();
  std::cout << std::flush;
}

std::ostream& FleetPrinter::Out(size_t index) {
  if (targets_.size() > 1) return held_[index];
  return json_ ? static_cast<std::ostream&>(dropped_) : std::cout;
}

bool FleetPrinter::Live(size_t index) const {
  return targets_.size() == 1 && !json_ && ProgressLinesWanted();
}

std::unique_ptr<Reporter> FleetPrinter::ItemReporter(size_t index, const std::string& database) {
  return MakeItemReporter(Out(index), Live(index), database);
}

void FleetPrinter::ClearStatus() {
  if (drawn_) std::cout << "\r\033[K";
  drawn_ = false;
}

void FleetPrinter::DrawStatus() {
  std::string line = fmt::format(
      "[{}] {}/{} databases done{}; running:", Clock(std::chrono::steady_clock::now() - started_),
      finished_, targets_.size(), failed_ ? fmt::format(", {} failed", failed_) : "");
  for (size_t k = 0; k < slots_.size(); ++k) {
    if (!running_[k]) continue;
    std::lock_guard<std::mutex> job(slots_[k].mutex);
    line += " " + slots_[k].database;
    if (!slots_[k].item.empty()) line += " (" + slots_[k].item + ")";
  }
  size_t max = TerminalWidth() - 1;
  if (line.size() > max) line = line.substr(0, max - 3) + "...";
  std::cout << "\r" << line << "\033[K" << std::flush;
  drawn_ = true;
}

void FleetPrinter::DatabaseStarted(size_t index, const Target& target) {
  if (targets_.size() == 1) return;
  {
    std::lock_guard<std::mutex> lock(print_);
    std::lock_guard<std::mutex> job(slots_[index].mutex);
    slots_[index].database = target.display;
    running_[index] = true;
  }
  current_job = &slots_[index];
}

void FleetPrinter::DatabaseFinished(size_t index, const DatabaseResult& r) {
  if (targets_.size() == 1) {
    if (json_ && progress_) EmitJson("database-finished", ResultJson(r));
    return;
  }
  current_job = nullptr;
  std::lock_guard<std::mutex> lock(print_);
  running_[index] = false;
  ++finished_;
  if (r.failed()) ++failed_;
  if (json_) {
    if (progress_) EmitJson("database-finished", ResultJson(r));
    return;
  }
  if (!progress_) return;
  ClearStatus();
  const size_t width = std::to_string(targets_.size()).size();
  std::cout << fmt::format("[{:>{}}/{}{}] {:<11} {}  {}  ({})\n", finished_, width, targets_.size(),
                           failed_ ? fmt::format(", {} failed", failed_) : "", r.label, r.database,
                           r.detail, FormatMs(r.elapsed));
  if (r.failed() || ShowsOutput(r)) {
    std::istringstream lines(held_[index].str());
    for (std::string line; std::getline(lines, line);) std::cout << "      | " << line << "\n";
  }
  std::cout << std::flush;
}

std::vector<DatabaseResult> RunOnEach(
    const std::vector<Target>& targets, int jobs,
    const std::function<DatabaseResult(const Target& target, std::ostream& out, bool live)>& work,
    bool progress) {
  FleetPrinter printer(targets, progress);
  printer.Begin();
  auto results = ForEachDatabase(
      targets, jobs,
      [&](const Target& target, size_t index) {
        return work(target, printer.Out(index), printer.Live(index));
      },
      &printer);
  printer.End();
  return results;
}

int Summarize(const std::vector<DatabaseResult>& results, const std::string& again,
              const std::string& stage, const std::string& next) {
  const FleetSummary summary = SummarizeResults(results);
  if (JsonMode()) {
    std::string then = next;
    if (summary.exit_code != 0) {
      // One database: its own next step; several: run the command again.
      then = results.size() == 1 && !results[0].next.empty() ? results[0].next : again;
    }
    nlohmann::ordered_json fields;
    if (!stage.empty()) fields["stage"] = stage;
    fields["databases"] = summary.databases;
    fields["failed"] = summary.failed;
    fields["outcomes"] = summary.labels;
    fields["exit_code"] = summary.exit_code;
    fields["next"] = TextOrNull(then);
    EmitJson(stage.empty() || stage == "final" ? "summary" : "stage", fields);
    return summary.exit_code;
  }
  if (results.size() > 1) {
    size_t width = 8;
    for (const DatabaseResult& r : results) width = std::max(width, r.database.size());
    width = std::min<size_t>(width, 60);
    std::string counts;
    for (const auto& [label, n] : summary.labels) {
      counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", n, label);
    }
    std::cout << fmt::format("\nSummary of {} databases: {}.\n", results.size(), counts);
    std::cout << fmt::format("  {:<{}}  {:<11}  {}\n", "DATABASE", width, "RESULT", "DETAIL");
    for (const DatabaseResult& r : results) {
      std::cout << fmt::format("  {:<{}}  {:<11}  {}\n", Shorten(r.database, width), width, r.label,
                               r.detail);
    }
    if (summary.failed != 0) {
      std::cout << fmt::format(
          "{} of {} databases did not finish. Fix what their lines say, then run again (only "
          "databases with work left act): {}\n",
          summary.failed, results.size(), again);
    }
  }
  return summary.exit_code;
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
// It looks four times a second, so that the line appears within a quarter
// of a second of the item's first second, whenever the item started.
void LineReporter::Tick() {
  std::unique_lock<std::mutex> lock(mutex_);
  std::chrono::steady_clock::time_point drawn_item;
  int64_t drawn_second = 0;
  while (!wake_.wait_for(lock, std::chrono::milliseconds(250), [this] { return stop_; })) {
    auto now = std::chrono::steady_clock::now();
    if (!open_ || !in_item_ || now - item_started_ < std::chrono::seconds(1)) continue;
    const int64_t second =
        std::chrono::duration_cast<std::chrono::seconds>(now - item_started_).count();
    if (item_started_ == drawn_item && second == drawn_second) continue;
    drawn_item = item_started_;
    drawn_second = second;
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

void LineReporter::ChecksRan(const Plan& checked, const CheckReport& report) {
  if (report.problems() == 0) return;
  std::lock_guard<std::mutex> lock(mutex_);
  out_ << FormatCheckReport(report);
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
