// What multi-database commands print: each database's output held back or
// shown, the progress lines and status line, the item lines, and the
// summary table every multi-database command ends with. The library's pool
// (ratchet/fleet.h) does the work.
#ifndef RATCHET_TOOLS_RATCHET_FLEET_H_
#define RATCHET_TOOLS_RATCHET_FLEET_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common.h"
#include "ratchet/fleet.h"

namespace ratchet::tool {

// The databases the options name and the set loaded for each of their
// engines into `sets`, so that a bad set stops the command before any
// database is touched.
Result<std::vector<Target>> TargetsAndSets(const CommonOptions& options, SetCache& sets);

// Connects a job to `target` with the set for its engine. On failure writes
// "ratchet: error: ..." to the job's error stream and fills `*failed`.
std::optional<Session> OpenForJob(SetCache& sets, const Target& target, OpenMode mode,
                                  std::ostream& out, DatabaseResult* failed);

// The result `r` with `next` as the command that moves the database on.
DatabaseResult WithNext(DatabaseResult r, std::string next);

// What one job of a multi-database run is doing, for the status line.
struct JobProgress {
  std::mutex mutex;  // the job writes `item`, the status line reads it
  std::string database;
  std::string item;  // "V4 3/10", or ""
};

// The progress slot of the job running on this thread, or null.
JobProgress* CurrentJob();

// Prints a run over `targets`. With one target, its output goes straight to
// standard output as it comes. With several, each database's output is held
// back; when a database finishes, a progress line is printed ("[ 3/50] ok
// <database>  <detail>"), followed by its held-back output only if it
// failed (or ShowsOutput says so); on a terminal a status line below says
// what is running. Without `progress` nothing is printed. With --json every
// database's text is dropped, and a database-finished object is written as
// each finishes (unless `progress` is false).
class FleetPrinter : public FleetObserver {
 public:
  explicit FleetPrinter(const std::vector<Target>& targets, bool progress = true);
  ~FleetPrinter() override;
  FleetPrinter(const FleetPrinter&) = delete;
  FleetPrinter& operator=(const FleetPrinter&) = delete;

  // Begins one pass over the targets (counting from the first again, with
  // nothing held back), and ends it, clearing the status line.
  void Begin();
  void End();

  // Where the work on `targets[index]` writes, and whether it may redraw
  // its lines (one database, on a terminal).
  std::ostream& Out(size_t index);
  bool Live(size_t index) const;

  void DatabaseStarted(size_t index, const Target& target) override;
  void DatabaseFinished(size_t index, const DatabaseResult& result) override;
  std::unique_ptr<Reporter> ItemReporter(size_t index, const std::string& database) override;

 protected:
  // Whether a database's held-back output is printed although it succeeded.
  virtual bool ShowsOutput(const DatabaseResult& result) const { return false; }

 private:
  void ClearStatus();  // under print_
  void DrawStatus();   // under print_

  const std::vector<Target>& targets_;
  const bool progress_;
  const bool json_;
  const bool status_line_;      // several databases, on a terminal
  std::ostringstream dropped_;  // one database with --json: only the objects are output
  std::vector<std::ostringstream> held_;
  std::vector<JobProgress> slots_;
  std::vector<bool> running_;
  std::mutex print_;
  size_t finished_ = 0, failed_ = 0;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point started_;
  std::mutex ticker_mutex_;
  std::condition_variable ticker_wake_;
  bool ticker_stop_ = false;
  std::thread ticker_;
};

// Runs `work` once per target, `jobs` targets at a time, each on its own
// connection (ForEachDatabase), printed by a FleetPrinter: `out` is where
// the work writes and `live` whether it may redraw lines.
std::vector<DatabaseResult> RunOnEach(
    const std::vector<Target>& targets, int jobs,
    const std::function<DatabaseResult(const Target& target, std::ostream& out, bool live)>& work,
    bool progress = true);

// Prints the summary table for several databases (nothing for one) and
// returns the exit code: 0 when every database succeeded, the failures'
// common exit code when they share one, otherwise 1. With --json writes the
// summary object instead (a "stage" object when `stage` names a step that
// is not the command's last); `next` is its next command when all succeeded.
int Summarize(const std::vector<DatabaseResult>& results, const std::string& again,
              const std::string& stage = "", const std::string& next = "");

// The command line that runs `command` again on the same databases, for
// "next:" hints. Never holds a password.
std::string FleetCommandLine(const std::string& command, const CommonOptions& options);

// Prints one aligned line per item, ending in ok/failed and the time. When
// `live` (one database, on a terminal) an item's line appears when it starts,
// so a long item shows what is running, and while it runs the line says for
// how long, and how long the run has taken. The pre-upgrade checks' report
// is printed when they found problems.
class LineReporter : public Reporter {
 public:
  LineReporter(std::ostream& out, bool live);
  ~LineReporter() override;
  void Banner(const std::string& text) override;
  void ItemStarted(const Item& item, size_t index, size_t count) override;
  void ItemFinished(const Item& item, ItemOutcome outcome, std::chrono::milliseconds elapsed,
                    const Status& error) override;
  void Note(const std::string& text) override;
  void ChecksRan(const Plan& checked, const CheckReport& report) override;

  // The word that ends a successful item's line ("ok", "prepared").
  void set_done_word(std::string word) { done_word_ = std::move(word); }

 private:
  void Tick();
  // Starts the line of an item again when the ticker wrote on it.
  void Rewind();

  std::ostream& out_;
  bool live_;
  std::string prefix_;
  bool open_ = false;     // the current line waits for its end
  bool in_item_ = false;  // an item has started and not finished
  bool drawn_ = false;    // the ticker added to the open line
  std::string done_word_ = "ok";
  std::chrono::steady_clock::time_point run_started_, item_started_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread ticker_;
};

// The reporter for one database's items: a JsonReporter with --json, else
// a LineReporter on `out` whose successful items end in `done_word`.
std::unique_ptr<Reporter> MakeItemReporter(std::ostream& out, bool live,
                                           const std::string& database,
                                           const std::string& done_word = "ok");

// True when a line that redraws itself may be written to standard output:
// a terminal that is not TERM=dumb, and not --json.
bool ProgressLinesWanted();

// Where a job writes its errors: standard error when it writes straight to
// standard output (one database), else the same held-back stream.
std::ostream& ErrorStream(std::ostream& out);

// "12 ms", "3.4 s".
std::string FormatMs(std::chrono::milliseconds ms);

}  // namespace ratchet::tool

#endif  // RATCHET_TOOLS_RATCHET_FLEET_H_
