# The two commands a new user needs: `make demo` and `make test`.
BUILD ?= build
JOBS ?= 2

.PHONY: all deps build demo test test-faults test-sqlite clean

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

# The full crash sweep (docs/FAULTS.md): every scenario killed at every pass
# of every fault point, plus the kills from outside ratchet. `make test` runs
# a subset of it: each point's first, middle and last pass.
test-faults: build
	@RATCHET_FAULTS=all bash scripts/run-tests.sh $(BUILD) 'Sweep|Interruptions|FaultPoints'

clean:
	rm -rf $(BUILD)
