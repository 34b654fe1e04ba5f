#!/usr/bin/env python3
"""Benchmark `parindex derive` against DuckDB computing the same definitions on the same files.

    python3 bench/derive_bench.py --rows 20000000

Generates N dossier records for ~3,321 units (deterministic: a hash of the row number drives every
draw; ~5% late, ~2% open, a mix of channels and online kinds, 15% of dates written dd/mm/yyyy,
Vietnamese words on 10% of rows, a few duplicate ids, bad dates and unknown channels) as CSV and
as Parquet, then times, in the same run, on each format:
  * parindex derive (release build; built first if missing),
  * DuckDB (the Python package, installed here if missing) running one SQL query with the same
    definitions and the same bad-record rules,
checks that both give the same counts for every unit, and prints wall time, peak memory (max RSS,
from /usr/bin/time) and the ratio. Never run by CI.
"""
import argparse
import csv
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def ensure_duckdb():
    try:
        import duckdb  # noqa: F401
    except ImportError:
        subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "duckdb"])


def binary(reference=False):
    """The release binary; with `reference`, built with the `reference-engine` feature (polars'
    lazy engine, `--engine streaming`) — a second, longer build, so only when asked."""
    target = os.environ.get("CARGO_TARGET_DIR", os.path.expanduser("~/.cache/parindex-target"))
    cmd = ["cargo", "build", "--release", "--quiet"]
    if reference:
        cmd += ["--features", "reference-engine"]
    subprocess.check_call(cmd, cwd=REPO, env={**os.environ, "CARGO_TARGET_DIR": target})
    exe = os.path.join(target, "release", "parindex")
    if reference:
        # Kept beside the default binary, which the next default build would overwrite.
        shutil.copy(exe, exe + "-reference")
        exe += "-reference"
    return exe


