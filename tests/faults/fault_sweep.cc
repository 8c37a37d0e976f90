// The fault sweep's engine: trace, kill, status, resume, compare.
#include "faults/fault_sweep.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "util/fault.h"

namespace ratchet::testing {
namespace fs = std::filesystem;

std::map<std::string, long> ReadTrace(const fs::path& trace) {
  std::map<std::string, long> passes;
  std::ifstream in(trace);
  std::string point;
  long n = 0;
  while (in >> point >> n) passes[point] = std::max(passes[point], n);
  return passes;
}

bool FullSweep() {
  const char* v = std::getenv("RATCHET_FAULTS");
  return v != nullptr && std::string(v) == "all";
}

std::vector<FaultCase> ChooseCases(const std::map<std::string, long>& passes) {
  std::vector<FaultCase> cases;
  for (const auto& [point, count] : passes) {
    if (FullSweep()) {
      for (long n = 1; n <= count; ++n) cases.emplace_back(point, n);
      continue;
    }
    std::set<long> chosen = {1, (count + 1) / 2, count};
    for (long n : chosen) cases.emplace_back(point, n);
  }
  return cases;
}

RunResult FaultSweep::RatchetOn(const fs::path& set_dir, const std::string& db,
                                const std::vector<std::string>& args,
                                const std::vector<std::string>& env) {
  std::vector<std::string> all = args;
  all.insert(all.end(), {"--set", set_dir.string(), "--db", db});
  return RunRatchet(all, env);
}

void FaultSweep::ExecuteOn(const std::string& db, const std::string& sql) {
  auto target = ParseTarget(db);
  ASSERT_TRUE(target.ok()) << target.status().message();
  auto conn = Connect(*target, {});
  ASSERT_TRUE(conn.ok()) << conn.status().message();
  Status s = (*conn)->ExecuteScript(sql);
  ASSERT_TRUE(s.ok()) << s.message();
}

namespace {

// The value of the line "<label>: ..." in `text`, or "".
std::string LineValue(const std::string& text, const std::string& label) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(label + ":", 0) == 0) {
      size_t value = line.find_first_not_of(' ', label.size() + 1);
      return value == std::string::npos ? "" : line.substr(value);
    }
  }
  return "";
}

// The words of a command line as the POSIX shell splits them: at blanks,
// with '...' quoting anything and a backslash escaping one character. Other
// shell syntax (double quotes, $, `) is not expected in ratchet's output.
std::vector<std::string> Words(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == ' ' || c == '\t') {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\'') {
      size_t close = text.find('\'', i + 1);
      if (close == std::string::npos) close = text.size();
      word += text.substr(i + 1, close - i - 1);
      i = close;
    } else if (c == '\\' && i + 1 < text.size()) {
      word += text[++i];
    } else {
      word += c;
    }
  }
  if (in_word) words.push_back(word);
  return words;
}

}  // namespace

std::vector<std::string> NextCommand(const std::string& status_text) {
  const std::string next = LineValue(status_text, "Next");
  std::vector<std::string> words = Words(next.substr(0, next.find("  (")));
  if (words.empty() || words[0] != "ratchet") return {};
  return std::vector<std::string>(words.begin() + 1, words.end());
}

namespace {

// The states a database rests in between runs (docs/IMPLEMENTATION.md):
// any other state is left only by a run still going or one that stopped.
bool AtRest(const std::string& status) {
  return status == "active" || status == "prepared" || status == "failed-upgrade" ||
         status == "failed-prepare";
}

}  // namespace

bool LeftBehind::MidRun() const { return bookkeeping && (!AtRest(status) || !open_run.empty()); }

