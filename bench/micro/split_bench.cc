// Splitting scripts into statements, as the loader does for every item, at
// sizes up to a million statements: SQLite's splitter (one pass of
// sqlite3_complete's state machine), the same inside one trigger body, and
// PostgreSQL's (libpg_query). Linear growth is what these show.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "engine/postgres/pg_parse.h"
#include "engine/sqlite/sqlite_parse.h"

namespace ratchet {
namespace {

std::string Inserts(int64_t n) {
  std::string text;
  text.reserve(static_cast<size_t>(n) * 32);
  for (int64_t i = 0; i < n; ++i) text += "INSERT INTO t VALUES (" + std::to_string(i) + ");\n";
  return text;
}

void BM_SqliteSplitStatements(benchmark::State& state) {
  const std::string text = Inserts(state.range(0));
  std::vector<Statement> out;
  for (auto _ : state) {
    Status s = sqlite::SplitScript(text, &out);
    if (!s.ok()) state.SkipWithError(s.message().c_str());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_SqliteSplitStatements)
    ->RangeMultiplier(10)
    ->Range(1000, 1000000)
    ->Unit(benchmark::kMillisecond);

// One trigger whose body holds every statement: each semicolon inside it
// must not make the splitter look at the body again.
void BM_SqliteSplitTriggerBody(benchmark::State& state) {
  const std::string text =
      "CREATE TRIGGER t_log AFTER INSERT ON t BEGIN\n" + Inserts(state.range(0)) + "END;\n";
  std::vector<Statement> out;
  for (auto _ : state) {
    Status s = sqlite::SplitScript(text, &out);
    if (!s.ok() || out.size() != 1) state.SkipWithError("the trigger did not stay whole");
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_SqliteSplitTriggerBody)
    ->RangeMultiplier(10)
    ->Range(1000, 1000000)
    ->Unit(benchmark::kMillisecond);

// A trigger header followed by semicolons only: refused as incomplete, in
// one pass.
void BM_SqliteSplitSemicolons(benchmark::State& state) {
  const std::string text =
      "CREATE TRIGGER a" + std::string(static_cast<size_t>(state.range(0)), ';');
  std::vector<Statement> out;
  for (auto _ : state) benchmark::DoNotOptimize(sqlite::SplitScript(text, &out).ok());
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_SqliteSplitSemicolons)
    ->RangeMultiplier(10)
    ->Range(1000, 1000000)
    ->Unit(benchmark::kMillisecond);

void BM_PostgresSplitStatements(benchmark::State& state) {
  const std::string text = Inserts(state.range(0));
  std::vector<Statement> out;
  for (auto _ : state) {
    Status s = postgres::SplitScript(text, &out);
    if (!s.ok()) state.SkipWithError(s.message().c_str());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_PostgresSplitStatements)
    ->RangeMultiplier(10)
    ->Range(1000, 1000000)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ratchet
