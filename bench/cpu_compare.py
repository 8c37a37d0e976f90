#!/usr/bin/env python3
"""Compares two ratchet binaries by the CPU time of the ratchet process
alone (user + system, from the kernel's accounting of the child), which a
busy machine disturbs far less than wall time. Runs them interleaved: for
each round, an apply of the set to an empty database and then no-op re-runs
on it, first with one binary and then with the other.

  python3 bench/cpu_compare.py --before A/ratchet --after B/ratchet \\
      --set /tmp/ratchet-bench/n1000/ratchet --db postgresql://... [--rounds 5]

With --db a PostgreSQL server URL, each apply gets a new database
(created and dropped with psql); with --db sqlite, a new file."""
import argparse
import os
import resource
import statistics
import subprocess
import tempfile


def cpu_of(cmd, env):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({r.returncode}): {r.stderr.strip()}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--before", required=True)
    p.add_argument("--after", required=True)
    p.add_argument("--set", required=True)
    p.add_argument("--db", default="sqlite", help="'sqlite' or a PostgreSQL server URL")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--noops", type=int, default=5)
    o = p.parse_args()
    env = dict(os.environ)
    apply_cpu = {"before": [], "after": []}
    noop_cpu = {"before": [], "after": []}
    work = tempfile.mkdtemp(prefix="ratchet-cpu-")
    n = 0
    for _ in range(o.rounds):
        for name, binary in (("before", o.before), ("after", o.after)):
            n += 1
            if o.db == "sqlite":
                target = f"sqlite:{work}/db{n}.sqlite"
            else:
                db = f"cpu_compare_{n}"
                subprocess.run(["psql", "-q", o.db, "-c", f"DROP DATABASE IF EXISTS {db}",
                                "-c", f"CREATE DATABASE {db}"], check=True,
                               stdout=subprocess.DEVNULL)
                target = o.db.rsplit("/", 1)[0] + "/" + db if "://" in o.db else f"{o.db} dbname={db}"
            cmd = [binary, "upgrade", "--set", o.set, "--db", target, "--skip-check"]
            apply_cpu[name].append(cpu_of(cmd, env))
            for _ in range(o.noops):
                noop_cpu[name].append(cpu_of(cmd, env))
            if o.db != "sqlite":
                subprocess.run(["psql", "-q", o.db, "-c", f"DROP DATABASE IF EXISTS {db}"],
                               check=True, stdout=subprocess.DEVNULL)
    for label, data in (("apply", apply_cpu), ("no-op", noop_cpu)):
        b, a = statistics.median(data["before"]), statistics.median(data["after"])
        print(f"{label}: ratchet CPU median before {b * 1000:.1f} ms, after {a * 1000:.1f} ms "
              f"(after/before {a / b:.3f}; {len(data['before'])} runs each)")


if __name__ == "__main__":
    main()
