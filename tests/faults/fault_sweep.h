// The fault sweep: runs a scenario once to learn every fault point and pass
// it goes through, then kills it at each chosen pass, reads from the
// database itself whether the run stopped midway and what was in flight,
// requires `ratchet status` to say the same and to name the next command,
// finishes the run (with the command status names when the run stopped
// midway, else by running the killed command again if it left something to
// do), runs the rest of the scenario, and requires the end state to equal
// that of the uninterrupted run (DESIGN invariant 7).
#ifndef RATCHET_TESTS_FAULTS_FAULT_SWEEP_H_
#define RATCHET_TESTS_FAULTS_FAULT_SWEEP_H_

#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "ratchet/version.h"
#include "support/harness.h"
#include "support/image.h"

namespace ratchet::testing {

// One command of a scenario, run against the scenario's database.
struct SweepStep {
  std::vector<std::string> args;  // e.g. {"upgrade"}; --set and --db are added
  bool faulted = true;            // the sweep kills this step at its passes
};

struct Scenario {
  std::string name;
  std::filesystem::path set_dir;
  // Brings a fresh database (given as for --db) to where the steps start.
  std::function<void(const std::string& db)> setup;
  std::vector<SweepStep> steps;
  // The fault points the faulted steps pass through; the sweep fails if the
  // trace of the uninterrupted run differs, so a point that moves or
  // disappears is noticed.
  std::set<std::string> points;
  // More to compare after a case converged, given the case's database and
  // the reference's: what went wrong, or "".
  std::function<std::string(const std::string& db, const std::string& reference)> also_compare;
};

// (point, pass) pairs to kill a run at.
using FaultCase = std::pair<std::string, long>;

// How many times each point was passed, from a RATCHET_FAULT_TRACE file.
std::map<std::string, long> ReadTrace(const std::filesystem::path& trace);

// The cases of the sweep for `passes`: every pass of every point when
// RATCHET_FAULTS=all (make test-faults); otherwise the first, middle and
// last pass of each point, a deterministic subset that still reaches every
// point (make test).
std::vector<FaultCase> ChooseCases(const std::map<std::string, long>& passes);

// True when RATCHET_FAULTS=all asks for the full sweep.
bool FullSweep();

// The arguments of the command `ratchet status` printed on its Next line
// (without "ratchet" and without the alternatives it adds in brackets);
// empty when there is none or it is not a ratchet command.
std::vector<std::string> NextCommand(const std::string& status_text);

// What a killed run left behind, read from the database itself (its
// bookkeeping tables, or the files and databases copy-upgrade makes) and
// not from `ratchet status`: the truth that status is held to.
struct LeftBehind {
  // copy-upgrade stopped before its swap: a copy (<file>.copying or .new,
  // <db>_copying or _new) is there, or the original is closed.
  bool copy_unfinished = false;
  bool bookkeeping = false;
  std::string status;     // the state row's status
  std::string in_flight;  // the state row's in-flight item
  // The newest run's start event when no event ends that run (done,
  // failed, interrupted): "<event> <upgrade id>", else "".
  std::string open_run;
  // The items table: version and phase.
  std::vector<std::pair<Version, std::string>> items;

  // The run stopped midway: the state names a run in progress (not one of
  // the states a database rests in), or a run's start has no end.
  bool MidRun() const;
};

// Reads what the run on `db` (as for --db) left; `admin` is a connection to
// the PostgreSQL server (null on SQLite).
LeftBehind ReadLeftBehind(const std::string& db, Connection* admin);

// What status must name as in flight after a run stopped midway: the state's
// in-flight item; during a rollback the newest item still prepared; else the
// first version the uninterrupted run records (`reference`, ascending) that
// the database does not. "" for none: the run stopped after its last item.
std::string ExpectedInFlight(const LeftBehind& left, const std::vector<Version>& reference);

class FaultSweep : public EngineTest {
 protected:
  // Runs the sweep of `scenario` on this test's engine. Reports every case
  // that does not converge, with the point, the pass and the difference.
  void Sweep(const Scenario& scenario);

  // Runs ratchet `args` with --set `set_dir` and --db `db` (and `env`).
  RunResult RatchetOn(const std::filesystem::path& set_dir, const std::string& db,
                      const std::vector<std::string>& args,
                      const std::vector<std::string>& env = {});
  // Runs `sql` (a script) on `db` through the library.
  void ExecuteOn(const std::string& db, const std::string& sql);

 private:
  // One case: kill, status, resume, compare. Returns "" when it converged,
  // else what went wrong.
  // `after_step` holds the uninterrupted run's image after each step;
  // `versions` the versions it records, ascending.
  std::string RunCase(const Scenario& scenario, const std::string& start, size_t step,
                      const FaultCase& fault, const std::vector<DatabaseImage>& after_step,
                      const std::vector<Version>& versions, const std::string& reference);
};

}  // namespace ratchet::testing

#endif  // RATCHET_TESTS_FAULTS_FAULT_SWEEP_H_
