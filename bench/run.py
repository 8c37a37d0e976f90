#!/usr/bin/env python3
"""The ratchet benchmark: ratchet beside the one-transaction floor and the
tools users would otherwise pick, with every run checked in the catalog.

    python3 bench/run.py                      # everything (what `make bench` runs)
    python3 bench/run.py --quick              # N = 100 and 1,000, fewer runs, fsync off
    python3 bench/run.py --scenario apply --sizes 1000 --fsync on

Scenarios: apply, noop, plan, micro, fleet, online, sqlite (see bench/README.md).
Results go to bench/results/<name>.json and .md; the .md is the table the
README holds.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen  # noqa: E402
import scenario_fleet  # noqa: E402
import scenario_online  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PEERS = os.path.join(HERE, ".peers", "node_modules")


def log(text):
    print(text, file=sys.stderr, flush=True)


class Failure(Exception):
    """A run that failed or did not do its work: the harness stops on it."""


# ---------------------------------------------------------------- processes

def run_timed(cmd, cwd=None, env=None, shell=False, log_path=None):
    """Runs `cmd`, returns (seconds, peak RSS in KiB, exit code, output); its
    CPU seconds (user + system, children included) are left in
    run_timed.last_cpu."""
    # GNU time reports the peak RSS of the command itself: a child forked
    # from this Python process would count Python's pages too.
    if shell:
        cmd = ["bash", "-c", cmd]
    out = tempfile.TemporaryFile() if log_path is None else open(log_path, "w+b")
    with out, tempfile.NamedTemporaryFile("r") as peak:
        start = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-q", "-f", "%M %U %S", "-o", peak.name] + cmd,
                              cwd=cwd,
                              env=env, stdout=out, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL)
        elapsed = time.perf_counter() - start
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
        try:
            fields = peak.read().strip().splitlines()[-1].split()
            rss = int(fields[0])
            run_timed.last_cpu = float(fields[1]) + float(fields[2])
        except (ValueError, IndexError):
            rss = 0
            run_timed.last_cpu = 0.0
    return elapsed, rss, proc.returncode, text


run_timed.last_cpu = 0.0


def must(cmd, what, **kw):
    seconds, rss, code, text = run_timed(cmd, **kw)
    if code != 0:
        raise Failure(f"{what} failed (exit {code}):\n{text[-3000:]}")
    return seconds, rss, text


def tool_version(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        lines = (out.stdout + out.stderr).strip().splitlines()
        for pattern in (r"version:?\s*v?\d+\.\d+", r"\d+\.\d+"):
            for line in lines:
                found = re.search(pattern, line, re.IGNORECASE)
                if found:
                    words = line.strip().split()
                    return " ".join(words[:4]) if pattern.startswith("version") else " ".join(
                        words[:3])
        return lines[0] if lines else "?"
    except (OSError, subprocess.TimeoutExpired):
        return "not installed"


# ---------------------------------------------------------------- server

class PgServer:
    """A throwaway server from scripts/pg-test-server.sh, durable or not."""

    def __init__(self, fsync):
        self.fsync = fsync
        self.dir = f"/tmp/pg-bench-{fsync}"
        self.port = None

    def start(self):
        env = dict(os.environ, PG_TEST_SERVER_DURABLE="1" if self.fsync == "on" else "0")
        os.makedirs(self.dir, exist_ok=True)
        os.chmod(self.dir, 0o755)
        out = subprocess.run(["bash", os.path.join(ROOT, "scripts/pg-test-server.sh"), "start",
                              self.dir], env=env, capture_output=True, text=True)
        if out.returncode != 0:
            raise Failure(f"cannot start PostgreSQL: {out.stderr}")
        self.port = re.search(r"RATCHET_TEST_PG_PORT=(\d+)", out.stdout).group(1)
        got = self.sql("postgres", "SHOW fsync").strip()
        if got != self.fsync:
            raise Failure(f"server in {self.dir} runs with fsync={got}, wanted {self.fsync}")
        return self

    def stop(self):
        subprocess.run(["bash", os.path.join(ROOT, "scripts/pg-test-server.sh"), "stop", self.dir],
                       capture_output=True)

    def psql_args(self, db):
        return ["psql", "-X", "-q", "-h", "127.0.0.1", "-p", self.port, "-U", "postgres", "-d", db,
                "-v", "ON_ERROR_STOP=1"]

    def sql(self, db, text):
        out = subprocess.run(self.psql_args(db) + ["-At", "-c", text], capture_output=True,
                             text=True)
        if out.returncode != 0:
            raise Failure(f"psql on {db}: {out.stderr}")
        return out.stdout

    def url(self, db):
        return f"postgresql://postgres@127.0.0.1:{self.port}/{db}"

    def fresh_db(self, db):
        self.sql("postgres", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        self.sql("postgres", f"CREATE DATABASE {db} TEMPLATE template0")

    def drop_db(self, db):
        self.sql("postgres", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")

    def version(self):
        return self.sql("postgres", "SHOW server_version").strip()

    def cpu_seconds(self):
        """CPU the server has used so far: the postmaster, its live children,
        and the children it has reaped (backends of closed sessions)."""
        tick = os.sysconf("SC_CLK_TCK")
        try:
            with open(os.path.join(self.dir, "data", "postmaster.pid")) as f:
                postmaster = f.readline().strip()
        except OSError:
            return 0.0

        def stat(pid):
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                return fields
            except OSError:
                return None

        total = 0.0
        main = stat(postmaster)
        if main:
            total += sum(int(x) for x in main[11:15]) / tick  # utime stime cutime cstime
        for pid in os.listdir("/proc"):
            if not pid.isdigit() or pid == postmaster:
                continue
            fields = stat(pid)
            if fields and fields[1] == postmaster:  # ppid
                total += (int(fields[11]) + int(fields[12])) / tick
        return total


COUNT_NAMES = ("tables", "columns", "indexes", "rows", "views", "routines")


def check_pg(server, db, n, who):
    """Refuses a run whose database does not hold exactly items 1..n."""
    got = server.sql(db, gen.pg_counts_sql()).strip().split("|")
    got = dict(zip(COUNT_NAMES, (int(x) for x in got)))
    want = gen.expected_counts(n)
    if got != want:
        raise Failure(f"{who} on {db}: the catalog holds {got}, expected {want}")


def check_sqlite(path, n, who):
    con = sqlite3.connect(path)
    try:
        def one(sql):
            return con.execute(sql).fetchone()[0]
        tables = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'bt\\_%' ESCAPE '\\'")]
        got = {
            "tables": len(tables),
            "columns": sum(one(f"SELECT count(*) FROM pragma_table_info('{t}')") for t in tables),
            "indexes": one("SELECT count(*) FROM sqlite_master WHERE type = 'index' "
                           "AND name LIKE 'bi\\_%' ESCAPE '\\'"),
            "rows": sum(one(f"SELECT count(*) FROM {t}") for t in tables),
            "views": one("SELECT count(*) FROM sqlite_master WHERE type = 'view' "
                         "AND name LIKE 'bv\\_%' ESCAPE '\\'"),
            "routines": one("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                            "AND name LIKE 'bg\\_%' ESCAPE '\\'"),
        }
    finally:
        con.close()
    want = gen.expected_counts(n)
    if got != want:
        raise Failure(f"{who} on {path}: the file holds {got}, expected {want}")


# ---------------------------------------------------------------- tools

class Tools:
    """Where each tool is, and the command that applies a generated set."""

    def __init__(self, build):
        self.ratchet = os.path.join(ROOT, build, "ratchet")
        if not os.access(self.ratchet, os.X_OK):
            raise Failure(f"{self.ratchet} is missing: build first (make build)")
        self.dbmate = os.path.join(PEERS, "@dbmate", "linux-x64", "bin", "dbmate")
        self.liquibase = os.path.join(PEERS, "liquibase", "dist", "liquibase", "liquibase")
        self.sqitch = shutil.which("sqitch") or ""
        self.missing = {}
        for name, path in (("dbmate", self.dbmate), ("liquibase", self.liquibase),
                           ("sqitch", self.sqitch)):
            if not path or not os.access(path, os.X_OK):
                self.missing[name] = (f"{name} is not installed (scripts/install-bench-deps.sh "
                                      f"could not install it); its figures are left out")
        if not shutil.which("java"):
            self.missing["liquibase"] = "java is not installed; Liquibase is left out"
        for name, why in self.missing.items():
            log(f"note: {why}")

    def has(self, name):
        return name not in self.missing

    def versions(self, server):
        v = {"ratchet": tool_version([self.ratchet, "--version"]),
             "PostgreSQL": server.version() if server else "?",
             "psql": tool_version(["psql", "--version"]),
             "sqlite3": tool_version(["sqlite3", "--version"]),
             "pgbench": tool_version(["pgbench", "--version"])}
        if self.has("dbmate"):
            v["dbmate"] = tool_version([self.dbmate, "--version"])
        if self.has("sqitch"):
            v["sqitch"] = tool_version([self.sqitch, "--version"])
        if self.has("liquibase"):
            out = subprocess.run([self.liquibase, "--version", "--show-banner=false"],
                                 capture_output=True, text=True, env=self.env())
            found = re.search(r"version (\d+\.\d+\.\d+)", out.stdout + out.stderr)
            v["liquibase"] = found.group(1) if found else "?"
            v["java"] = tool_version(["java", "-version"])
        return v

    def env(self):
        env = dict(os.environ)
        env.pop("RATCHET_DB", None)
        env.update(SQITCH_FULLNAME="Bench", SQITCH_EMAIL="bench@example.com",
                   LIQUIBASE_SHOW_BANNER="false", LIQUIBASE_ANALYTICS_ENABLED="false",
                   LIQUIBASE_HUB_MODE="off", PGPASSWORD="")
        return env


def apply_command(tool, tools, server, db, sets):
    """(argv or shell text, cwd, shell?) that applies the set to database `db`."""
    url = server.url(db)
    if tool == "ratchet":
        return [tools.ratchet, "upgrade", "--set", sets["ratchet"], "--db", url], None, False
    if tool == "psql -1 (floor)":
        return server.psql_args(db) + ["-1", "-f", os.path.join(sets["psql"], "all.sql")], None, False
    if tool == "psql per file":
        args = " ".join(server.psql_args(db))
        return (f"for f in {sets['psql']}/files/*.sql; do {args} -f \"$f\" || exit 1; done",
                None, True)
    if tool == "dbmate":
        return [tools.dbmate, "--url", url + "?sslmode=disable", "--migrations-dir",
                os.path.join(sets["dbmate"], "migrations"), "--no-dump-schema", "up"], None, False
    if tool == "sqitch":
        return [tools.sqitch, "deploy", "--target", f"db:pg://postgres@127.0.0.1:{server.port}/{db}"
                ], sets["sqitch"], False
    if tool == "liquibase":
        return [tools.liquibase, "--show-banner=false", "--log-level=severe",
                "--changelog-file=changelog.xml",
                f"--url=jdbc:postgresql://127.0.0.1:{server.port}/{db}", "--username=postgres",
                "update"], sets["liquibase"], False
    raise ValueError(tool)


# ---------------------------------------------------------------- statistics

def summary(times):
    return {"median": statistics.median(times), "min": min(times), "max": max(times),
            "runs": len(times)}


class Results:
    def __init__(self):
        self.records = []

    def add(self, scenario, fsync, n, tool, times, rss=None, note=""):
        rec = {"scenario": scenario, "fsync": fsync, "n": n, "tool": tool, "times": times,
               **summary(times), "note": note}
        if rss:
            rec["peak_rss_kib"] = max(rss)
        self.records.append(rec)
        log(f"  {scenario:7} fsync={fsync:3} N={n:<6} {tool:22} median {fmt_s(rec['median'])}"
            f"  ({fmt_s(rec['min'])}-{fmt_s(rec['max'])}, {len(times)} run(s))"
            + (f"  peak {max(rss) // 1024} MiB" if rss else ""))
        return rec

    def find(self, scenario, fsync, n, tool):
        for r in self.records:
            if (r["scenario"], r["fsync"], r["n"], r["tool"]) == (scenario, fsync, n, tool):
                return r
        return None


def fmt_s(seconds):
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s"


# ---------------------------------------------------------------- scenarios

APPLY_TOOLS = ("psql -1 (floor)", "ratchet", "psql per file", "dbmate", "sqitch", "liquibase")


def make_sets(work, n):
    """Generates the set of size n in every layout, once per run of the harness."""
    base = os.path.join(work, f"n{n}")
    sets = {k: os.path.join(base, k) for k in ("ratchet", "psql", "dbmate", "sqitch", "liquibase",
                                                "sqlite")}
    if os.path.exists(os.path.join(base, ".done")):
        return sets
    log(f"generating N={n} in every layout under {base}")
    gen.write_ratchet_set(sets["ratchet"], n, "postgresql")
    gen.write_psql_files(sets["psql"], n)
    gen.write_dbmate(sets["dbmate"], n)
    gen.write_sqitch(sets["sqitch"], n)
    gen.write_liquibase(sets["liquibase"], n)
    gen.write_ratchet_set(os.path.join(sets["sqlite"], "ratchet"), n, "sqlite")
    gen.write_psql_files(os.path.join(sets["sqlite"], "shell"), n, "sqlite")
    with open(os.path.join(sets["sqlite"], "shell", "all_in_one_tx.sql"), "w") as f:
        f.write("BEGIN;\n.read " + os.path.join(sets["sqlite"], "shell", "all.sql") + "\nCOMMIT;\n")
    open(os.path.join(base, ".done"), "w").close()
    return sets


def runs_for(opts, n, tool):
    if opts.runs:
        return opts.runs
    if n >= 10000:
        return 3
    return 5 if tool in ("ratchet", "psql -1 (floor)") else 3


def scenario_apply(opts, tools, server, work, results, noop):
    """Scenario 1 (and 2's no-op re-runs, on the database of each tool's last
    run). Runs go round-robin over the tools, so that load from elsewhere on
    the machine falls on all of them alike."""
    for n in opts.sizes:
        sets = make_sets(work, n)
        active = []
        for tool in APPLY_TOOLS:
            if not tools.has(tool.split()[0]):
                continue
            if opts.tools and tool.split()[0] not in opts.tools:
                continue
            if n > opts.slow_peer_limit and tool in ("psql per file", "sqitch", "liquibase"):
                log(f"  skipping {tool} at N={n} (over --slow-peer-limit {opts.slow_peer_limit})")
                continue
            active.append(tool)
        db = {tool: f"bench_{re.sub('[^a-z]', '', tool)}_{n}" for tool in active}
        times = {tool: [] for tool in active}
        rss = {tool: [] for tool in active}
        cpu = {tool: [] for tool in active}
        spent = {tool: 0.0 for tool in active}
        for r in range(max(runs_for(opts, n, tool) for tool in active)):
            for tool in active:
                if r >= runs_for(opts, n, tool) or (r > 0 and spent[tool] > opts.budget):
                    continue  # slow peers at large N: fewer runs, said in the table
                server.fresh_db(db[tool])
                cmd, cwd, shell = apply_command(tool, tools, server, db[tool], sets)
                before = server.cpu_seconds()
                s, m, _ = must(cmd, f"{tool} N={n}", cwd=cwd, shell=shell, env=tools.env())
                client = run_timed.last_cpu
                time.sleep(0.1)  # the postmaster reaps the closed sessions' backends
                cpu[tool].append(client + server.cpu_seconds() - before)
                check_pg(server, db[tool], n, tool)
                times[tool].append(s)
                rss[tool].append(m)
                spent[tool] += s
        for tool in active:
            rec = results.add("apply", server.fsync, n, tool, times[tool], rss[tool])
            rec["cpu"] = cpu[tool]
        for tool in active:
            if noop and n in opts.noop_sizes and not tool.startswith("psql"):
                t, m = [], []
                for _ in range(opts.noop_runs if tool == "ratchet" else min(3, opts.noop_runs)):
                    cmd, cwd, shell = apply_command(tool, tools, server, db[tool], sets)
                    s, peak, _ = must(cmd, f"{tool} no-op N={n}", cwd=cwd, shell=shell,
                                      env=tools.env())
                    t.append(s)
                    m.append(peak)
                check_pg(server, db[tool], n, tool + " (no-op)")
                results.add("noop", server.fsync, n, tool, t, m)
            if tool == "ratchet" and n == max(opts.sizes) and "plan" in opts.scenarios:
                scenario_read_only(opts, tools, server, db[tool], sets, n, results)
            server.drop_db(db[tool])


def scenario_read_only(opts, tools, server, db, sets, n, results):
    """Scenario 2: `ratchet status` and `ratchet plan`, on the applied database
    and on an empty one (every item pending)."""
    empty = f"bench_empty_{n}"
    server.fresh_db(empty)
    for label, target in (("all applied", db), ("all pending", empty)):
        for command in ("status", "plan"):
            times, rss = [], []
            for _ in range(opts.noop_runs):
                s, m, _ = must([tools.ratchet, command, "--set", sets["ratchet"], "--db",
                                server.url(target)], f"ratchet {command}", env=tools.env())
                times.append(s)
                rss.append(m)
            results.add("plan", server.fsync, n, f"ratchet {command} ({label})", times, rss)
    server.drop_db(empty)


def scenario_sqlite(opts, tools, work, results):
    """Scenario 5: ratchet on SQLite vs the sqlite3 shell, one transaction."""
    for n in opts.sizes:
        sets = make_sets(work, n)
        base = sets["sqlite"]
        for tool in ("sqlite3 -1 (floor)", "ratchet"):
            times, rss = [], []
            for _ in range(runs_for(opts, n, "ratchet")):
                path = os.path.join(base, "bench.db")
                for suffix in ("", "-journal", "-wal", "-shm"):
                    if os.path.exists(path + suffix):
                        os.remove(path + suffix)
                if tool == "ratchet":
                    cmd = [tools.ratchet, "upgrade", "--set", os.path.join(base, "ratchet"),
                           "--db", "sqlite:" + path]
                    s, m, _ = must(cmd, f"ratchet sqlite N={n}", env=tools.env())
                else:
                    cmd = ["sqlite3", "-bail", path, ".read " + os.path.join(base, "shell",
                                                                           "all_in_one_tx.sql")]
                    s, m, _ = must(cmd, f"sqlite3 N={n}")
                check_sqlite(path, n, tool)
                times.append(s)
                rss.append(m)
            results.add("sqlite", "on", n, tool, times, rss)


def scenario_micro(opts, build, work, results):
    """Scenario 2's in-process parts with Google Benchmark, at N = 10,000."""
    binary = os.path.join(ROOT, build, "ratchet_bench")
    if not os.access(binary, os.X_OK):
        log("note: ratchet_bench was not built (Google Benchmark not found); micro skipped")
        return
    n = 10000
    sets = make_sets(work, n)
    env = dict(os.environ, RATCHET_BENCH_SET=sets["ratchet"])
    _, _, text = must([binary, "--benchmark_format=json", "--benchmark_min_time=0.2"],
                      "ratchet_bench", env=env)
    data = json.loads(text[text.index("{"):])
    for b in data["benchmarks"]:
        unit = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1}[b["time_unit"]]
        results.records.append({"scenario": "micro", "fsync": "-", "n": n, "tool": b["name"],
                                "median": b["real_time"] * unit, "min": b["real_time"] * unit,
                                "max": b["real_time"] * unit, "runs": b["iterations"],
                                "times": [], "note": "Google Benchmark, mean per iteration"})
        log(f"  micro   {b['name']:40} {fmt_s(b['real_time'] * unit)}")


