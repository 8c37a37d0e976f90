// What a fault point costs when no RATCHET_FAULT names it: every statement
// of every run passes several, so it must cost about nothing.
#include <benchmark/benchmark.h>

#include "util/fault.h"

namespace {

void BM_DisarmedFaultPoint(benchmark::State& state) {
  for (auto _ : state) {
    RATCHET_FAULT_POINT("commit.before");
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_DisarmedFaultPoint);

}  // namespace
