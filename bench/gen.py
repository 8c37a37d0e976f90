"""Deterministic upgrade sets for the benchmarks, in ratchet's layout and in
each peer's (one SQL file for psql, per-file SQL, dbmate, sqitch, Liquibase).

Item i (1-based) is one small, realistic schema change; the kinds repeat in a
cycle of six so that every item can refer to what the ones before it made:

  0  CREATE TABLE bt_<i>            (starts a new group; 4 columns, a primary key)
  1  ALTER TABLE ... ADD COLUMN      (a column with a default)
  2  CREATE INDEX bi_<i>             (on the new column and created_at)
  3  INSERT 5 rows
  4  CREATE VIEW bv_<i>
  5  CREATE FUNCTION bf_<i> plpgsql  (SQLite: CREATE TRIGGER bg_<i>)

`expected_counts` says what the catalog holds after all N items, so every
timed run can be checked against the work it was asked to do.
"""

import os
import shutil

ROWS_PER_INSERT = 5
KINDS = ("create_table", "add_column", "add_index", "insert_rows", "create_view",
         "create_function")


def item_kind(i):
    return (i - 1) % 6


def item_sql(i, engine):
    """The SQL of item i for `engine` ('postgresql' or 'sqlite')."""
    kind = item_kind(i)
    t = i - kind  # the group's table
    if kind == 0:
        if engine == "sqlite":
            return (f"CREATE TABLE bt_{i} (\n"
                    f"  id INTEGER PRIMARY KEY,\n"
                    f"  name TEXT NOT NULL,\n"
                    f"  status TEXT NOT NULL DEFAULT 'new',\n"
                    f"  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP\n"
                    f");\n")
        return (f"CREATE TABLE bt_{i} (\n"
                f"  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
                f"  name text NOT NULL,\n"
                f"  status text NOT NULL DEFAULT 'new',\n"
                f"  created_at timestamptz NOT NULL DEFAULT now()\n"
                f");\n")
    if kind == 1:
        return f"ALTER TABLE bt_{t} ADD COLUMN c_{i} integer NOT NULL DEFAULT 0;\n"
    if kind == 2:
        return f"CREATE INDEX bi_{i} ON bt_{t} (c_{t + 1}, created_at);\n"
    if kind == 3:
        values = ",\n".join(f"  ('item {i} row {r}', {r})" for r in range(1, ROWS_PER_INSERT + 1))
        return f"INSERT INTO bt_{t} (name, c_{t + 1}) VALUES\n{values};\n"
    if kind == 4:
        return (f"CREATE VIEW bv_{i} AS\n"
                f"  SELECT id, name, c_{t + 1} FROM bt_{t} WHERE status = 'new';\n")
    if engine == "sqlite":
        return (f"CREATE TRIGGER bg_{i} BEFORE UPDATE OF name ON bt_{t}\n"
                f"BEGIN\n"
                f"  SELECT RAISE(ABORT, 'a name cannot be emptied') WHERE NEW.name = '';\n"
                f"END;\n")
    return (f"CREATE FUNCTION bf_{i}(p_id bigint) RETURNS integer\n"
            f"LANGUAGE plpgsql STABLE AS $$\n"
            f"DECLARE\n"
            f"  v integer;\n"
            f"BEGIN\n"
            f"  SELECT c_{t + 1} INTO v FROM bt_{t} WHERE id = p_id;\n"
            f"  RETURN coalesce(v, 0) + {i};\n"
            f"END\n"
            f"$$;\n")


def expected_counts(n):
    """What the catalog holds after items 1..n (objects named bt_/bi_/bv_/bf_/bg_)."""
    per_kind = [0] * 6
    for i in range(1, n + 1):
        per_kind[item_kind(i)] += 1
    return {
        "tables": per_kind[0],
        "columns": 4 * per_kind[0] + per_kind[1],
        "indexes": per_kind[2],
        "rows": ROWS_PER_INSERT * per_kind[3],
        "views": per_kind[4],
        "routines": per_kind[5],
    }


def _write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def _fresh(path):
    if os.path.exists(path):
        shutil.rmtree(path)
    os.makedirs(path)


def write_ratchet_set(root, n, engine, first=1):
    """ratchet.toml and items/V<i>__<i>__<kind>.sql for items first..n."""
    _fresh(os.path.join(root, "items"))
    _write(os.path.join(root, "ratchet.toml"),
           "[project]\n"
           f"name = \"bench-{n}\"\n"
           f"engines = [\"{engine}\"]\n"
           "lock-timeout = \"5s\"\n")
    for i in range(first, n + 1):
        _write(os.path.join(root, "items", f"V{i}__{i}__{KINDS[item_kind(i)]}.sql"),
               item_sql(i, engine))