# ---------------------------------------------------------------- report

def machine():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            mem = int(f.readline().split()[1]) // (1024 * 1024)
    except OSError:
        mem = 0
    return {"cpu": cpu, "nproc": os.cpu_count(), "ram_gib": mem,
            "kernel": platform.release(),
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


def ratio(a, b):
    return f"{a / b:.2f}×" if a and b else "–"


def cell(rec):
    if not rec:
        return "–"
    text = f"{fmt_s(rec['median'])} ({fmt_s(rec['min'])}–{fmt_s(rec['max'])})"
    if rec["runs"] < 3 and rec["scenario"] != "micro":
        text += f" [{rec['runs']} run{'s' if rec['runs'] > 1 else ''}]"
    return text


def render(results, meta):
    out = []
    m = meta["machine"]
    out.append(f"Machine: {m['cpu']}, {m['nproc']} cores, {m['ram_gib']} GiB RAM, "
               f"Linux {m['kernel']}; run {m['date']}.")
    out.append("Versions: " + ", ".join(f"{k} {v}" for k, v in meta["versions"].items()) + ".")
    for why in meta.get("missing", {}).values():
        out.append(f"Note: {why}.")
    out.append("")
    recs = results.records
    fsyncs = [f for f in ("off", "on") if any(r["fsync"] == f for r in recs)]

    def table(scenario, floor_tool, title, peers_vs=True):
        ns = sorted({r["n"] for r in recs if r["scenario"] == scenario})
        if not ns:
            return
        out.append(f"### {title}")
        out.append("")
        head = "| N | tool |"
        line = "|---|---|"
        for f in fsyncs:
            head += f" fsync {f}: median (min–max) | ×floor | ratchet ÷ it |"
            line += "---|---|---|"
        out.append(head)
        out.append(line)
        for n in ns:
            tools_here = []
            for r in recs:
                if r["scenario"] == scenario and r["n"] == n and r["tool"] not in tools_here:
                    tools_here.append(r["tool"])
            for tool in tools_here:
                row = f"| {n:,} | {tool} |"
                for f in fsyncs:
                    rec = results.find(scenario, f, n, tool)
                    floor = results.find(scenario, f, n, floor_tool) if floor_tool else None
                    mine = results.find(scenario, f, n, "ratchet")
                    row += f" {cell(rec)} |"
                    row += f" {ratio(rec and rec['median'], floor and floor['median'])} |"
                    vs = "–" if (not peers_vs or tool == "ratchet" or not rec) else \
                        ratio(mine and mine["median"], rec["median"])
                    row += f" {vs} |"
                out.append(row)
        out.append("")

    table("apply", "psql -1 (floor)", "1. Apply N items to an empty PostgreSQL database")
    cpu = [r for r in recs if r["scenario"] == "apply" and r.get("cpu")]
    if cpu:
        out.append("CPU seconds of the same runs, the tool and the server together (less "
                   "sensitive than wall time to the other work on the machine):")
        out.append("")
        head, line = "| N | tool |", "|---|---|"
        for f in fsyncs:
            head += f" fsync {f}: CPU median (min) | ×floor |"
            line += "---|---|"
        out += [head, line]
        seen = []
        for r in cpu:
            if (r["n"], r["tool"]) in seen:
                continue
            seen.append((r["n"], r["tool"]))
            row = f"| {r['n']:,} | {r['tool']} |"
            for f in fsyncs:
                rec = results.find("apply", f, r["n"], r["tool"])
                floor = results.find("apply", f, r["n"], "psql -1 (floor)")
                if not rec or not rec.get("cpu"):
                    row += " – | – |"
                    continue
                mine = statistics.median(rec["cpu"])
                base = statistics.median(floor["cpu"]) if floor and floor.get("cpu") else 0
                row += f" {mine:.2f} s ({min(rec['cpu']):.2f} s) | {ratio(mine, base)} |"
            out.append(row)
        out.append("")
    table("noop", None, "2. No-op re-run with N applied (nothing pending)")
    plan = [r for r in recs if r["scenario"] == "plan"]
    if plan:
        out.append("### 2. `ratchet status` and `ratchet plan`")
        out.append("")
        out.append("| N | command | fsync | median (min–max) | peak RSS |")
        out.append("|---|---|---|---|---|")
        for r in plan:
            out.append(f"| {r['n']:,} | {r['tool']} | {r['fsync']} | {cell(r)} | "
                       f"{r.get('peak_rss_kib', 0) / 1024:.1f} MiB |")
        out.append("")
    micro = [r for r in recs if r["scenario"] == "micro"]
    if micro:
        out.append("### 2. In-process parts (Google Benchmark, N = 10,000)")
        out.append("")
        out.append("| benchmark | time per iteration |")
        out.append("|---|---|")
        for r in micro:
            out.append(f"| {r['tool']} | {fmt_s(r['median'])} |")
        out.append("")
    out.extend(scenario_fleet.render(results, fsyncs, cell, ratio))
    out.extend(scenario_online.render(results, fsyncs, cell, ratio))
    sq = [r for r in recs if r["scenario"] == "sqlite"]
    if sq:
        out.append("### 5. SQLite: apply N items to a new file")
        out.append("")
        out.append("| N | tool | median (min–max) | ×floor |")
        out.append("|---|---|---|---|")
        for r in sq:
            floor = results.find("sqlite", "on", r["n"], "sqlite3 -1 (floor)")
            out.append(f"| {r['n']:,} | {r['tool']} | {cell(r)} | "
                       f"{ratio(r['median'], floor and floor['median'])} |")
        out.append("")
    return "\n".join(out)


# ---------------------------------------------------------------- main

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--build", default="build", help="build directory holding ratchet")
    p.add_argument("--quick", action="store_true", help="N = 100 and 1,000, 2 runs, fsync off")
    p.add_argument("--scenario", default="apply,noop,plan,micro,fleet,online,sqlite",
                   help="comma-separated scenarios to run")
    p.add_argument("--sizes", default="100,1000,10000")
    p.add_argument("--fsync", default="off,on", help="off, on or off,on")
    p.add_argument("--runs", type=int, default=0, help="runs per figure (default 5 or 3)")
    p.add_argument("--noop-runs", type=int, default=7)
    p.add_argument("--budget", type=float, default=60,
                   help="seconds after which a tool's figure takes no more runs")
    p.add_argument("--slow-peer-limit", type=int, default=1000,
                   help="largest N for psql per file, sqitch and Liquibase")
    p.add_argument("--work", default="/tmp/ratchet-bench", help="where sets are generated")
    p.add_argument("--tools", default="",
                   help="scenario 1 only for these (comma-separated: psql, ratchet, dbmate, ...)")
    p.add_argument("--fleet-dbs", type=int, default=200)
    p.add_argument("--fleet-items", type=int, default=50)
    p.add_argument("--fleet-sample", type=int, default=5,
                   help="databases sqitch and Liquibase run on in the fleet (scaled up)")
    p.add_argument("--fleet-runs", type=int, default=2)
    p.add_argument("--online-rate", type=int, default=200, help="pgbench transactions a second")
    p.add_argument("--online-seconds", type=int, default=60, help="pgbench's run per release")
    p.add_argument("--online-settle", type=float, default=5,
                   help="seconds of writes before the release starts")
    p.add_argument("--name", default="", help="results file name (default: latest or quick)")
    opts = p.parse_args()
    opts.scenarios = set(opts.scenario.split(","))
    opts.tools = set(t for t in opts.tools.split(",") if t)
    if opts.quick:
        opts.sizes = "100,1000" if opts.sizes == "100,1000,10000" else opts.sizes
        opts.fsync = "off"
        opts.runs = opts.runs or 2
        opts.noop_runs = 3
        opts.fleet_dbs, opts.fleet_sample, opts.fleet_runs = 20, 4, 1
        opts.online_seconds = 40
    opts.sizes = [int(x) for x in opts.sizes.split(",")]
    opts.noop_sizes = [n for n in opts.sizes if n >= 1000] or opts.sizes
    name = opts.name or ("quick" if opts.quick else "latest")

    tools = Tools(opts.build)
    results = Results()
    meta = {"machine": machine(), "missing": tools.missing, "sections": []}
    os.makedirs(opts.work, exist_ok=True)
    started = time.perf_counter()
    versions = None
    try:
        for fsync in opts.fsync.split(","):
            if not opts.scenarios & {"apply", "noop", "plan", "fleet", "online"}:
                break
            server = PgServer(fsync).start()
            log(f"PostgreSQL {server.version()} on port {server.port}, fsync {fsync}")
            try:
                versions = versions or tools.versions(server)
                if opts.scenarios & {"apply", "noop", "plan"}:
                    scenario_apply(opts, tools, server, opts.work, results,
                                   noop="noop" in opts.scenarios)
                for scenario, module in (("fleet", scenario_fleet), ("online", scenario_online)):
                    if scenario in opts.scenarios:
                        try:
                            module.run(opts, tools, server, opts.work, results, log, run_timed,
                                       check_pg, make_sets)
                        except RuntimeError as e:
                            raise Failure(str(e))
            finally:
                server.stop()
        if "micro" in opts.scenarios:
            scenario_micro(opts, opts.build, opts.work, results)
        if "sqlite" in opts.scenarios:
            scenario_sqlite(opts, tools, opts.work, results)
    except Failure as e:
        log(f"bench: {e}")
        return 1
    meta["versions"] = versions or tools.versions(None)
    meta["seconds"] = time.perf_counter() - started
    text = render(results, meta)
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", name + ".json"), "w") as f:
        json.dump({"meta": meta, "records": results.records}, f, indent=1)
    with open(os.path.join(HERE, "results", name + ".md"), "w") as f:
        f.write(text + "\n")
    print(text)
    log(f"bench: done in {meta['seconds'] / 60:.1f} min; bench/results/{name}.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
