"""Scenario 3: a fleet of databases (200 × 50 items by default), upgraded by
ratchet with --jobs 1, 2, 4 and 8, against each peer run in a shell loop
over the same databases, and psql -1 per database as the floor.

sqitch and Liquibase take seconds per database (a Perl or JVM start, then a
round trip per change): they run on a sample of the fleet and their figure
is that time scaled to the whole fleet, marked as such in the table.
"""

import os
import re
import tempfile
import time

import gen

FLEET_TOOLS = ("psql -1 loop (floor)", "ratchet --jobs 1", "ratchet --jobs 2", "ratchet --jobs 4",
               "ratchet --jobs 8", "dbmate loop", "sqitch loop", "liquibase loop")
SAMPLED = ("sqitch loop", "liquibase loop")


def _names(count):
    return [f"fleet_{i:03d}" for i in range(1, count + 1)]


def _reset(server, names):
    """Empties every fleet database (a new database per run would cost more
    than the upgrade): one psql that reconnects to each in turn."""
    script = []
    for db in names:
        script.append(f"\\connect {db}")
        script.append("DROP SCHEMA IF EXISTS public, ratchet, sqitch CASCADE;")
        script.append("CREATE SCHEMA public;")
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        f.write("\n".join(script) + "\n")
        path = f.name
    try:
        out = os.popen(" ".join(server.psql_args("postgres")) + f" -f {path} 2>&1").read()
        if "ERROR" in out or "FATAL" in out:
            raise RuntimeError(f"cannot reset the fleet: {out[-2000:]}")
    finally:
        os.remove(path)


def _loop(per_db):
    """A bash loop running `per_db` (with {db} in it) for every name on stdin."""
    return f"while read db; do {per_db} || exit 1; done"


def _command(tool, tools, server, sets, names, listing):
    """(shell text, cwd) that upgrades every database in `listing` (one name a line)."""
    port = server.port
    if tool.startswith("ratchet"):
        jobs = tool.split()[-1]
        return (f"{tools.ratchet} upgrade --set {sets['ratchet']} --jobs {jobs} "
                f"--databases 'fleet\\_%' --db {server.url('postgres')}", None)
    psql = " ".join(server.psql_args("$db"))
    if tool == "psql -1 loop (floor)":
        return _loop(f"{psql} -1 -f {sets['psql']}/all.sql") + f" < {listing}", None
    if tool == "dbmate loop":
        return _loop(f"{tools.dbmate} --url postgres://postgres@127.0.0.1:{port}/$db?sslmode=disable "
                     f"--migrations-dir {sets['dbmate']}/migrations --no-dump-schema up "
                     ">/dev/null") + f" < {listing}", None
    if tool == "sqitch loop":
        return _loop(f"{tools.sqitch} deploy --target db:pg://postgres@127.0.0.1:{port}/$db "
                     ">/dev/null") + f" < {listing}", sets["sqitch"]
    if tool == "liquibase loop":
        return _loop(f"{tools.liquibase} --show-banner=false --log-level=severe "
                     f"--changelog-file=changelog.xml "
                     f"--url=jdbc:postgresql://127.0.0.1:{port}/$db --username=postgres update "
                     ">/dev/null") + f" < {listing}", sets["liquibase"]
    raise ValueError(tool)


def run(opts, tools, server, work, results, log, run_timed, check_pg, make_sets):
    count = opts.fleet_dbs
    items = opts.fleet_items
    sample = min(count, opts.fleet_sample)
    names = _names(count)
    sets = make_sets(work, items)
    log(f"fleet: {count} databases × {items} items (sqitch and Liquibase on {sample})")
    existing = set(server.sql("postgres", "SELECT datname FROM pg_database").split())
    for db in names:
        if db not in existing:
            server.sql("postgres", f"CREATE DATABASE {db} TEMPLATE template0")
    listing_all = os.path.join(work, "fleet-all.txt")
    listing_sample = os.path.join(work, "fleet-sample.txt")
    with open(listing_all, "w") as f:
        f.write("\n".join(names) + "\n")
    with open(listing_sample, "w") as f:
        f.write("\n".join(names[:sample]) + "\n")

    active = [t for t in FLEET_TOOLS
              if not (t.startswith(("dbmate", "sqitch", "liquibase")) and not tools.has(t.split()[0]))]
    times = {t: [] for t in active}
    for r in range(opts.fleet_runs):
        for tool in active:
            sampled = tool in SAMPLED
            if sampled and r > 0:
                continue  # minutes per run: one is enough to see the order of magnitude
            targets = names[:sample] if sampled else names
            _reset(server, targets)
            cmd, cwd = _command(tool, tools, server, sets, names,
                                listing_sample if sampled else listing_all)
            seconds, _, code, text = run_timed(cmd, cwd=cwd, shell=True, env=tools.env())
            if code != 0:
                raise RuntimeError(f"fleet: {tool} failed (exit {code}):\n{text[-3000:]}")
            for db in (targets[0], targets[len(targets) // 2], targets[-1]):
                check_pg(server, db, items, f"fleet {tool}")
            times[tool].append(seconds * len(names) / len(targets))
    for tool in active:
        note = f"measured on {sample} databases, scaled to {count}" if tool in SAMPLED else ""
        results.add("fleet", server.fsync, count, tool, times[tool], note=note)
    _reset(server, names)
    for db in names:
        server.drop_db(db)


def render(results, fsyncs, cell, ratio):
    recs = [r for r in results.records if r["scenario"] == "fleet"]
    if not recs:
        return []
    out = [f"### 3. A fleet: {recs[0]['n']} databases, each upgraded from empty", ""]
    head = "| tool |"
    line = "|---|"
    for f in fsyncs:
        head += f" fsync {f}: median (min–max) | ×floor | ×jobs 1 | ratchet --jobs 4 ÷ it |"
        line += "---|---|---|---|"
    out += [head, line]
    tools = []
    for r in recs:
        if r["tool"] not in tools:
            tools.append(r["tool"])
    for tool in tools:
        row = f"| {tool} |"
        for f in fsyncs:
            rec = results.find("fleet", f, recs[0]["n"], tool)
            floor = results.find("fleet", f, recs[0]["n"], "psql -1 loop (floor)")
            one = results.find("fleet", f, recs[0]["n"], "ratchet --jobs 1")
            four = results.find("fleet", f, recs[0]["n"], "ratchet --jobs 4")
            text = cell(rec)
            if rec and rec.get("note"):
                text += f" ({rec['note']})"
            row += f" {text} |"
            row += f" {ratio(rec and rec['median'], floor and floor['median'])} |"
            speedup = ratio(one and one["median"], rec and rec["median"]) if tool.startswith(
                "ratchet") else "–"
            row += f" {speedup} |"
            vs = ratio(four and four["median"], rec and rec["median"]) if not tool.startswith(
                "ratchet") else "–"
            row += f" {vs} |"
        out.append(row)
    out += ["", "×jobs 1 is the speed-up over `--jobs 1` (higher is better); "
            "ratchet --jobs 4 ÷ it below 1 means ratchet is faster.", ""]
    return out
