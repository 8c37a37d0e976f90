#!/usr/bin/env python3
"""Checks that src/ is a strict stack: each folder includes only folders
below it (or itself). Prints every include that points up and exits 1 if
there is one. The order is the one docs/ARCHITECTURE.md draws."""
import os
import re
import sys

ORDER = ["util", "sql", "set", "snapshot", "engine", "plan", "check", "run", "verify", "fleet"]
# plan and check sit side by side: neither includes the other.
RANK = {"util": 0, "sql": 1, "set": 2, "snapshot": 3, "engine": 4, "plan": 5, "check": 5,
        "run": 6, "verify": 7, "fleet": 8}
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
bad = []
for folder, _, files in os.walk(root):
    rel = os.path.relpath(folder, root)
    layer = rel.split(os.sep)[0]
    if layer not in RANK:
        continue
    for name in files:
        if not name.endswith((".h", ".cc")):
            continue
        path = os.path.join(folder, name)
        for n, line in enumerate(open(path, encoding="utf-8"), 1):
            m = re.match(r'#include "([a-z_]+)/', line)
            if not m or m.group(1) not in RANK:
                continue
            to = m.group(1)
            if to == layer:
                continue
            if RANK[to] >= RANK[layer]:
                bad.append(f"src/{rel}/{name}:{n}: {layer} includes {to}/ ({line.strip()})")
            # engine-specific folders only from within the engine layer
            if re.match(r'#include "engine/(postgres|sqlite)/', line) and layer != "engine":
                bad.append(f"src/{rel}/{name}:{n}: {layer} includes an engine's own folder")
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