LeftBehind ReadLeftBehind(const std::string& db, Connection* admin) {
  LeftBehind left;
  if (admin == nullptr) {
    const std::string path = db.substr(db.find(':') + 1);
    left.copy_unfinished = fs::exists(path + ".copying") || fs::exists(path + ".new");
  } else {
    const std::string name = db.substr(db.rfind("dbname=") + 7);
    auto copies = admin->Query(
        "SELECT count(*) FROM pg_database WHERE datname IN ($1 || '_copying', $1 || '_new') "
        "OR (datname = $1 AND NOT datallowconn)",
        {name});
    EXPECT_TRUE(copies.ok()) << copies.status().message();
    left.copy_unfinished = copies.ok() && copies->rows[0][0] != "0";
    // (A PostgreSQL original closed by copy-upgrade takes no connection.)
    if (left.copy_unfinished) return left;
  }
  auto target = ParseTarget(db);
  EXPECT_TRUE(target.ok()) << target.status().message();
  if (!target.ok()) return left;
  ConnectOptions options;
  options.create_if_missing = false;
  auto conn = Connect(*target, options);
  if (!conn.ok()) {
    // Only a SQLite file that no run created yet may be missing.
    EXPECT_TRUE(admin == nullptr && !fs::exists(db.substr(db.find(':') + 1)))
        << conn.status().message();
    return left;
  }
  auto has = (*conn)->HasBookkeeping();
  EXPECT_TRUE(has.ok()) << has.status().message();
  if (!has.ok() || !*has) return left;
  left.bookkeeping = true;
  const std::string state = (*conn)->BookkeepingTable("state");
  const std::string events = (*conn)->BookkeepingTable("events");
  const std::string items = (*conn)->BookkeepingTable("items");
  auto row = (*conn)->Query("SELECT status, COALESCE(in_flight, '') FROM " + state);
  EXPECT_TRUE(row.ok() && row->rows.size() == 1) << "the state row cannot be read";
  if (row.ok() && row->rows.size() == 1) {
    left.status = row->rows[0][0].value_or("");
    left.in_flight = row->rows[0][1].value_or("");
  }
  const std::string starts =
      "('upgrade-started', 'prepare-started', 'prepare-resumed', 'rollback-started')";
  auto open = (*conn)->Query(
      "SELECT s.event || ' ' || COALESCE(s.upgrade_id, '') FROM " + events + " s WHERE s.seq = " +
      "(SELECT MAX(seq) FROM " + events + " WHERE event IN " + starts + ") AND NOT EXISTS " +
      "(SELECT 1 FROM " + events + " e WHERE e.seq > s.seq AND e.upgrade_id = s.upgrade_id AND " +
      "e.event IN ('upgrade-done', 'prepare-done', 'rollback-done', 'item-failed', " +
      "'run-interrupted'))");
  EXPECT_TRUE(open.ok()) << open.status().message();
  if (open.ok() && !open->rows.empty()) left.open_run = open->rows[0][0].value_or("");
  auto recorded = (*conn)->Query("SELECT version, phase FROM " + items);
  EXPECT_TRUE(recorded.ok()) << recorded.status().message();
  if (recorded.ok()) {
    for (const Row& r : recorded->rows) {
      auto v = Version::Parse(r[0].value_or(""));
      EXPECT_TRUE(v.has_value()) << "items holds version " << r[0].value_or("NULL");
      if (v) left.items.emplace_back(*v, r[1].value_or(""));
    }
  }
  return left;
}

std::string ExpectedInFlight(const LeftBehind& left, const std::vector<Version>& reference) {
  if (!left.in_flight.empty()) return left.in_flight;
  if (left.status == "rolling-back") {
    std::optional<Version> newest;
    for (const auto& [version, phase] : left.items) {
      if (phase == "prepared" && (!newest || *newest < version)) newest = version;
    }
    return newest ? newest->ToString() : "";
  }
  for (const Version& v : reference) {
    bool recorded = std::any_of(left.items.begin(), left.items.end(),
                                [&](const auto& item) { return item.first == v; });
    if (!recorded) return v.ToString();
  }
  return "";
}

