"""Batch audits: the scan mapped over many PDFs in parallel, results into the store.

Each document is scanned in a worker process under a time and memory limit and saved in
its own transaction as soon as it finishes.  Every document listed is in the store from the
start ('pending' until scanned), so an interrupted run leaves the unfinished ones pending and
a rerun scans them and skips what is done.  A broken PDF is recorded as failed, with its
error, and the run goes on; so is a folder that cannot be read.  When a worker process dies,
the document it held is recorded as failed with the cause; if several were in flight, each
is scanned again on its own, so the one that kills its worker is told from the others.
Workers die with the audit process (PR_SET_PDEATHSIG), never outliving it.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError, PolicyScanError
from .extract import file_sha256
from .fsio import not_regular, write_text_atomic


@dataclass
class AuditOptions:
    jobs: int = os.cpu_count() or 1
    force: bool = False
    timeout: float = 300.0  # seconds per document
    max_memory_mb: int = 3072  # what a worker may allocate per document, beyond the program itself
    classifier: bool = True
    rules_dir: str | None = None
    reports_dir: str | None = None  # write each document's HTML report here
    scheduler: str | None = None  # a Dask distributed scheduler address: run there instead
    ocr: str = "off"  # off | auto | force, as for scan
    max_pages: int | None = 10000  # pages read per document
    prune: bool = False  # remove stored documents whose file no longer exists

    def settings(self) -> str:
        """The options that shape a document's result, stored with it: a rerun with other
        values scans it again instead of keeping a result they would not give."""
        return f"max-pages {self.max_pages or 'all'}, ocr {self.ocr}"


@dataclass
class AuditSummary:
    total: int = 0
    skipped: int = 0
    done: int = 0
    failed: int = 0
    pages: int = 0
    seconds: float = 0.0
    failures: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (path or "audit", warning)
    pruned: list[str] = field(default_factory=list)  # stored documents removed by --prune


def collect_pdfs(source: str | Path, unreadable: list[tuple[str, str]] | None = None) -> list[Path]:
    """PDFs under a folder (recursively), or listed one per line in a text file.

    Folders that cannot be read are appended to `unreadable` as (folder, reason).
    """
    source = Path(source)
    if source.is_dir():

        def cannot_read(exc: OSError) -> None:
            if unreadable is not None:
                unreadable.append((exc.filename or str(source), f"cannot read folder ({exc.strerror or exc})"))

        found = []
        for folder, _, files in os.walk(source, onerror=cannot_read):
            for name in files:
                path = Path(folder) / name
                if path.suffix.lower() == ".pdf" and not path.is_dir():
                    found.append(path)  # a FIFO or device named .pdf is listed, to be refused
        return sorted(found)
    if source.exists():
        if source.suffix.lower() == ".pdf":
            return [source]
        problem = not_regular(source)
        if problem:
            raise InputError(str(source), problem)
        try:
            raw = source.read_bytes()
        except OSError as exc:
            raise InputError(str(source), f"cannot read ({exc.strerror or exc})") from None
        if b"\0" in raw:  # UTF-16, or a binary file: no file name holds a NUL byte
            raise InputError(str(source), "not a list of file names (binary data, or text that is not UTF-8)")
        # surrogateescape: a listed name that is not UTF-8 stays the bytes that open the file
        lines = raw.decode("utf-8", errors="surrogateescape").splitlines()
        base = source.parent
        return [
            (base / line.strip()) if not Path(line.strip()).is_absolute() else Path(line.strip())
            for line in lines
            if line.strip() and not line.lstrip().startswith("#")
        ]
    raise InputError(str(source), "no such folder or list file")


BACKSTOP_SECONDS = 5.0


class _Timeout(Exception):
    pass


def _on_alarm(signum, frame):  # noqa: ARG001
    raise _Timeout()


def _limit_worker(max_memory_mb: int, parent: int | None = None) -> None:
    from .guard import _die_with_parent

    _die_with_parent()  # killed with the audit process, even by kill -9
    if parent is not None and os.getppid() != parent:
        os._exit(1)  # the audit process died before the line above took effect
    if max_memory_mb:
        # What the worker may allocate for its documents on top of the program it inherited
        # (spaCy, the model: several hundred MB of address space before any document), as
        # the reading child counts it: reading, segmenting, matching and the report together.
        from .guard import _virtual_size

        limit = _virtual_size() + max_memory_mb * 1024 * 1024
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle


def scan_one(path: str, sha256: str, options: AuditOptions, versions: tuple[str, str]) -> dict:
    """Scan one document in a worker; always returns a record, never raises."""
    from .report.json import result_dict
    from .scan import ScanOptions, scan

    record = {
        "path": path,
        "sha256": sha256,
        "rules_version": versions[0],
        "model": versions[1],
        "settings": options.settings(),
        "warnings": [],
    }
    started = time.perf_counter()
    # The alarm works in a process's main thread: our pool workers.  Dask runs tasks in
    # worker threads: there the PDF is read in a spawned child under the same limits
    # (guard.SpawnedJob), and checking the text runs without the backstop alarm.
    alarm = threading.current_thread() is threading.main_thread()
    if alarm:
        # A backstop only: the scan keeps its own deadline (OCR stops in time and keeps the
        # pages it read); this alarm catches work that ignores it.
        signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, options.timeout + BACKSTOP_SECONDS)
    try:
        result = scan(
            path,
            ScanOptions(
                rules_dir=options.rules_dir,
                classifier=options.classifier,
                parallel=False,  # the pool already uses every core
                page_images=bool(options.reports_dir),
                ocr=options.ocr,
                max_pages=options.max_pages,
                max_memory_mb=options.max_memory_mb,
                timeout=options.timeout,
            ),
        )
        data = result_dict(result)
        record.update(
            status="done",
            sha256=result.document.sha256,  # of the bytes read: the file may have changed since it was listed
            warnings=list(data["warnings"]),
            pages=data["document"]["pages"],
            language=data["document"]["language"],
            score=data["assessment"]["score"],
            themes=data["assessment"]["themes"],
            findings=data["findings"],
        )
        if options.reports_dir:
            # The scan is good whatever happens to its report: a failure here is a warning.
            try:
                from .report import render

                target = Path(options.reports_dir) / report_name(path, record["sha256"])
                write_text_atomic(target, render(result, "html"))
            except Exception as exc:  # noqa: BLE001 - disk full, name too long, a bug in rendering
                record["report_problem"] = f"HTML report not written ({_describe(exc)})"
                record["warnings"].append(record["report_problem"])
    except _Timeout:
        record.update(status="failed", error=f"timed out after {options.timeout:g} s")
    except MemoryError:
        record.update(status="failed", error=f"memory limit of {options.max_memory_mb} MB exceeded")
    except PolicyScanError as exc:
        record.update(status="failed", error=exc.problem)
    except Exception as exc:  # noqa: BLE001 - a broken file must never stop the batch
        record.update(status="failed", error=f"unexpected {type(exc).__name__}: {exc}")
    finally:
        if alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
    record["seconds"] = round(time.perf_counter() - started, 3)
    return record


def _describe(exc: BaseException) -> str:
    if isinstance(exc, _Timeout):
        return "timed out"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def report_name(path: str, sha256: str) -> str:
    return f"{Path(path).stem[:60]}-{sha256[:10]}.html"


def versions(options: AuditOptions) -> tuple[str, str]:
    from .detection.classifier import load_default_classifier
    from .scan import get_ruleset

    ruleset = get_ruleset(options.rules_dir)
    model = getattr(load_default_classifier(), "identity", "none") if options.classifier else "none"
    # Build the English pipeline and matcher once here: forked workers inherit them.
    from .detection.matcher import matcher_for

    matcher_for(ruleset, "en")
    return ruleset.version, model


def run_audit(source: str | Path, store, options: AuditOptions, progress_factory=None) -> AuditSummary:
    """Scan every PDF not already done.

    `progress_factory(n)` is called with the number of documents to scan and returns a
    callable `(summary, record)` invoked as each one finishes.
    """
    summary = AuditSummary()
    started = time.perf_counter()
    ver = versions(options)
    unreadable: list[tuple[str, str]] = []
    pdfs = collect_pdfs(source, unreadable)
    for folder, error in unreadable:
        summary.total += 1
        store.save({"path": folder, "status": "failed", "error": error})
        summary.failed += 1
        summary.failures.append((folder, error))
    todo: list[tuple[str, str]] = []
    for pdf in pdfs:
        summary.total += 1
        path = str(pdf)
        problem = not_regular(pdf)
        if problem:  # never opened: a FIFO would block the run, a device never end
            store.save({"path": path, "status": "failed", "error": problem})
            summary.failed += 1
            summary.failures.append((path, problem))
            continue
        try:
            sha = file_sha256(pdf)
        except OSError as exc:
            record = {"path": path, "status": "failed", "error": f"cannot read file ({exc.strerror})"}
            store.save(record)
            summary.failed += 1
            summary.failures.append((path, record["error"]))
            continue
        if not options.force and store.is_done(path, sha, *ver, options.settings()):
            summary.skipped += 1
            continue
        todo.append((path, sha))
    store.add_pending([path for path, _ in todo])
    if options.prune:
        listed = {str(pdf) for pdf in pdfs} | {folder for folder, _ in unreadable}
        summary.pruned = store.prune(lambda path: path in listed)
    if options.reports_dir:
        Path(options.reports_dir).mkdir(parents=True, exist_ok=True)
    progress = progress_factory(len(todo)) if progress_factory else None

    def record_result(record: dict) -> None:
        store.save(record)
        if record["status"] == "done":
            summary.done += 1
            summary.pages += record.get("pages") or 0
            if record.get("report_problem"):
                summary.warnings.append((record["path"], record["report_problem"]))
        else:
            summary.failed += 1
            summary.failures.append((record["path"], record["error"]))
        summary.seconds = time.perf_counter() - started
        if progress:
            progress(summary, record)

    # Largest files first: with several workers, a long plan started last would leave the
    # other workers idle at the end of the run.
    todo.sort(key=lambda item: _size(item[0]))
    queue = todo  # popped from the end: largest first
    if options.scheduler:
        _run_on_dask(queue, options, ver, record_result)
        summary.seconds = time.perf_counter() - started
        return summary
    suspects = _run_pool(queue, options, ver, max(1, options.jobs), record_result)
    if suspects:
        # A worker died with several documents in flight: which one killed it is unknown, so
        # each is scanned again alone, where a death is that document's own.
        summary.warnings.append(
            (
                "audit",
                f"a worker process died with {len(suspects)} documents in flight; each was scanned again on its own",
            )
        )
        _run_pool(list(reversed(suspects)), options, ver, 1, record_result)
    summary.seconds = time.perf_counter() - started
    return summary


def _run_pool(queue: list[tuple[str, str]], options: AuditOptions, ver, jobs: int, record_result) -> list:
    """Scan `queue` (popped from the end) in a pool of `jobs` workers.

    Returns the documents that were in flight together when a worker died; a document that
    was alone in flight when its worker died is recorded as failed with the cause.
    """
    queue = list(queue)
    suspects: list[tuple[str, str]] = []
    while queue:
        pool = ProcessPoolExecutor(jobs, initializer=_limit_worker, initargs=(options.max_memory_mb, os.getpid()))
        running: dict = {}
        workers: dict = {}
        try:
            while queue or running:
                while queue and len(running) < jobs:
                    path, sha = queue[-1]
                    running[pool.submit(scan_one, path, sha, options, ver)] = (path, sha)
                    queue.pop()  # only once submitted: a broken pool refuses the submission
                    workers.update(getattr(pool, "_processes", None) or {})  # to tell how one died
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    record = future.result()  # BrokenProcessPool if a worker died
                    del running[future]
                    record_result(record)
        except BrokenProcessPool:
            wait(running, timeout=60)  # the pool marks every unfinished future broken
            lost = []
            for future, item in running.items():
                if future.done() and future.exception() is None:
                    record_result(future.result())  # finished before the death
                else:
                    lost.append(item)
            if len(lost) == 1:
                path, sha = lost[0]
                error = f"the worker process died while scanning this file ({_death_cause(workers)})"
                record_result({"path": path, "sha256": sha, "status": "failed", "error": error})
            else:
                suspects.extend(lost)
        except KeyboardInterrupt:
            # Ctrl-C: stop now.  The workers are killed (their documents stay pending, for a
            # rerun); waiting for them would take as long as their documents.
            _stop_workers(pool)
            raise
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
    return suspects


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for proc in processes:
        with contextlib.suppress(Exception):
            proc.kill()
    for proc in processes:
        with contextlib.suppress(Exception):
            proc.join(5)


def _death_cause(workers: dict) -> str:
    """How the pool's dead worker ended, from the exit codes of its processes."""
    causes = set()
    for proc in workers.values():
        proc.join(2)  # the dead one returns at once; the pool stops the others
        for _ in range(40):
            # The pool's own thread reaps its workers too: the one that loses the race to
            # waitpid sees no exit code until the winner has stored it.
            if proc.exitcode is not None:
                break
            time.sleep(0.05)
        code = proc.exitcode
        if code is None or code == -signal.SIGTERM:  # SIGTERM: the pool stopping the survivors
            continue
        if code < 0:
            name = signal.Signals(-code).name if -code in signal.valid_signals() else f"signal {-code}"
            causes.add(f"killed by {name}, out of memory?" if name == "SIGKILL" else f"crashed with {name}")
        else:
            causes.add(f"exit code {code}")
    return causes.pop() if len(causes) == 1 else "killed or crashed"


