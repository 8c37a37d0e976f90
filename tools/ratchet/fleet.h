// Working on many databases at once: the job pool, the progress lines and
// the summary table every multi-database command ends with.
#ifndef RATCHET_TOOLS_RATCHET_FLEET_H_
#define RATCHET_TOOLS_RATCHET_FLEET_H_

#include <chrono>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "common.h"

namespace ratchet::tool {

// What one command did to one database.
struct DatabaseResult {
  std::string database;   // password-free
  int exit_code = 0;      // as the command would exit for this database alone
  std::string outcome;    // a word or two: "upgraded", "up to date", "failed", "pivoted"
  std::string detail;     // one line: counts, release, or the first line of the error
  std::chrono::milliseconds elapsed{0};
  // Print the database's held-back output even though it succeeded.
  bool show_output = false;
};

// The result for a database where `status` went wrong: its exit code, the
// outcome "failed" (or "refused", "busy"...), and the message as detail.
DatabaseResult FailedResult(const std::string& database, const Status& status);

// Resolves the databases the options name and loads the set for each of
// their engines into `sets`, so that a bad set stops the command before any
// database is touched.
Result<std::vector<Target>> TargetsAndSets(const CommonOptions& options, SetCache& sets);

// Connects a job to `target` with the set for its engine. On failure writes
// "ratchet: error: ..." to the job's error stream and fills `*failed`.
std::optional<Session> OpenForJob(SetCache& sets, const Target& target, OpenMode mode,
                                  std::ostream& out, DatabaseResult* failed);

// Runs `work` once per target, `jobs` targets at a time, each on its own
// connection. With one target, `work` writes straight to standard output as
// it goes. With several, each database's output is held back; when a
// database finishes, a progress line is printed ("[ 3/50] ok  <database>
// <detail>"), followed by its held-back output only if it failed. Without
// `progress` nothing is printed (output for programs, e.g. --json).
std::vector<DatabaseResult> RunOnEach(
    const std::vector<Target>& targets, int jobs,
    const std::function<DatabaseResult(const Target& target, std::ostream& out, bool live)>& work,
    bool progress = true);

// Prints the summary table for several databases (nothing for one) and
// returns the exit code: 0 when every database succeeded, the failures'
// common exit code when they share one, otherwise 1.
int Summarize(const std::vector<DatabaseResult>& results, const std::string& again);

// The command line that runs `command` again on the same databases, for
// "next:" hints. Never holds a password.
std::string FleetCommandLine(const std::string& command, const CommonOptions& options);

// Prints one aligned line per item, ending in ok/failed and the time. When
// `live` (one database, on a terminal) an item's line appears when it starts,
// so a long item shows what is running.
class LineReporter : public Reporter {
 public:
  LineReporter(std::ostream& out, bool live) : out_(out), live_(live) {}
  void Banner(const std::string& text) override;
  void ItemStarted(const Item& item, size_t index, size_t count) override;
  void ItemFinished(const Item& item, ItemOutcome outcome, std::chrono::milliseconds elapsed,
                    const Status& error) override;
  void Note(const std::string& text) override;

  // The word that ends a successful item's line ("ok", "prepared").
  void set_done_word(std::string word) { done_word_ = std::move(word); }

 private:
  std::ostream& out_;
  bool live_;
  std::string prefix_;
  bool open_ = false;     // the current line waits for its end
  bool in_item_ = false;  // an item has started and not finished
  std::string done_word_ = "ok";
};

// Where a job writes its errors: standard error when it writes straight to
// standard output (one database), else the same held-back stream.
std::ostream& ErrorStream(std::ostream& out);

// "12 ms", "3.4 s".
std::string FormatMs(std::chrono::milliseconds ms);

}  // namespace ratchet::tool

#endif  // RATCHET_TOOLS_RATCHET_FLEET_H_
