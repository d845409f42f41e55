"""Bounded time and memory (issue #16): diff grows near-linearly and honours --timeout;
classify reads no line whole beyond its limit."""

from __future__ import annotations

import json
import resource
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
    code = (
        "import resource, runpy, sys\n"
        "sys.argv = ['policy-scan', 'classify', sys.argv[1], '--method', 'rules']\n"
        "try:\n"
        "    runpy.run_module('policy_scan', run_name='__main__')\n"
        "finally:\n"
        "    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(source)], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and "line longer than 1,000,000 characters" in lines[0], proc.stderr
    assert int(lines[-1]) < 400 * 1024, f"peak {int(lines[-1]) // 1024} MB"  # ru_maxrss is in KB
    assert resource  # (imported for the child's measurement)
