"""Audit ../shared/pdfs with -j 1 and -j 2 in one run: documents/s, pages/s, speed-up.

    python benchmarks/bench_audit.py [FOLDER] [--copies N]

Each setting runs as its own `policy-scan audit` process into a fresh store.  --copies
repeats the folder's files N times (under different names) for a longer, steadier run.
Target (issue #5): at least 1.7x from -j 1 to -j 2 on 2 cores.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "pdfs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default=str(DEFAULT))
    parser.add_argument("--copies", type=int, default=6)
    args = parser.parse_args()
    source = Path(args.folder)
    if not source.is_dir():
        print(f"skipped: {source} not found (../shared absent?)")
        return
    work = Path(tempfile.mkdtemp())
    corpus = work / "corpus"
    corpus.mkdir()
    for n in range(args.copies):
        for pdf in sorted(source.glob("*.pdf")):
            shutil.copy(pdf, corpus / f"{n}-{pdf.name}")
    settings: list[tuple[str, list[str]]] = [("-j 1", ["-j", "1"]), ("-j 2", ["-j", "2"]), ("dask, 2 workers", [])]
    cluster = None
    results = {}
    for name, flags in settings:
        if name.startswith("dask"):  # started only now, so its idle threads do not slow the pool runs
            try:
                import distributed
            except ImportError:
                print("  (dask.distributed not installed: no LocalCluster run)")
                continue
            cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)
            flags = ["--scheduler", cluster.scheduler_address]
        db = work / f"{len(results)}.sqlite"
        started = time.perf_counter()
        command = [sys.executable, "-m", "policy_scan", "audit", str(corpus), "--db", str(db), *flags, "-q"]
        subprocess.run(command, cwd=ROOT, capture_output=True)
        seconds = time.perf_counter() - started
        con = sqlite3.connect(db)
        query = "SELECT count(*), coalesce(sum(pages), 0) FROM documents WHERE status = 'done'"
        docs, pages = con.execute(query).fetchone()
        failed = con.execute("SELECT count(*) FROM documents WHERE status = 'failed'").fetchone()[0]
        con.close()
        results[name] = seconds
        print(
            f"  {name:<16} {seconds:6.2f} s  {docs / seconds:5.2f} docs/s  {pages / seconds:6.1f} pages/s  "
            f"({docs} done, {failed} failed, {pages} pages)"
        )
    if cluster is not None:
        cluster.close()
    print(f"  speed-up -j 2 / -j 1 = {results['-j 1'] / results['-j 2']:.2f}x   (target: at least 1.7x)")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
