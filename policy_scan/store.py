"""The results store: SQLite (stdlib), one transaction per document.

Schema (also in the README):
  documents(id, path UNIQUE, sha256, pages, language, status 'done'|'failed'|'pending', error,
            rules_version, model, score, seconds, scanned_at, warnings (JSON list or NULL),
            settings (the options that shaped the result, e.g. "max-pages 10000, ocr off"))
  assessments(document_id, theme, verdict, deepest_stage, evidence_count, pages, score)
  findings(document_id, n, page, char_start, char_end, text, themes, stage, score, source,
           rule_ids, matched_terms, lang)
A document is done for a (sha256, rules_version, model, settings) key; a rerun skips it.
A result made before settings were recorded (NULL) is scanned again.
Paths are stored losslessly: as TEXT, or, for a file name that is not UTF-8, as a BLOB of
its bytes (read back as the same str, with surrogate escapes).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from .errors import PolicyScanError

DOCUMENTS = """
CREATE TABLE IF NOT EXISTS {name} (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    sha256 TEXT,
    pages INTEGER,
    language TEXT,
    status TEXT NOT NULL CHECK (status IN ('done', 'failed', 'pending')),
    error TEXT,
    rules_version TEXT,
    model TEXT,
    score REAL,
    seconds REAL,
    scanned_at TEXT,
    warnings TEXT,
    settings TEXT
);
"""
DOCUMENT_COLUMNS = (
    "id, path, sha256, pages, language, status, error, rules_version, model, score, seconds, scanned_at, warnings, "
    "settings"
)
SCHEMA = (
    DOCUMENTS.format(name="documents")
    + """
CREATE TABLE IF NOT EXISTS assessments (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    theme TEXT NOT NULL,
    verdict TEXT NOT NULL,
    deepest_stage TEXT,
    evidence_count INTEGER NOT NULL,
    pages TEXT NOT NULL,
    score REAL NOT NULL,
    PRIMARY KEY (document_id, theme)
);
CREATE TABLE IF NOT EXISTS findings (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    n INTEGER NOT NULL,
    page INTEGER NOT NULL,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    text TEXT NOT NULL,
    themes TEXT NOT NULL,
    stage TEXT NOT NULL,
    score REAL NOT NULL,
    source TEXT NOT NULL,
    rule_ids TEXT NOT NULL,
    matched_terms TEXT NOT NULL,
    lang TEXT NOT NULL,
    PRIMARY KEY (document_id, n)
);
CREATE INDEX IF NOT EXISTS documents_done ON documents (sha256, rules_version, model, status);
"""
)


def path_key(path: str) -> str | bytes:
    """The stored form of a path: the text itself, or its bytes when it is not valid UTF-8."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(path)
    return path


def path_value(stored: str | bytes) -> str:
    """A stored path back as the str that opens the file."""
    return os.fsdecode(stored) if isinstance(stored, bytes) else stored


class StoreError(PolicyScanError):
    """The audit store cannot be opened, read or written."""


def store_problem(exc: sqlite3.Error) -> str:
    """SQLite's error as one line an auditor can act on."""
    message = str(exc)
    if "file is not a database" in message:
        return "not an audit store (not an SQLite database)"
    if "malformed" in message:
        return f"the audit store is damaged, truncated or corrupt ({message})"
    if "readonly" in message or "read-only" in message:
        return f"cannot write to the audit store ({message})"
    if "disk is full" in message or "database or disk is full" in message:
        return f"cannot write to the audit store ({message})"
    return f"audit store error ({message})"


@contextlib.contextmanager
def store_errors(path: str | os.PathLike):
    """Any SQLite error inside becomes a one-line StoreError naming the store."""
    try:
        yield
    except sqlite3.Error as exc:
        raise StoreError(os.fspath(path), store_problem(exc)) from None