def generate(n, out_dir, shape="messy"):
    """messy: 15% dd/mm/yyyy dates, Vietnamese words on 10% of rows, unknown channels and
    unreadable dates; clean: ISO dates and canonical words only. Both have the same duplicates."""
    import duckdb
    os.makedirs(out_dir, exist_ok=True)
    tag = "" if shape == "messy" else "-clean"
    csv_path = os.path.join(out_dir, f"dossiers-{n}{tag}.csv")
    pq_path = os.path.join(out_dir, f"dossiers-{n}{tag}.parquet")
    vi, dmy, bad = (100, 150, True) if shape == "messy" else (0, 0, False)
    if os.path.exists(csv_path) and os.path.exists(pq_path):
        return csv_path, pq_path
    t = time.time()
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(f"""
    CREATE TABLE d AS
    WITH r AS (
      SELECT i,
        hash(i * 31 + 1) % 1000 AS r_ch, hash(i * 31 + 2) % 1000 AS r_kind,
        DATE '2025-01-01' + CAST(hash(i * 31 + 3) % 365 AS INTEGER) AS recv,
        CAST(3 + hash(i * 31 + 4) % 12 AS INTEGER) AS span,
        hash(i * 31 + 5) % 1000 AS r_fin, CAST(hash(i * 31 + 6) % 10 AS INTEGER) AS r_delay,
        hash(i * 31 + 7) % 1000 AS r_pay, hash(i * 31 + 8) % 1000 AS r_dig,
        hash(i * 31 + 9) % 1000 AS r_fmt, hash(i * 31 + 10) % 1000 AS r_vi
      FROM range({n}) t(i))
    SELECT i,
      'HS' || lpad(CAST(CASE WHEN i % 50000 = 7 THEN i - 1 ELSE i END AS VARCHAR), 10, '0') AS dossier_id,
      'U' || lpad(CAST(hash(i * 31) % 3321 + 1 AS VARCHAR), 4, '0') AS unit_code,
      'TTHC-' || CAST(hash(i * 31 + 11) % 800 AS VARCHAR) AS procedure_code,
      CASE WHEN r_ch < 550 THEN (CASE WHEN r_vi < {vi} THEN 'trực tuyến' ELSE 'online' END)
           WHEN r_ch < 950 THEN (CASE WHEN r_vi < {vi} THEN 'trực tiếp' ELSE 'in_person' END)
           WHEN r_ch < 999 OR NOT {bad} THEN 'postal' ELSE 'fax' END AS channel,
      CASE WHEN r_ch < 550 THEN (CASE WHEN r_kind < 600 THEN (CASE WHEN r_vi < {vi} THEN 'toàn trình' ELSE 'full' END) ELSE 'partial' END) ELSE '' END AS online_kind,
      CASE WHEN {bad} AND i % 1000003 = 11 THEN NULL ELSE recv END AS recv,
      recv + span AS due,
      CASE WHEN r_fin < 930 THEN recv + (r_delay % (span + 1))
           WHEN r_fin < 980 THEN recv + span + 1 + r_delay
           ELSE NULL END AS fin,
      CASE WHEN r_pay < 400 THEN NULL WHEN r_pay < 850 THEN '1' ELSE '0' END AS paid_online,
      CASE WHEN r_dig < 800 THEN '1' ELSE '0' END AS digitised,
      r_fmt
    FROM r
    """)
    fmt = lambda c: f"CASE WHEN {c} IS NULL THEN '' WHEN r_fmt < {dmy} THEN strftime({c}, '%d/%m/%Y') ELSE strftime({c}, '%Y-%m-%d') END"
    con.execute(f"""COPY (SELECT dossier_id, unit_code, procedure_code, channel, online_kind,
        CASE WHEN {bad} AND i % 1000003 = 11 THEN 'không rõ' ELSE {fmt('recv')} END AS received_at, {fmt('due')} AS due_at, {fmt('fin')} AS finished_at,
        coalesce(paid_online, '') AS paid_online, digitised FROM d ORDER BY i) TO '{csv_path}' (HEADER, DELIMITER ',')""")
    con.execute(f"""COPY (SELECT dossier_id, unit_code, procedure_code, channel, online_kind,
        recv AS received_at, due AS due_at, fin AS finished_at, paid_online, digitised FROM d ORDER BY i)
        TO '{pq_path}' (FORMAT PARQUET, ROW_GROUP_SIZE 1000000)""")
    print(f"generated {n:,} rows in {time.time() - t:.1f} s: {os.path.getsize(csv_path) / 1e9:.2f} GB CSV, {os.path.getsize(pq_path) / 1e9:.2f} GB Parquet")
    return csv_path, pq_path


DUCKDB_SQL = """
WITH raw AS (SELECT * FROM {src}),
p AS (
  SELECT dossier_id, trim(unit_code) AS unit_code,
    {date_recv} AS recv, {date_due} AS due, {date_fin} AS fin,
    (finished_at IS NOT NULL AND trim(CAST(finished_at AS VARCHAR)) <> '') AS fin_present,
    CASE lower(trim(channel)) WHEN 'online' THEN 1 WHEN 'trực tuyến' THEN 1 WHEN 'in_person' THEN 2
      WHEN 'trực tiếp' THEN 2 WHEN 'postal' THEN 3 WHEN 'bưu chính' THEN 3 ELSE 0 END AS ch,
    CASE WHEN online_kind IS NULL OR trim(online_kind) = '' THEN 0
      WHEN lower(trim(online_kind)) IN ('full', 'toàn trình', 'mức độ 4', '4') THEN 1
      WHEN lower(trim(online_kind)) IN ('partial', 'một phần', 'mức độ 3', '3') THEN 2 ELSE 255 END AS kind,
    CASE WHEN paid_online IS NULL OR trim(paid_online) = '' THEN 0 WHEN trim(paid_online) = '1' THEN 2
      WHEN trim(paid_online) = '0' THEN 1 ELSE 255 END AS paid,
    CASE WHEN digitised IS NULL OR trim(digitised) = '' THEN 0 WHEN trim(digitised) = '1' THEN 2
      WHEN trim(digitised) = '0' THEN 1 ELSE 255 END AS dig
  FROM raw),
dup AS (SELECT dossier_id FROM raw GROUP BY dossier_id HAVING count(*) > 1),
c AS (
  SELECT p.*, CASE
      WHEN {dup_test} THEN 1
      WHEN recv IS NULL OR due IS NULL OR (fin_present AND fin IS NULL) THEN 2
      WHEN fin < recv THEN 3
      WHEN ch = 0 THEN 4
      WHEN kind = 255 THEN 5
      WHEN paid = 255 OR dig = 255 OR dig = 0 THEN 6
      WHEN unit_code IS NULL OR unit_code = '' THEN 7
      ELSE 0 END AS reason,
    (recv BETWEEN DATE '2025-01-01' AND DATE '2025-12-31') AS in_period
  FROM p {dup_join}),
k AS (SELECT *, (reason = 0 AND coalesce(in_period, false)) AS keep,
        (fin IS NOT NULL AND fin <= DATE '2025-12-31') AS done FROM c)
SELECT unit_code,
  count(*) FILTER (WHERE keep) AS received,
  count(*) FILTER (WHERE keep AND done) AS resolved,
  count(*) FILTER (WHERE keep AND done AND fin <= due) AS resolved_on_time,
  count(*) FILTER (WHERE keep AND NOT done AND due < DATE '2025-12-31') AS pending_overdue,
  count(*) FILTER (WHERE keep AND ch = 1) AS online,
  count(*) FILTER (WHERE keep AND ch = 1 AND kind = 1) AS full_online,
  count(*) FILTER (WHERE keep AND paid = 2) AS paid_online,
  count(*) FILTER (WHERE keep AND paid <> 0) AS fee_known,
  count(*) FILTER (WHERE keep AND dig = 2) AS digitised
FROM k GROUP BY unit_code HAVING count(*) FILTER (WHERE keep) > 0 ORDER BY unit_code
"""


