"""File names and file writes that never lose data.

File names on Linux are bytes; Python hands names that are not UTF-8 over as strings with
lone surrogates (PEP 383), which cannot be encoded for output or for SQLite.  They are kept
as they are for opening files, stored losslessly, and shown with `printable`.

Outputs are written to a temporary file in the target's folder and renamed over the target
once complete, so a failed write never leaves a truncated or empty file behind.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from pathlib import Path


def printable(path: str | os.PathLike | bytes) -> str:
    """The name as text that can always be encoded and is one line: undecodable bytes shown as
    \\xNN, control characters (a newline, a tab) as \\n, \\t or \\xNN."""
    raw = path if isinstance(path, bytes) else os.fsencode(os.fspath(path))
    text = raw.decode("utf-8", "backslashreplace")
    if _CONTROL.search(text):  # a newline in a name must not split a one-line message
        text = _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)
    return text


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_open(target: str | os.PathLike, mode: str = "w", **open_args):
    """Open a temporary file beside `target`; on success it replaces `target`, else it is removed."""
    target = Path(target)
    folder = target.parent
    try:
        keep = os.stat(target).st_mode & 0o7777  # an existing output keeps its permissions
    except OSError:
        keep = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".policy-scan-", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, **open_args) as fh:
            os.fchmod(fh.fileno(), keep)
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_text_atomic(target: str | os.PathLike, text: str) -> None:
    with atomic_open(target, "w", encoding="utf-8") as fh:
        fh.write(text)


def not_regular(path: str | os.PathLike) -> str | None:
    """Why `path` is not a regular file (or a link to one) to read, or None if it is.

    A FIFO blocks its reader forever and /dev/zero never ends: inputs are refused before
    they are opened.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "no such file"
    except OSError as exc:
        return f"cannot read file ({exc.strerror or exc})"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a directory, not a file"
    if stat.S_ISFIFO(mode):
        kind = "a FIFO"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "a device"
    elif stat.S_ISSOCK(mode):
        kind = "a socket"
    else:
        kind = "a special file"
    return f"not a regular file ({kind})"