std::string FaultSweep::RunCase(const Scenario& scenario, const std::string& start, size_t step,
                                const FaultCase& fault,
                                const std::vector<DatabaseImage>& after_step,
                                const std::vector<Version>& versions,
                                const std::string& reference) {
  const auto& [point, pass] = fault;
  const std::string db = ExtraDatabase(start);
  std::string problems;
  auto problem = [&](const std::string& what) { problems += "\n    " + what; };
  for (size_t i = 0; i < step; ++i) {
    RunResult r = RatchetOn(scenario.set_dir, db, scenario.steps[i].args);
    if (r.exit_code != 0) return "an earlier step failed: " + r.all();
  }

  const std::string& command = scenario.steps[step].args[0];
  RunResult killed = RatchetOn(scenario.set_dir, db, scenario.steps[step].args,
                               {fmt::format("RATCHET_FAULT={}:{}", point, pass)});
  if (killed.exit_code != fault::kFaultExitCode ||
      killed.err.find(fmt::format("stopping at {} (pass {})", point, pass)) == std::string::npos) {
    return fmt::format("'{}' did not stop at the fault (exit {}): {}", command, killed.exit_code,
                       killed.all());
  }
  WaitUntilIdle(db);

  // What the run left, read from the database: status is held to it.
  std::unique_ptr<Connection> admin = AdminConnection();
  const LeftBehind left = ReadLeftBehind(db, admin.get());
  admin.reset();
  const bool mid_run = !left.copy_unfinished && left.MidRun();
  // Whether the killed step had nothing left to do: its end was recorded.
  const bool step_done = !left.copy_unfinished && TakeImage(db) == after_step[step];

  // What status says after the crash, and the command it says to run next.
  RunResult text = RatchetOn(scenario.set_dir, db, {"status"});
  RunResult json_run = RatchetOn(scenario.set_dir, db, {"status", "--json"});
  if (text.exit_code != 0 || json_run.exit_code != 0) {
    return "status failed after the crash: " + text.all() + json_run.all();
  }
  auto json = nlohmann::json::parse(json_run.out, nullptr, false);
  if (json.is_discarded()) return "status --json printed no JSON: " + json_run.out;
  const std::string next = LineValue(text.out, "Next");
  const std::vector<std::string> next_args = NextCommand(text.out);
  if (json["next"].is_string() ? json["next"] != next : !next.empty()) {
    problem("status and status --json name different next commands");
  }
  const auto& stopped = json["stopped"];
  const bool copy_reported =
      json["copy_upgrade"].is_object() && json["copy_upgrade"]["unfinished"] == true;
  if (left.copy_unfinished != copy_reported) {
    problem(left.copy_unfinished ? "status does not report the unfinished copy-upgrade"
                                 : "status reports a copy-upgrade that is not unfinished");
  }
  if (left.copy_unfinished && next.find("copy-upgrade --recover") == std::string::npos) {
    problem("status does not name copy-upgrade --recover for an unfinished copy-upgrade");
  }
  if (mid_run) {
    // (For an unfinished copy-upgrade status speaks of the copy as a whole.)
    const std::string why = fmt::format(
        "the state is '{}'{}", left.status,
        left.open_run.empty() ? std::string()
                              : " and the run's start (" + left.open_run + ") has no end");
    if (stopped.is_null()) {
      problem("status calls a run that stopped midway at rest (" + why + ")");
    } else if (stopped["running"] != false) {
      problem("status says a ratchet is still running");
    }
    if (text.out.find("interrupted") == std::string::npos)
      problem("status does not say interrupted (" + why + ")");
    const std::string in_flight = LineValue(text.out, "In flight");
    const std::string expected_item = ExpectedInFlight(left, versions);
    if (in_flight.empty()) problem("status has no In flight line");
    const nlohmann::json said_item = stopped.is_object() ? stopped["item"] : nlohmann::json();
    if (expected_item.empty() ? !said_item.is_null() : said_item != expected_item) {
      problem(fmt::format(
          "status names {} as in flight; the database says {}",
          said_item.is_null() ? "no item" : said_item.dump(),
          expected_item.empty() ? "none (the run stopped after its last item)" : expected_item));
    }
    if (!expected_item.empty() && in_flight.rfind(expected_item + " (items/", 0) != 0) {
      problem("the In flight line does not name " + expected_item + ": " + in_flight);
    }
    if (!left.in_flight.empty() && (!stopped.is_object() || stopped["journaled"] != true)) {
      problem("status does not say that the journaled item " + left.in_flight + " re-runs");
    }
    if (LineValue(text.out, "Pivoted").empty()) problem("status does not say whether it pivoted");
    if (next_args.empty()) problem("status names no ratchet command to go on with: " + next);
  } else if (!left.copy_unfinished) {
    if (!stopped.is_null() || text.out.find("interrupted") != std::string::npos) {
      problem("status reports an interrupted run, but the state is '" + left.status +
              "' and the last run's start has its end");
    }
    if (!step_done && next.empty()) {
      problem("'" + command + "' left work undone, but status names no next command");
    }
  }
  if (point.rfind("journal.", 0) == 0 && !left.copy_unfinished &&
      (stopped.is_null() || stopped["journaled"] != true || !stopped["item"].is_string())) {
    problem("status does not name the journaled item that was in flight");
  }

  // A run that stopped midway is finished by exactly the command status
  // names. One that stopped before it recorded anything left the database
  // at rest with something still to do: the operator runs the same command
  // again. One that stopped after recording its end left nothing to do.
  if (mid_run || left.copy_unfinished) {
    if (next_args.empty()) {
      problem("the next command is not a ratchet command: " + next);
    } else {
      RunResult resumed = RunRatchet(next_args);
      if (resumed.exit_code != 0) problem(fmt::format("'{}' failed: {}", next, resumed.all()));
    }
  } else if (!step_done) {
    RunResult again = RatchetOn(scenario.set_dir, db, scenario.steps[step].args);
    if (again.exit_code != 0)
      problem(fmt::format("'{}' run again failed: {}", command, again.all()));
  }
  for (size_t i = step + 1; i < scenario.steps.size(); ++i) {
    RunResult r = RatchetOn(scenario.set_dir, db, scenario.steps[i].args);
    if (r.exit_code != 0) problem("a later step failed: " + r.all());
  }
  WaitUntilIdle(db);
  const DatabaseImage& expected = after_step.back();
  DatabaseImage actual = TakeImage(db);
  if (actual != expected) problem("end state differs:\n" + DescribeDifference(expected, actual));
  if (scenario.also_compare) {
    std::string more = scenario.also_compare(db, reference);
    if (!more.empty()) problem(more);
  }
  if (problems.empty()) RemoveDatabase(db);
  return problems.empty() ? "" : fmt::format("status said:\n{}{}", text.out, problems);
}

