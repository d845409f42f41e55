"""Bounded time and memory (issue #16): diff grows near-linearly and honours --timeout;
classify reads no line whole beyond its limit."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import bench_diff  # noqa: E402

from policy_scan.diff import match_findings  # noqa: E402


def run(*args, **kw) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "policy_scan", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, **kw)


def test_diff_matching_is_near_linear():
    """4,000 findings a side: about 6 s here; the pairwise matcher took about 20 minutes."""
    old, new = bench_diff.results(4000)
    started = time.perf_counter()
    same, edited, removed, added = match_findings(old["findings"], new["findings"])
    assert time.perf_counter() - started < 90
    assert len(same) + len(edited) + len(removed) == 4000 == len(same) + len(edited) + len(added)
    assert len(edited) > 1000  # the edited third is still found


def test_many_repeats_of_one_sentence_pair_quickly():
    old = [bench_diff.finding("The plan supports migrants.", n) for n in range(20000)]
    new = [bench_diff.finding("The plan supports migrants.", n) for n in range(0, 40000, 2)]
    started = time.perf_counter()
    same, edited, removed, added = match_findings(old, new)
    assert time.perf_counter() - started < 30
    assert len(same) == 20000 and not (edited or removed or added)
    assert all(a["char_start"] * 2 == b["char_start"] for a, b in same)  # each with its counterpart


def test_diff_honours_timeout(tmp_path):
    old, new = bench_diff.results(6000)
    paths = []
    for name, result in (("old.json", old), ("new.json", new)):
        paths.append(tmp_path / name)
        paths[-1].write_text(json.dumps(result))
    started = time.monotonic()
    proc = run("diff", *paths, "--timeout", "0.5", timeout=300)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "comparison took longer than the timeout of 0.5 s" in lines[0], proc.stderr
    assert time.monotonic() - started < 60


def test_classify_does_not_read_a_100_mb_line_whole(tmp_path):
    """A 100 MB line took classify to 5.7 GB; now it is refused after reading 1 MB of it."""
    source = tmp_path / "huge.jsonl"
    with open(source, "w") as fh:
        fh.write('{"text": "')
        for _ in range(100):
            fh.write("migrant " * 131072)  # 1 MiB
        fh.write('"}\n')
    # VmHWM, the peak resident size of this program (ru_maxrss would carry over the forking
    # pytest process's own peak across exec).
    code = (
        "import runpy, sys\n"
        "sys.argv = ['policy-scan', 'classify', sys.argv[1], '--method', 'rules']\n"
        "try:\n"
        "    runpy.run_module('policy_scan', run_name='__main__')\n"
        "finally:\n"
        "    status = open('/proc/self/status').read().split('VmHWM:')[1].split()[0]\n"
        "    print(status, file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(source)], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and "line longer than 1,000,000 characters" in lines[0], proc.stderr
    assert int(lines[-1]) < 400 * 1024, f"peak {int(lines[-1]) // 1024} MB"  # VmHWM is in kB


def _statuses(db) -> dict[str, int]:
    import sqlite3

    try:
        with sqlite3.connect(db, timeout=30) as con:
            return dict(con.execute("SELECT status, count(*) FROM documents GROUP BY status"))
    except sqlite3.Error:
        return {}


def test_ctrl_c_stops_an_audit_within_seconds_keeping_what_is_stored(tmp_path):
    import shutil
    import signal

    folder = tmp_path / "plans"
    folder.mkdir()
    # Enough documents that the audit is still busy when the signal comes, on a fast idle
    # machine too (12 finished in 2 s there, before the signal arrived).
    count = 60
    for n in range(count):
        shutil.copy(ROOT / "examples" / "draft_plan.pdf", folder / f"plan-{n:02}.pdf")
    db = tmp_path / "audit.sqlite"
    command = [sys.executable, "-m", "policy_scan", "audit", str(folder), "--db", str(db), "-q", "-j", "2"]
    # As from a terminal: a job started in the background by a non-interactive shell (a CI
    # script run with `&`) inherits SIGINT ignored, and Python then never raises
    # KeyboardInterrupt; the audit would run on to the end.
    proc = subprocess.Popen(
        command,
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.monotonic() + 240
        while _statuses(db).get("done", 0) < 1 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None, "the audit ended before it could be interrupted"
        proc.send_signal(signal.SIGINT)
        interrupted = time.monotonic()
        _, stderr = proc.communicate(timeout=60)
        stopped = time.monotonic() - interrupted
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130 and "Traceback" not in stderr, stderr
    assert stderr.strip().splitlines()[-1].startswith("policy-scan: interrupted; what was scanned is in"), stderr
    assert stopped < 10, f"took {stopped:.1f} s to stop"
    statuses = _statuses(db)
    assert set(statuses) <= {"done", "pending"} and sum(statuses.values()) == count, statuses
    done = statuses.get("done", 0)
    if statuses.get("pending"):
        again = run("audit", folder, "--db", db, "-q", "-j", "2", timeout=600)
        assert again.returncode == 0 and f"{done} already done" in again.stderr, again.stderr
        assert _statuses(db) == {"done": count}


def test_audit_with_the_documented_minimum_memory(tmp_path):
    """--max-memory 256 is what a worker may allocate beyond the program it inherited (several
    hundred MB before any document): an English, a French and a Spanish plan, with reports."""
    import shutil

    from conftest import shared_pdf

    folder = tmp_path / "plans"
    folder.mkdir()
    shutil.copy(ROOT / "examples" / "draft_plan.pdf", folder / "plan.pdf")
    for name in ("CIV_IOM_MGI_Profil_Gouvernance_Migrations_2019_fr.pdf",):
        try:
            shutil.copy(shared_pdf(name), folder / name)
        except BaseException:  # noqa: BLE001 - ../shared absent: the example alone
            pass
    db = tmp_path / "audit.sqlite"
    proc = run(
        "audit", folder, "--db", db, "-q", "-j", "1", "--max-memory", "256", "--reports", tmp_path / "r", timeout=600
    )
    assert proc.returncode == 0 and " 0 failed" in proc.stderr, proc.stderr
    assert len(list((tmp_path / "r").glob("*.html"))) == len(list(folder.glob("*.pdf")))


def test_max_memory_bounds_checking_the_text_of_one_scan(tmp_path):
    # Without a cap this 2 MB file takes the scanning process past 300 MB (13,800 findings);
    # --max-memory bounds that part too, not only the reading child.
    import hostile

    bomb = hostile.text_bomb(tmp_path / "bomb.pdf")
    proc = run("scan", bomb, "-f", "json", "--max-memory", "64", timeout=600)
    assert proc.returncode == 2, proc.stderr[-500:]
    assert proc.stderr.strip().splitlines() == [
        f"policy-scan: error: {bomb}: out of memory checking the text "
        "(limit 64 MB beyond the program's own; raise it with --max-memory)"
    ]
    assert proc.stdout == ""
