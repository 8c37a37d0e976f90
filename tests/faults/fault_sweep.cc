// The fault sweep's engine: trace, kill, status, resume, compare.
#include "faults/fault_sweep.h"

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
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

std::string FaultSweep::RunCase(const Scenario& scenario, const std::string& start, size_t step,
                                const FaultCase& fault, const DatabaseImage& expected,
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
  const bool copy_unfinished =
      json["copy_upgrade"].is_object() && json["copy_upgrade"]["unfinished"] == true;
  if (copy_unfinished && next.find("copy-upgrade --recover") == std::string::npos) {
    problem("status does not name copy-upgrade --recover for an unfinished copy-upgrade");
  }
  if (!stopped.is_null()) {
    if (stopped["running"] != false) problem("status says a ratchet is still running");
    if (text.out.find("interrupted") == std::string::npos)
      problem("status does not say interrupted");
    if (LineValue(text.out, "In flight").empty()) problem("status has no In flight line");
    if (LineValue(text.out, "Pivoted").empty()) problem("status does not say whether it pivoted");
    if (next.empty()) problem("status names no next command for an interrupted run");
  }
  // (For an unfinished copy-upgrade status speaks of the copy as a whole.)
  if (point.rfind("journal.", 0) == 0 && !copy_unfinished &&
      (stopped.is_null() || stopped["journaled"] != true || !stopped["item"].is_string())) {
    problem("status does not name the journaled item that was in flight");
  }

  // A run that stopped midway is finished by exactly the command status
  // names. One that stopped before it recorded anything left the database
  // at rest with something still to do: the operator runs the same command
  // again. One that stopped after recording its end left nothing to do.
  if (!stopped.is_null() || copy_unfinished) {
    if (next_args.empty()) {
      problem("the next command is not a ratchet command: " + next);
    } else {
      RunResult resumed = RunRatchet(next_args);
      if (resumed.exit_code != 0) problem(fmt::format("'{}' failed: {}", next, resumed.all()));
    }
  } else if (!next.empty()) {
    RunResult again = RatchetOn(scenario.set_dir, db, scenario.steps[step].args);
    if (again.exit_code != 0)
      problem(fmt::format("'{}' run again failed: {}", command, again.all()));
  }
  for (size_t i = step + 1; i < scenario.steps.size(); ++i) {
    RunResult r = RatchetOn(scenario.set_dir, db, scenario.steps[i].args);
    if (r.exit_code != 0) problem("a later step failed: " + r.all());
  }
  WaitUntilIdle(db);
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
  std::set<std::string> seen;
  for (size_t i = 0; i < scenario.steps.size(); ++i) {
    fs::path trace = dir() / fmt::format("trace-{}", i);
    std::vector<std::string> env;
    if (scenario.steps[i].faulted) env.push_back("RATCHET_FAULT_TRACE=" + trace.string());
    RunResult r = RatchetOn(scenario.set_dir, reference, scenario.steps[i].args, env);
    ASSERT_EQ(r.exit_code, 0) << r.all();
    passes[i] = ReadTrace(trace);
    for (const auto& [point, count] : passes[i]) seen.insert(point);
  }
  EXPECT_EQ(seen, scenario.points) << "the points the scenario passes have changed";
  WaitUntilIdle(reference);
  const DatabaseImage expected = TakeImage(reference);
  ASSERT_FALSE(expected.items.empty());

  size_t cases = 0, failures = 0;
  for (size_t i = 0; i < scenario.steps.size(); ++i) {
    for (const FaultCase& fault : ChooseCases(passes[i])) {
      ++cases;
      std::string problem = RunCase(scenario, start, i, fault, expected, reference);
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
