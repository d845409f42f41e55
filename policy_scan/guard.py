"""Per-document limits: run risky work in a forked child with a memory cap and a deadline.

Hostile PDFs (decompression bombs, cyclic structures, files that crash the PDF engine)
must cost one document, never the process that scans the others.  Reading a PDF therefore
runs in a child process: a memory cap (RLIMIT_AS) bounds what it may allocate, the parent
stops waiting at the deadline and kills it, and a crash of the native engine becomes one
clear error line instead of taking the caller down.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import resource
import signal
import subprocess
import sys
import threading
import time
import traceback

from .errors import InputError, PolicyScanError


class WorkerCrash(RuntimeError):
    """A Python exception in the child that is not an expected failure: a bug, not bad input.

    Kept apart from InputError so that callers (and the fuzz tests) can tell the two apart;
    its note carries the child's traceback.
    """


def can_fork() -> bool:
    # Daemonic processes (Dask's workers) may not start children: there, work runs inline.
    return "fork" in multiprocessing.get_all_start_methods() and not multiprocessing.current_process().daemon


def _virtual_size() -> int:
    """This process's address space in bytes (what RLIMIT_AS counts)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def _die_with_parent() -> None:
    """Ask Linux to kill this child if the parent dies (SIGTERM, OOM) before it finishes."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


_TO_PARENT = None  # in a forked GuardedJob child: the pipe its result goes back on


def to_parent(*event) -> None:
    """From inside a guarded child: pass a progress event to the waiting parent, which hands
    it to the `progress` callback of `result()`.  Elsewhere (in the parent, in a spawned
    child) it does nothing.  A failed send never stops the work."""
    if _TO_PARENT is not None:
        try:
            _TO_PARENT.send(("progress", event))
        except (OSError, MemoryError, ValueError):
            pass


def _child(conn, fn, args, max_memory_mb):
    global _TO_PARENT
    _TO_PARENT = conn
    # Its own process group, so that killing it also kills what it started (Tesseract).
    os.setpgid(0, 0)
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    message = _limited_call(fn, args, max_memory_mb)
    try:
        conn.send(message)
    except MemoryError:
        conn.send(("memory", None))
    conn.close()


def _limited_call(fn, args, max_memory_mb) -> tuple:
    """fn(*args) under the memory cap, as a message: ("ok", value), ("error", exc), ..."""
    if max_memory_mb:
        # The cap is on top of what the child inherited, so it bounds the work itself.
        limit = _virtual_size() + max_memory_mb * 1024 * 1024
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)  # inside an audit worker that has its own cap
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        message = ("ok", fn(*args))
    except PolicyScanError as exc:
        message = ("error", exc)
    except MemoryError:
        message = ("memory", None)
    except RuntimeError as exc:
        # Under the address-space cap a new thread's stack cannot be mapped: memory, not a bug.
        message = ("memory", None) if "can't start new thread" in str(exc) else ("crash", traceback.format_exc())
    except BaseException:  # noqa: BLE001 - a bug: sent back whole, raised as WorkerCrash
        message = ("crash", traceback.format_exc())
    return message


class GuardedJob:
    """A call running in a forked child; `result()` waits for it within a deadline."""

    def __init__(self, fn, args: tuple, path: str, max_memory_mb: int | None = None, what: str = "reading the PDF"):
        self.path, self.max_memory_mb, self.what = path, max_memory_mb, what
        ctx = multiprocessing.get_context("fork")
        self._recv, send = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=_child, args=(send, fn, args, max_memory_mb), daemon=True)
        self._proc.start()
        send.close()

    def result(self, timeout: float | None = None, limit: float | None = None, progress=None):
        """The child's return value; raises InputError on timeout, memory or a crash of the
        native engine, the child's own PolicyScanError, or WorkerCrash for a Python bug.

        `timeout` is how long to wait from now; `limit` is the configured limit named in the
        message (the two differ when part of the budget was spent before).  Events the child
        sent with `to_parent` meanwhile are passed to `progress(*event)`, in this thread.
        """
        end = None if timeout is None else time.monotonic() + timeout
        try:
            while True:
                if not self._recv.poll(None if end is None else max(0.0, end - time.monotonic())):
                    raise InputError(
                        self.path,
                        f"timed out after {limit or timeout:g} s {self.what} (raise the limit with --timeout)",
                    )
                try:
                    kind, value = self._recv.recv()
                except (EOFError, OSError):
                    raise InputError(self.path, self._death()) from None
                if kind != "progress":
                    break
                if progress is not None:
                    progress(*value)
        finally:
            self.close()
        return self._unpack((kind, value))

    def _unpack(self, message: tuple):
        kind, value = message
        if kind == "ok":
            return value
        if kind == "error":
            raise value
        if kind == "memory":
            raise InputError(self.path, self._memory_message())
        last = value.strip().splitlines()[-1] if value.strip() else "no details"
        crash = WorkerCrash(f"{self.path}: unexpected failure {self.what}: {last}")
        crash.add_note(f"the worker's traceback:\n{value}")  # shown with the parent's traceback
        raise crash

    def _memory_message(self) -> str:
        return f"memory limit of {self.max_memory_mb} MB exceeded {self.what} (raise it with --max-memory)"

    def _death(self) -> str:
        self._proc.join(5)
        return _death_message(self._proc.exitcode, self.what, self.max_memory_mb)

    def close(self) -> None:
        try:
            os.killpg(self._proc.pid, signal.SIGKILL)  # the child and any OCR it left running
        except (ProcessLookupError, PermissionError):
            pass
        self._proc.join(5)
        self._recv.close()


def _death_message(code: int | None, what: str, max_memory_mb: int | None) -> str:
    """Why a reading child ended without a result, from its exit code."""
    if code is not None and code < 0:
        name = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
        if name == "SIGKILL":
            return f"killed {what} (out of memory?)"
        if max_memory_mb and name in ("SIGSEGV", "SIGABRT", "SIGBUS"):
            # Native code that cannot allocate under the cap tends to abort, not raise.
            return (
                f"the PDF engine crashed ({name}) {what}: the file is malformed "
                f"or needs more than --max-memory {max_memory_mb} MB"
            )
        return f"the PDF engine crashed ({name}) {what}: the file is malformed"
    return f"the worker {what} ended without a result (exit code {code})"


class SpawnedJob(GuardedJob):
    """The same guarded call in a freshly started Python process (`python -c`, not fork).

    For daemonic processes, which multiprocessing forbids to have children: Dask's workers.
    A Dask worker runs several tasks at once, in threads, so the PDF is read out of its
    process under the same memory cap and deadline, and a decompression bomb or a crash of
    the PDF engine costs the document, not the worker and the other tasks it holds.  The
    call and its arguments go in by stdin, the message comes back on stdout (pickled, as
    between a forked child and its parent); the child writes anything else to stderr.
    """

    def __init__(self, fn, args: tuple, path: str, max_memory_mb: int | None = None, what: str = "reading the PDF"):
        self.path, self.max_memory_mb, self.what = path, max_memory_mb, what
        code = "from policy_scan.guard import _spawned_main; _spawned_main()"
        self._popen = subprocess.Popen(
            [sys.executable, "-P", "-c", code],  # -P: never import from the working folder
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            start_new_session=True,  # its own process group: killed with what it starts
            env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)},
        )
        try:
            self._popen.stdin.write(pickle.dumps((fn, args, max_memory_mb, os.getpid())))
            self._popen.stdin.close()
            self._popen.stdin = None  # sent: communicate() only reads
        except BaseException:
            self.close()
            raise

    def result(self, timeout: float | None = None, limit: float | None = None, progress=None):
        # No progress events from a spawned child: its stdout carries the result only.
        try:
            out, _ = self._popen.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.close()
            raise InputError(
                self.path, f"timed out after {limit or timeout:g} s {self.what} (raise the limit with --timeout)"
            ) from None
        finally:
            self.close()
        try:
            message = pickle.loads(out)
        except (pickle.UnpicklingError, EOFError, ValueError):  # nothing, or cut short by its death
            raise InputError(self.path, _death_message(self._popen.returncode, self.what, self.max_memory_mb)) from None
        return self._unpack(message)

    def close(self) -> None:
        try:
            os.killpg(self._popen.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        with contextlib.suppress(Exception):
            self._popen.communicate(timeout=5)


def _spawned_main() -> None:
    """The child of a SpawnedJob."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # stray prints go to stderr, never into the result
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    fn, args, max_memory_mb, parent = pickle.load(sys.stdin.buffer)
    _die_with_parent()
    if os.getppid() != parent:
        os._exit(1)  # the caller died before the line above took effect
    message = _limited_call(fn, args, max_memory_mb)
    try:
        data = pickle.dumps(message)
    except MemoryError:
        data = pickle.dumps(("memory", None))
    out.write(data)
    out.close()