def _run_on_dask(queue: list[tuple[str, str]], options: AuditOptions, ver: tuple[str, str], record_result) -> None:
    """The same documents on a Dask distributed cluster; results come back to this store.

    Workers need policy-scan installed and the files reachable at the same paths.
    """
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise InputError(str(options.scheduler), "--scheduler needs dask (pip install distributed)") from None
    try:
        client = Client(options.scheduler, timeout=20)
    except Exception as exc:  # noqa: BLE001 - connection failures come in many types
        raise InputError(str(options.scheduler), f"cannot reach the Dask scheduler ({type(exc).__name__})") from None
    try:
        futures = {}
        for path, sha in reversed(queue):  # largest first
            futures[client.submit(scan_one, path, sha, options, ver, pure=False)] = (path, sha)
        for future in as_completed(futures):
            path, sha = futures[future]
            try:
                record = future.result()
            except Exception as exc:  # noqa: BLE001 - a lost worker must not stop the batch
                record = {
                    "path": path,
                    "sha256": sha,
                    "status": "failed",
                    "error": f"Dask task failed ({type(exc).__name__}: {exc})",
                }
            record_result(record)
    finally:
        client.close()


def main_progress(total: int):
    """A tqdm progress bar on stderr: documents done, pages/s, failures, ETA."""
    from tqdm import tqdm

    bar = tqdm(total=total, unit="doc", file=sys.stderr, dynamic_ncols=True)

    def update(summary: AuditSummary, record: dict) -> None:
        rate = summary.pages / summary.seconds if summary.seconds else 0.0
        bar.set_postfix_str(f"{rate:.0f} pages/s, {summary.failed} failed")
        bar.update(1)

    return bar, update
