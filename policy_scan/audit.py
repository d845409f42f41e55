"""Batch audits: the scan mapped over many PDFs in parallel, results into the store.

Each document is scanned in a worker process under a time and memory limit and saved in
its own transaction as soon as it finishes, so an interrupted run loses only the documents
in flight and a rerun skips what is done.  A broken PDF is recorded as failed, with its
error, and the run goes on.
"""

from __future__ import annotations

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


@dataclass
class AuditOptions:
    jobs: int = os.cpu_count() or 1
    force: bool = False
    timeout: float = 300.0  # seconds per document
    max_memory_mb: int = 3072  # address-space limit per worker
    classifier: bool = True
    rules_dir: str | None = None
    reports_dir: str | None = None  # write each document's HTML report here
    scheduler: str | None = None  # a Dask distributed scheduler address: run there instead
    ocr: str = "off"  # off | auto | force, as for scan
    max_pages: int | None = 10000  # pages read per document


@dataclass
class AuditSummary:
    total: int = 0
    skipped: int = 0
    done: int = 0
    failed: int = 0
    pages: int = 0
    seconds: float = 0.0
    failures: list[tuple[str, str]] = field(default_factory=list)


def collect_pdfs(source: str | Path) -> list[Path]:
    """PDFs under a folder (recursively), or listed one per line in a text file."""
    source = Path(source)
    if source.is_dir():
        return sorted(p for p in source.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf")
    if source.is_file():
        if source.suffix.lower() == ".pdf":
            return [source]
        # surrogateescape: a listed name that is not UTF-8 stays the bytes that open the file
        lines = source.read_text(encoding="utf-8", errors="surrogateescape").splitlines()
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


def _limit_worker(max_memory_mb: int) -> None:
    if max_memory_mb:
        limit = max_memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle


def scan_one(path: str, sha256: str, options: AuditOptions, versions: tuple[str, str]) -> dict:
    """Scan one document in a worker; always returns a record, never raises."""
    from .report.json import result_dict
    from .scan import ScanOptions, scan

    record = {"path": path, "sha256": sha256, "rules_version": versions[0], "model": versions[1]}
    started = time.perf_counter()
    # The alarm works in a process's main thread: our pool workers.  Dask runs tasks in
    # worker threads, where its own memory limits and the caller's wait apply instead.
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
            pages=data["document"]["pages"],
            language=data["document"]["language"],
            score=data["assessment"]["score"],
            themes=data["assessment"]["themes"],
            findings=data["findings"],
        )
        if options.reports_dir:
            from .report import render

            target = Path(options.reports_dir) / report_name(path, sha256)
            target.write_text(render(result, "html"), encoding="utf-8")
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


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def report_name(path: str, sha256: str) -> str:
    return f"{Path(path).stem[:60]}-{sha256[:10]}.html"


def versions(options: AuditOptions) -> tuple[str, str]:
    from .classify import load_default_classifier
    from .scan import get_ruleset

    ruleset = get_ruleset(options.rules_dir)
    model = getattr(load_default_classifier(), "identity", "none") if options.classifier else "none"
    # Build the English pipeline and matcher once here: forked workers inherit them.
    from .matcher import matcher_for

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
    todo: list[tuple[str, str]] = []
    for pdf in collect_pdfs(source):
        summary.total += 1
        path = str(pdf)
        try:
            sha = file_sha256(pdf)
        except OSError as exc:
            record = {"path": path, "status": "failed", "error": f"cannot read file ({exc.strerror})"}
            store.save(record)
            summary.failed += 1
            summary.failures.append((path, record["error"]))
            continue
        if not options.force and store.is_done(path, sha, *ver):
            summary.skipped += 1
            continue
        todo.append((path, sha))
    if options.reports_dir:
        Path(options.reports_dir).mkdir(parents=True, exist_ok=True)
    progress = progress_factory(len(todo)) if progress_factory else None

    def record_result(record: dict) -> None:
        store.save(record)
        if record["status"] == "done":
            summary.done += 1
            summary.pages += record.get("pages") or 0
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
    while queue:
        pool = ProcessPoolExecutor(max(1, options.jobs), initializer=_limit_worker, initargs=(options.max_memory_mb,))
        running: dict = {}
        try:
            while queue or running:
                while queue and len(running) < max(1, options.jobs):
                    path, sha = queue.pop()
                    running[pool.submit(scan_one, path, sha, options, ver)] = (path, sha)
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    path, sha = running.pop(future)
                    record_result(future.result())
        except BrokenProcessPool:
            # A worker died (killed, or crashed inside a C library): record its documents
            # as failed and go on with a fresh pool.
            for future, (path, sha) in running.items():
                if future.done() and not future.exception():
                    record_result(future.result())
                else:
                    record_result(
                        {
                            "path": path,
                            "sha256": sha,
                            "status": "failed",
                            "error": "the worker process died while scanning this file",
                        }
                    )
            running = {}
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
    summary.seconds = time.perf_counter() - started
    return summary


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