def write_psql_files(root, n, engine="postgresql"):
    """all.sql (every item in order) and files/<i>.sql (one per item)."""
    _fresh(os.path.join(root, "files"))
    with open(os.path.join(root, "all.sql"), "w", encoding="utf-8") as all_sql:
        for i in range(1, n + 1):
            sql = item_sql(i, engine)
            all_sql.write(sql)
            _write(os.path.join(root, "files", f"{i:06d}.sql"), sql)


def write_dbmate(root, n):
    """db/migrations/<version>_<kind>.sql with -- migrate:up / down."""
    migrations = os.path.join(root, "migrations")
    _fresh(migrations)
    for i in range(1, n + 1):
        _write(os.path.join(migrations, f"{20260000000000 + i}_{KINDS[item_kind(i)]}_{i}.sql"),
               f"-- migrate:up\n{item_sql(i, 'postgresql')}\n-- migrate:down\n")


def write_sqitch(root, n):
    """sqitch.conf, sqitch.plan and deploy/revert scripts, each deploy script
    in its own transaction as `sqitch add` writes them."""
    _fresh(root)
    os.makedirs(os.path.join(root, "deploy"))
    os.makedirs(os.path.join(root, "revert"))
    _write(os.path.join(root, "sqitch.conf"),
           "[core]\n\tengine = pg\n\tplan_file = sqitch.plan\n\ttop_dir = .\n"
           "[user]\n\tname = Bench\n\temail = bench@example.com\n")
    lines = ["%syntax-version=1.0.0", "%project=bench", ""]
    for i in range(1, n + 1):
        name = f"{KINDS[item_kind(i)]}_{i}"
        lines.append(f"{name} 2026-01-01T00:00:00Z Bench <bench@example.com> # item {i}")
        _write(os.path.join(root, "deploy", f"{name}.sql"),
               f"-- Deploy bench:{name}\n\nBEGIN;\n\n{item_sql(i, 'postgresql')}\nCOMMIT;\n")
        _write(os.path.join(root, "revert", f"{name}.sql"),
               f"-- Revert bench:{name}\n\nBEGIN;\nCOMMIT;\n")
    _write(os.path.join(root, "sqitch.plan"), "\n".join(lines) + "\n")


def write_liquibase(root, n):
    """changelog.xml including changes/<i>.sql, one formatted-SQL changeset each."""
    changes = os.path.join(root, "changes")
    _fresh(changes)
    _write(os.path.join(root, "changelog.xml"),
           '<?xml version="1.0" encoding="UTF-8"?>\n'
           '<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog"\n'
           '    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"\n'
           '    xsi:schemaLocation="http://www.liquibase.org/xml/ns/dbchangelog\n'
           '      http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-4.20.xsd">\n'
           '  <includeAll path="changes/" relativeToChangelogFile="true"/>\n'
           '</databaseChangeLog>\n')
    for i in range(1, n + 1):
        _write(os.path.join(changes, f"{i:06d}_{KINDS[item_kind(i)]}.sql"),
               "--liquibase formatted sql\n\n"
               f"--changeset bench:{i} splitStatements:false\n{item_sql(i, 'postgresql')}")


def pg_counts_sql():
    """One query returning tables, columns, indexes, rows, views, routines."""
    return r"""
SELECT
  (SELECT count(*) FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
    WHERE s.nspname = 'public' AND c.relkind = 'r' AND c.relname LIKE 'bt\_%'),
  (SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
     JOIN pg_namespace s ON s.oid = c.relnamespace
    WHERE s.nspname = 'public' AND c.relkind = 'r' AND c.relname LIKE 'bt\_%'
      AND a.attnum > 0 AND NOT a.attisdropped),
  (SELECT count(*) FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
    WHERE s.nspname = 'public' AND c.relkind = 'i' AND c.relname LIKE 'bi\_%'),
  (SELECT coalesce(sum((xpath('/row/c/text()',
       query_to_xml(format('SELECT count(*) AS c FROM public.%I', c.relname),
                    false, true, '')))[1]::text::bigint), 0)
     FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
    WHERE s.nspname = 'public' AND c.relkind = 'r' AND c.relname LIKE 'bt\_%'),
  (SELECT count(*) FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
    WHERE s.nspname = 'public' AND c.relkind = 'v' AND c.relname LIKE 'bv\_%'),
  (SELECT count(*) FROM pg_proc p JOIN pg_namespace s ON s.oid = p.pronamespace
    WHERE s.nspname = 'public' AND p.proname LIKE 'bf\_%')
"""