# Two formulations of the duplicate exclusion: `IN (subquery)` (the first bench's), and the
# efficient one — `GROUP BY dossier_id HAVING count(*) > 1`, then an anti-join. Both are timed and
# the faster is quoted.
FORMULATIONS = {
    "in_subquery": ("p.dossier_id IN (SELECT dossier_id FROM dup)", ""),
    "anti_join": ("dj.dossier_id IS NOT NULL", "LEFT JOIN dup dj ON p.dossier_id = dj.dossier_id"),
}


def duckdb_query(src, out, formulation="anti_join", shape="messy"):
    if src.endswith(".csv"):
        if shape == "clean":
            # Only ISO dates: one cast, the cheapest date parsing DuckDB has.
            d = lambda c: f"TRY_CAST({c} AS DATE)"
        else:
            d = lambda c: f"coalesce(try_strptime({c}, '%Y-%m-%d'), try_strptime({c}, '%d/%m/%Y'))::DATE"
        scan = f"read_csv('{src}', all_varchar = true, header = true)"
    else:
        d = lambda c: c
        scan = f"read_parquet('{src}')"
    test, join = FORMULATIONS[formulation]
    sql = DUCKDB_SQL.format(src=scan, date_recv=d("received_at"), date_due=d("due_at"), date_fin=d("finished_at"),
                            dup_test=test, dup_join=join)
    return f"import duckdb; duckdb.sql('SET enable_progress_bar = false'); duckdb.sql('''COPY ({sql}) TO '{out}' (HEADER)''')"


