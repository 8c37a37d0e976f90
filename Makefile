# The two commands a new user needs: `make demo` and `make test`; `make bench`
# compares ratchet's speed with psql and the usual migration tools.
BUILD ?= build
JOBS ?= 2

.PHONY: all deps build configure demo deb test test-faults test-sqlite test-asan fuzz bench clean

all: build

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: configure
	@cmake --build $(BUILD) -j$(JOBS)

# Upgrades examples/bookshop on a fresh SQLite file: first to release 1.0 with
# some shop data, then to the head, showing `ratchet status` before and after.
# Builds the ratchet tool only, not the test suite.
demo: configure
	@echo "demo: building the ratchet tool only: 5 to 15 minutes on 2 cores from a fresh clone (README), seconds once built"
	@cmake --build $(BUILD) --target ratchet -j$(JOBS)
	@bash scripts/demo.sh $(BUILD)/ratchet

# Debian packages in $(BUILD): ratchet_<version>_<arch>.deb (the tool,
# stripped) and libratchet-dev_<version>_<arch>.deb (headers, libratchet.a,
# CMake package, ratchet.pc). Builds only what they hold.
deb: configure
	@cmake --build $(BUILD) --target ratchet ratchet_lib -j$(JOBS) >/dev/null
	@cd $(BUILD) && cpack -G DEB | grep 'package:'

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

# The whole suite built with AddressSanitizer and UndefinedBehaviorSanitizer
# (gcc), in its own build directory; run it after every change to src/.
ASAN_BUILD ?= build-asan
test-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DRATCHET_SANITIZE=address,undefined >/dev/null
	@cmake --build $(ASAN_BUILD) -j$(JOBS)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  bash scripts/run-tests.sh $(ASAN_BUILD)

# Every fuzz target under libFuzzer with ASan and UBSan (clang), for
# FUZZ_SECONDS each (default 600); FUZZ_TARGETS="item_file ..." runs some.
# docs/FAULTS.md has the targets and the figures of the last long run.
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 600
fuzz: deps
	@bash scripts/install-fuzz-deps.sh
	@CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DRATCHET_FUZZ=ON -DRATCHET_BUILD_TESTS=OFF >/dev/null
	@cmake --build $(FUZZ_BUILD) -j$(JOBS) --target $(addprefix fuzz_,$(or $(FUZZ_TARGETS),project_file item_file sqlite_split postgres_split checksum targets_file connection_string)) \
	  >$(FUZZ_BUILD)/build.log 2>&1 || { tail -40 $(FUZZ_BUILD)/build.log; exit 1; }
	@bash scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