void FaultSweep::Sweep(const Scenario& scenario) {
  const std::string start = ExtraDatabase();
  scenario.setup(start);
  if (HasFatalFailure()) return;
  WaitUntilIdle(start);

  // The uninterrupted run: the reference end state, and every point and
  // pass each faulted step goes through.
  const std::string reference = ExtraDatabase(start);
  std::vector<std::map<std::string, long>> passes(scenario.steps.size());
  std::vector<DatabaseImage> after_step;
  std::set<std::string> seen;
  for (size_t i = 0; i < scenario.steps.size(); ++i) {
    fs::path trace = dir() / fmt::format("trace-{}", i);
    std::vector<std::string> env;
    if (scenario.steps[i].faulted) env.push_back("RATCHET_FAULT_TRACE=" + trace.string());
    RunResult r = RatchetOn(scenario.set_dir, reference, scenario.steps[i].args, env);
    ASSERT_EQ(r.exit_code, 0) << r.all();
    passes[i] = ReadTrace(trace);
    for (const auto& [point, count] : passes[i]) seen.insert(point);
    WaitUntilIdle(reference);
    after_step.push_back(TakeImage(reference));
  }
  EXPECT_EQ(seen, scenario.points) << "the points the scenario passes have changed";
  ASSERT_FALSE(after_step.back().items.empty());
  std::vector<Version> versions;
  for (const std::string& row : RowsOn(reference, "SELECT version FROM " + Books("items"))) {
    versions.push_back(Version::Parse(row).value_or(Version{}));
  }
  std::sort(versions.begin(), versions.end());

  size_t cases = 0, failures = 0;
  for (size_t i = 0; i < scenario.steps.size(); ++i) {
    for (const FaultCase& fault : ChooseCases(passes[i])) {
      ++cases;
      std::string problem = RunCase(scenario, start, i, fault, after_step, versions, reference);
      if (problem.empty()) continue;
      ++failures;
      ADD_FAILURE() << scenario.name << ": killed '" << scenario.steps[i].args[0] << "' at "
                    << fault.first << ":" << fault.second << ": " << problem;
    }
  }
  RecordProperty("fault_cases", static_cast<int>(cases));
  std::cout << fmt::format("[ sweep    ] {}: {} case(s), {} did not converge{}\n", scenario.name,
                           cases, failures, FullSweep() ? " (full sweep)" : "");
}

}  // namespace ratchet::testing
