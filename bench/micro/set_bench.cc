// In-process costs of a ratchet run on a large upgrade set: loading it,
// parsing its items, checksumming its files and planning, measured with
// Google Benchmark.
//
// RATCHET_BENCH_SET names the upgrade set (bench/run.py generates one with
// N = 10,000 items); without it the benchmarks report an error and skip.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <deque>
#include <string>
#include <vector>

#include "ratchet/plan.h"
#include "ratchet/upgrade_set.h"

namespace ratchet {
namespace {

const char* SetDir() { return std::getenv("RATCHET_BENCH_SET"); }

// The set, loaded once for the benchmarks that start from a loaded set.
const UpgradeSet* LoadedSet() {
  static const UpgradeSet* set = [] {
    const char* dir = SetDir();
    if (dir == nullptr) return static_cast<UpgradeSet*>(nullptr);
    auto loaded = LoadUpgradeSet(dir);
    return loaded.ok() ? new UpgradeSet(std::move(*loaded)) : nullptr;
  }();
  return set;
}

// Every item of `set` as the bookkeeping of a fully upgraded database has it.
std::vector<AppliedItem> AllApplied(const UpgradeSet& set) {
  std::vector<AppliedItem> applied;
  for (const Item* item : set.ItemsFor(EngineKind::kPostgres)) {
    AppliedItem a;
    a.version = item->version;
    a.description = item->description;
    a.checksum = item->checksum;
    applied.push_back(std::move(a));
  }
  return applied;
}

// Loading without parsing: what a no-op run, status and plan need.
void BM_LoadSet(benchmark::State& state) {
  if (SetDir() == nullptr) return state.SkipWithError("RATCHET_BENCH_SET is not set");
  for (auto _ : state) {
    auto set = LoadUpgradeSet(SetDir());
    if (!set.ok()) return state.SkipWithError(set.status().message().c_str());
    benchmark::DoNotOptimize(set->items.size());
  }
}
BENCHMARK(BM_LoadSet)->Unit(benchmark::kMillisecond);

// Loading with every item split and classified by libpg_query.
void BM_LoadAndParseSet(benchmark::State& state) {
  if (SetDir() == nullptr) return state.SkipWithError("RATCHET_BENCH_SET is not set");
  LoadOptions options;
  options.parse_for = EngineKind::kPostgres;
  for (auto _ : state) {
    auto set = LoadUpgradeSet(SetDir(), options);
    if (!set.ok()) return state.SkipWithError(set.status().message().c_str());
    benchmark::DoNotOptimize(set->items.size());
  }
}
BENCHMARK(BM_LoadAndParseSet)->Unit(benchmark::kMillisecond);

// Parsing every item of a set loaded without parsing, as `ratchet plan` and
// an upgrade do for the pending items of an empty database. Items are parsed
// on several threads: the CPU time is the whole process's.
void BM_ParsePendingItems(benchmark::State& state) {
  const UpgradeSet* set = LoadedSet();  // loaded without parsing
  if (set == nullptr) return state.SkipWithError("cannot load RATCHET_BENCH_SET");
  for (auto _ : state) {
    std::vector<const Item*> items = set->ItemsFor(EngineKind::kPostgres);
    std::deque<Item> parsed;
    Status s = ParseDeferredItems(EngineKind::kPostgres, &items, &parsed);
    if (!s.ok()) return state.SkipWithError(s.message().c_str());
    benchmark::DoNotOptimize(parsed.size());
  }
  state.SetItemsProcessed(state.iterations() * set->items.size());
}
BENCHMARK(BM_ParsePendingItems)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime();

// The checksums of every item file (ignoring comments and whitespace).
void BM_ChecksumAll(benchmark::State& state) {
  const UpgradeSet* set = LoadedSet();
  if (set == nullptr) return state.SkipWithError("cannot load RATCHET_BENCH_SET");
  for (auto _ : state) {
    for (const Item& item : set->items) benchmark::DoNotOptimize(ItemChecksum(item.content));
  }
  state.SetItemsProcessed(state.iterations() * set->items.size());
}
BENCHMARK(BM_ChecksumAll)->Unit(benchmark::kMillisecond);

// Planning a database that has every item: nothing pending.
void BM_PlanNothingPending(benchmark::State& state) {
  const UpgradeSet* set = LoadedSet();
  if (set == nullptr) return state.SkipWithError("cannot load RATCHET_BENCH_SET");
  std::vector<AppliedItem> applied = AllApplied(*set);
  for (auto _ : state) {
    Plan plan = MakePlan(*set, EngineKind::kPostgres, applied);
    benchmark::DoNotOptimize(plan.pending.size());
  }
}
BENCHMARK(BM_PlanNothingPending)->Unit(benchmark::kMillisecond);

// Planning an empty database: every item pending.
void BM_PlanEverythingPending(benchmark::State& state) {
  const UpgradeSet* set = LoadedSet();
  if (set == nullptr) return state.SkipWithError("cannot load RATCHET_BENCH_SET");
  for (auto _ : state) {
    Plan plan = MakePlan(*set, EngineKind::kPostgres, {});
    benchmark::DoNotOptimize(plan.pending.size());
  }
}
BENCHMARK(BM_PlanEverythingPending)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ratchet

BENCHMARK_MAIN();
