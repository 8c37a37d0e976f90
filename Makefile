# The two commands a new user needs: `make demo` and `make test`; `make bench`
# compares ratchet's speed with psql and the usual migration tools.
BUILD ?= build
JOBS ?= 2

.PHONY: all deps build demo test test-faults test-sqlite bench clean

all: build

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

# Upgrades examples/bookshop on a fresh SQLite file: first to release 1.0 with
# some shop data, then to the head, showing `ratchet status` before and after.
demo: build
	@bash scripts/demo.sh $(BUILD)/ratchet

# Every test, against real SQLite files and a throwaway PostgreSQL server
# that the run starts and always stops.
test: build
	@bash scripts/run-tests.sh $(BUILD)

# The benchmark (bench/README.md): installs the peers it compares with, builds
# the Google Benchmark target, and runs every scenario (30-40 minutes).
# QUICK=1 runs N = 100 and 1,000 with fsync off only; SCENARIO=apply,noop,...
# runs some scenarios; BENCH_ARGS passes anything else to bench/run.py.
bench: build
	@bash scripts/install-bench-deps.sh
	@cmake --build $(BUILD) --target ratchet_bench -j$(JOBS) >/dev/null 2>&1 || \
	  echo "bench: Google Benchmark not found; the in-process figures are skipped"
	@python3 bench/run.py --build $(BUILD) $(if $(QUICK),--quick) \
	  $(if $(SCENARIO),--scenario $(SCENARIO)) $(BENCH_ARGS)

# The full crash sweep (docs/FAULTS.md): every scenario killed at every pass
# of every fault point, plus the kills from outside ratchet. `make test` runs
# a subset of it: each point's first, middle and last pass.
test-faults: build
	@RATCHET_FAULTS=all bash scripts/run-tests.sh $(BUILD) 'Sweep|Interruptions|FaultPoints|StatusAfterCrash|CopyUpgrade'

clean:
	rm -rf $(BUILD)