def timed(cmd):
    """Wall seconds, peak RSS (MiB, from /usr/bin/time) and peak anonymous memory (MiB, sampled
    from /proc every 20 ms). RSS also counts pages of memory-mapped input files, which the
    kernel can drop at will; the anonymous peak is the memory the process really needs."""
    t = time.time()
    p = subprocess.Popen(["/usr/bin/time", "-v"] + cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    anon = 0
    while p.poll() is None:
        for pid in child_pids(p.pid):
            try:
                with open(f"/proc/{pid}/status") as f:
                    for line in f:
                        if line.startswith("RssAnon:"):
                            anon = max(anon, int(line.split()[1]))
            except OSError:
                pass
        time.sleep(0.02)
    out, err = p.communicate()
    wall = time.time() - t
    if p.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{out}\n{err}")
    rss = next(int(l.split()[-1]) for l in err.splitlines() if "Maximum resident set size" in l)
    return wall, rss / 1024, anon / 1024


def child_pids(pid):
    """pid and all its descendants."""
    out, todo = [], [pid]
    while todo:
        q = todo.pop()
        out.append(q)
        try:
            with open(f"/proc/{q}/task/{q}/children") as f:
                todo.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return out


def load(path, cols):
    with open(path) as f:
        return {r["unit_code"]: tuple(int(r[c]) for c in cols) for r in csv.DictReader(f)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=20_000_000)
    ap.add_argument("--data", default=os.path.join(HERE, "data"))
    ap.add_argument("--repeat", type=int, default=1, help="runs per tool and format; the best is kept")
    ap.add_argument("--shape", choices=["clean", "messy", "both"], default="both",
                    help="clean: ISO dates, canonical words; messy: 15%% dd/mm/yyyy, Vietnamese words, bad records")
    ap.add_argument("--polars", action="store_true", help="also time parindex's previous (polars) CSV path; builds the release binary a second time with the reference-engine feature")
    a = ap.parse_args()
    ensure_duckdb()
    exe = binary()
    reference = binary(reference=True) if a.polars else None
    cols = ["received", "resolved", "resolved_on_time", "pending_overdue", "online", "full_online", "paid_online", "fee_known", "digitised"]
    rows = []
    shapes = ["clean", "messy"] if a.shape == "both" else [a.shape]
    for shape in shapes:
        csv_path, pq_path = generate(a.rows, a.data, shape)
        for label, src in (("CSV", csv_path), ("Parquet", pq_path)):
            ours = os.path.join(a.data, f"parindex-{label}.csv")
            theirs = os.path.join(a.data, f"duckdb-{label}.csv")
            p = min(timed([exe, "derive", src, "--period", "2025", "--quiet", "--out", ours]) for _ in range(a.repeat))
            x = load(ours, cols)
            before = None
            if label == "CSV" and a.polars:
                # The polars CSV reader parindex used before its own (kept as --engine streaming).
                before = min(timed([reference, "derive", src, "--period", "2025", "--quiet", "--engine", "streaming", "--out", ours + ".polars.csv"]) for _ in range(a.repeat))
                if load(ours + ".polars.csv", cols) != x:
                    print(f"MISMATCH on {shape} {label}: parindex's own reader and polars' differ")
                    sys.exit(1)
            times = {}
            same = True
            for name in FORMULATIONS:
                times[name] = min(timed([sys.executable, "-c", duckdb_query(src, theirs, name, shape)]) for _ in range(a.repeat))
                y = load(theirs, cols)
                if x != y:
                    same = False
                    diff = [u for u in set(x) | set(y) if x.get(u) != y.get(u)][:5]
                    print(f"MISMATCH on {shape} {label} ({name}): {[(u, x.get(u), y.get(u)) for u in diff]}")
                print(f"{shape} {label}: DuckDB {name}: {times[name][0]:.2f} s")
            d = min(times.values(), key=lambda t: t[0])
            rows.append((f"{shape} {label}", p, before, d, same, len(x)))
    print(f"\nparindex derive vs DuckDB {__import__('duckdb').__version__}, {a.rows:,} dossier records, {os.cpu_count()} cores")
    print("peak memory in MiB: RSS (includes memory-mapped input pages) / anonymous (what the process allocates)")
    print("DuckDB: the faster of the two formulations above; polars: parindex's previous CSV path (--engine streaming)")
    print(f"{'input':<14} {'parindex s':>10} {'RSS':>6} {'anon':>6} {'polars s':>8} {'DuckDB s':>9} {'RSS':>6} {'anon':>6} {'ratio':>6}  outputs")
    for label, (pt, pm, pa), before, (dt, dm, da), same, n in rows:
        b = f"{before[0]:>8.2f}" if before else f"{'':>8}"
        print(f"{label:<14} {pt:>10.2f} {pm:>6.0f} {pa:>6.0f} {b} {dt:>9.2f} {dm:>6.0f} {da:>6.0f} {pt / dt:>6.2f}  {'agree' if same else 'DIFFER'} ({n} units)")
    if not all(r[4] for r in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
