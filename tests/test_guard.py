"""The per-document guard: a bug in the reading child is not bad input; alarms nest."""

from __future__ import annotations

import os
import resource
import signal
import time

import pytest

from policy_scan.errors import InputError
from policy_scan.guard import Deadline, GuardedJob, SpawnedJob, WorkerCrash, can_fork, time_limit

needs_fork = pytest.mark.skipif(not can_fork(), reason="needs fork")


def _buggy(path):
    return {"pages": 1}["missing"]  # a KeyError: our bug, whatever the file


def _bad_input(path):
    raise InputError(path, "not a PDF (starts with 'hello')")


@needs_fork
def test_a_python_bug_in_the_child_is_a_worker_crash_with_its_traceback():
    job = GuardedJob(_buggy, ("plan.pdf",), "plan.pdf")
    with pytest.raises(WorkerCrash) as info:
        job.result(30)
    assert not isinstance(info.value, InputError)
    assert str(info.value) == "plan.pdf: unexpected failure reading the PDF: KeyError: 'missing'"
    assert any("in _buggy" in note for note in info.value.__notes__)  # the child's traceback


@needs_fork
def test_an_expected_failure_in_the_child_comes_back_as_itself():
    job = GuardedJob(_bad_input, ("plan.pdf",), "plan.pdf")
    with pytest.raises(InputError, match=r"^plan\.pdf: not a PDF \(starts with 'hello'\)$"):
        job.result(30)


def test_time_limit_gives_an_outer_alarm_back_what_is_left_of_it():
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *_: fired.append(True))
    try:
        signal.setitimer(signal.ITIMER_REAL, 30)
        with time_limit(Deadline(5), "plan.pdf", "reading the PDF"):
            time.sleep(0.2)
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 0 < left < 29.9  # restored, less the time spent inside
        assert not fired
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_time_limit_leaves_a_sooner_outer_alarm_in_charge():
    class Outer(Exception):
        pass

    def outer(*_):
        raise Outer()

    previous = signal.signal(signal.SIGALRM, outer)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        with pytest.raises(Outer):  # the caller's alarm, not our "timed out" InputError
            with time_limit(Deadline(30), "plan.pdf", "reading the PDF"):
                time.sleep(2)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_time_limit_stops_work_at_the_deadline():
    with pytest.raises(InputError, match=r"^plan\.pdf: timed out after 0\.3 s reading the PDF"):
        with time_limit(Deadline(0.3), "plan.pdf", "reading the PDF"):
            time.sleep(5)
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0


def _crash(path):
    os.kill(os.getpid(), signal.SIGSEGV)  # as the PDF engine does on a file it cannot handle


def _read_pages(path):
    from policy_scan.extract import extract

    return extract(path).page_count


def test_a_spawned_job_keeps_the_limits_where_fork_is_not_allowed(tmp_path):
    """Daemonic processes (Dask's workers) may not fork: their reading child is a fresh process."""
    import hostile

    bomb = hostile.decompression_bomb(tmp_path / "bomb.pdf", expanded_mb=768)
    with pytest.raises(InputError, match=r"(memory limit of 256 MB exceeded|more than --max-memory 256 MB)"):
        SpawnedJob(_read_pages, (str(bomb),), str(bomb), 256).result(120)
    with pytest.raises(InputError, match=r"timed out after 0\.5 s reading the PDF"):
        SpawnedJob(_read_pages, (str(bomb),), str(bomb), 8192).result(0.5)
    with pytest.raises(InputError, match=r"the PDF engine crashed \(SIGSEGV\) reading the PDF"):
        SpawnedJob(_crash, ("plan.pdf",), "plan.pdf").result(60)
    with pytest.raises(WorkerCrash, match="KeyError: 'missing'"):
        SpawnedJob(_buggy, ("plan.pdf",), "plan.pdf").result(60)
    with pytest.raises(InputError, match=r"^plan\.pdf: not a PDF"):
        SpawnedJob(_bad_input, ("plan.pdf",), "plan.pdf").result(60)
    sentence = hostile.javascript(tmp_path / "ok.pdf")
    assert SpawnedJob(_read_pages, (str(sentence),), str(sentence), 256).result(60) == 1


def test_memory_limit_bounds_checking_the_text_and_gives_the_limit_back():
    from policy_scan.guard import memory_limit

    before = resource.getrlimit(resource.RLIMIT_AS)
    with pytest.raises(InputError, match=r"^plan\.pdf: out of memory checking the text \(limit 64 MB beyond"):
        with memory_limit("plan.pdf", 64, "checking the text"):
            bytearray(512 * 1024 * 1024)  # a text bomb's worth
    assert resource.getrlimit(resource.RLIMIT_AS) == before
    assert len(bytearray(512 * 1024 * 1024)) == 512 * 1024 * 1024  # the limit is gone again
    with memory_limit("plan.pdf", None, "checking the text"):  # no cap asked: none set
        assert resource.getrlimit(resource.RLIMIT_AS) == before