class Store:
    def __init__(self, path: str | Path):
        self.path = str(path)
        folder = Path(self.path).parent
        if not folder.is_dir():
            problem = "does not exist" if not folder.exists() else "is not a folder"
            raise StoreError(self.path, f"cannot create the audit store: {folder} {problem}")
        with store_errors(self.path):
            self.db = sqlite3.connect(self.path, timeout=30)
            try:
                self.db.execute("PRAGMA foreign_keys = ON")
                self.db.execute("PRAGMA journal_mode = WAL")  # a killed run leaves a consistent file
                self.db.executescript(SCHEMA)
                self._upgrade()
            except BaseException:
                self.db.close()
                raise

    def _upgrade(self) -> None:
        """Bring a store written by an earlier version to this schema, keeping its rows.

        'pending' joined the statuses (a CHECK constraint: the table is rebuilt, as SQLite
        documents) and `warnings` the columns.
        """
        (sql,) = self.db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'documents'").fetchone()
        if "'pending'" in sql:
            columns = [row[1] for row in self.db.execute("PRAGMA table_info(documents)")]
            if "settings" not in columns:
                with self.db:
                    self.db.execute("ALTER TABLE documents ADD COLUMN settings TEXT")
            return
        columns = [row[1] for row in self.db.execute("PRAGMA table_info(documents)")]
        kept = ", ".join(c for c in DOCUMENT_COLUMNS.split(", ") if c in columns)
        self.db.execute("PRAGMA foreign_keys = OFF")
        try:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                self.db.execute("DROP TABLE IF EXISTS documents_upgrade")
                self.db.execute(DOCUMENTS.format(name="documents_upgrade"))
                self.db.execute(f"INSERT INTO documents_upgrade ({kept}) SELECT {kept} FROM documents")
                self.db.execute("DROP TABLE documents")
                self.db.execute("ALTER TABLE documents_upgrade RENAME TO documents")
                self.db.execute(
                    "CREATE INDEX IF NOT EXISTS documents_done ON documents (sha256, rules_version, model, status)"
                )
            except BaseException:
                self.db.rollback()
                raise
            self.db.commit()
        finally:
            self.db.execute("PRAGMA foreign_keys = ON")

    def close(self) -> None:
        self.db.close()

    def is_done(self, path: str, sha256: str, rules_version: str, model: str, settings: str | None = None) -> bool:
        """Done with these bytes, rules and model (and, given `settings`, with those settings:
        a result cut short by --max-pages 5 is not done for --max-pages 100)."""
        query = (
            "SELECT 1 FROM documents WHERE path = ? AND sha256 = ? AND rules_version = ? AND model = ? "
            "AND status = 'done'"
        )
        args: tuple = (path_key(path), sha256, rules_version, model)
        if settings is not None:
            query += " AND settings = ?"
            args += (settings,)
        return self.db.execute(query, args).fetchone() is not None

    def prune(self, keep) -> list[str]:
        """Remove documents whose file no longer exists (deleted or renamed) unless `keep(path)`;
        return their paths."""
        gone = [
            (stored, path_value(stored))
            for (stored,) in self.db.execute("SELECT path FROM documents").fetchall()
            if not os.path.lexists(path_value(stored)) and not keep(path_value(stored))
        ]
        with self.db:
            self.db.executemany("DELETE FROM documents WHERE path = ?", [(stored,) for stored, _ in gone])
        return [path for _, path in gone]

    def add_pending(self, paths: list[str]) -> None:
        """Record documents about to be scanned that the store does not hold yet as 'pending'.

        From the start of a run every listed document is in the store: a run cut short
        leaves them pending (a rerun scans them), never absent.
        """
        with self.db:
            self.db.executemany(
                "INSERT OR IGNORE INTO documents (path, status) VALUES (?, 'pending')",
                [(path_key(p),) for p in paths],
            )

    def save(self, record: dict) -> None:
        """Replace everything stored for this path, in one transaction."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self.db:
            key = path_key(record["path"])
            self.db.execute("DELETE FROM documents WHERE path = ?", (key,))
            cur = self.db.execute(
                "INSERT INTO documents (path, sha256, pages, language, status, error, rules_version, model, score, "
                "seconds, scanned_at, warnings, settings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    record.get("sha256"),
                    record.get("pages"),
                    record.get("language"),
                    record["status"],
                    record.get("error"),
                    record.get("rules_version"),
                    record.get("model"),
                    record.get("score"),
                    record.get("seconds"),
                    now,
                    json.dumps(record["warnings"], ensure_ascii=False) if record.get("warnings") else None,
                    record.get("settings"),
                ),
            )
            doc_id = cur.lastrowid
            self.db.executemany(
                "INSERT INTO assessments VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        doc_id,
                        t["theme"],
                        t["verdict"],
                        t["deepest_stage"],
                        t["evidence_count"],
                        json.dumps(t["pages"]),
                        t["score"],
                    )
                    for t in record.get("themes", [])
                ],
            )
            self.db.executemany(
                "INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        doc_id,
                        n,
                        f["page"],
                        f["char_start"],
                        f["char_end"],
                        f["text"],
                        ",".join(f["themes"]),
                        f["stage"],
                        f["score"],
                        f["source"],
                        ",".join(f["rule_ids"]),
                        json.dumps(f["matched_terms"]),
                        f["lang"],
                    )
                    for n, f in enumerate(record.get("findings", []))
                ],
            )

    # -- reading ---------------------------------------------------------------------------
    def documents(self) -> list[dict]:
        cur = self.db.execute("SELECT * FROM documents ORDER BY path")
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, row)) for row in cur.fetchall()]
        for row in rows:
            row["path"] = path_value(row["path"])
        return rows

    def verdicts(self) -> dict[int, dict[str, dict]]:
        out: dict[int, dict[str, dict]] = {}
        for doc_id, theme, verdict, stage, count, pages, score in self.db.execute("SELECT * FROM assessments"):
            out.setdefault(doc_id, {})[theme] = {
                "verdict": verdict,
                "deepest_stage": stage,
                "evidence_count": count,
                "pages": json.loads(pages),
                "score": score,
            }
        return out

    def findings(self) -> list[dict]:
        cur = self.db.execute(
            "SELECT d.path, f.* FROM findings f JOIN documents d ON d.id = f.document_id ORDER BY d.path, f.n"
        )
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, row)) for row in cur.fetchall()]
        for row in rows:
            row["path"] = path_value(row["path"])
        return rows