def start_guarded(fn, args: tuple, path: str, max_memory_mb: int | None = None, what: str = "reading the PDF"):
    """fn(*args) in a child under the limits: forked where possible, else a fresh process."""
    job = GuardedJob if can_fork() else SpawnedJob
    return job(fn, args, path, max_memory_mb, what)


class Deadline:
    """The time left of a per-document budget."""

    def __init__(self, seconds: float | None):
        self.seconds = seconds
        # CLOCK_MONOTONIC is system-wide, so a forked child can compare against `end`.
        self.end = time.monotonic() + seconds if seconds else None

    def remaining(self) -> float | None:
        if self.end is None:
            return None
        return max(0.01, self.end - time.monotonic())


class _Expired(BaseException):
    """Raised by the alarm; a BaseException so no `except Exception` on the way swallows it."""


def _on_alarm(signum, frame):  # noqa: ARG001
    raise _Expired()


@contextlib.contextmanager
def memory_limit(path: str, max_memory_mb: int | None, what: str):
    """Cap what this process may allocate for `what` beyond what it already holds (RLIMIT_AS,
    as an audit worker is capped): checking a document's text in the scanning process is
    bounded as reading it in the guarded child is.  The previous limit comes back after."""
    if not max_memory_mb:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = _virtual_size() + max_memory_mb * 1024 * 1024
    for bound in (soft, hard):
        if bound != resource.RLIM_INFINITY:
            limit = min(limit, bound)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    except MemoryError:
        raise InputError(
            path,
            f"out of memory {what} (limit {max_memory_mb} MB beyond the program's own; raise it with --max-memory)",
        ) from None
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@contextlib.contextmanager
def time_limit(deadline: Deadline, path: str, what: str):
    """Interrupt in-process work at the deadline (main thread only; elsewhere a no-op)."""
    remaining = deadline.remaining()
    if remaining is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    outer, _ = signal.getitimer(signal.ITIMER_REAL)
    if outer and outer <= remaining:
        yield  # a caller's alarm (an audit worker's) comes first: leave it in charge
        return
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    started = time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, remaining)
    try:
        yield
    except _Expired:
        raise InputError(
            path, f"timed out after {deadline.seconds:g} s {what} (raise the limit with --timeout)"
        ) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer:  # give the caller's alarm back what is left of it
            signal.setitimer(signal.ITIMER_REAL, max(0.001, outer - (time.monotonic() - started)))


def cpu_count() -> int:
    return os.cpu_count() or 1
