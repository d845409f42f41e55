"""Fuzzing: extraction, segmentation, rule and corpus loading never fail unexpectedly.

Each target takes arbitrary input and must either work (with its invariants holding) or
raise the project's own one-line error.  Any other exception, a crash of the PDF engine
that escapes the guard, or a hang, is a bug.

Runs a bounded number of examples with the test suite (profile ``ci``); for a long run:

    python -m pytest tests/test_fuzz.py --hypothesis-profile=fuzz

Hypothesis keeps failing inputs in ``.hypothesis/`` and replays them first next time.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policy_scan.corpus import load_corpus
from policy_scan.errors import PolicyScanError
from policy_scan.model import Document, Line, OutlineEntry, Page
from policy_scan.ruleset import default_rules_dir, load_ruleset
from policy_scan.scan import ScanOptions, read
from policy_scan.segment import segment

# --- extraction: mutated PDFs --------------------------------------------------------

_SEED: bytes | None = None


def seed_pdf() -> bytes:
    """A small real PDF with text on two pages, a bookmark and a heading, to mutate."""
    global _SEED
    if _SEED is None:
        from fpdf import FPDF

        pdf = FPDF(format="A4")
        for title in ("1. Labour migration", "2. Remittances"):
            pdf.add_page()
            pdf.start_section(title)
            pdf.set_font("Helvetica", "B", 16)
            pdf.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("Helvetica", "", 11)
            pdf.multi_cell(0, 6, "Migrant workers abroad send remittances home to their families. " * 4)
        pdf.set_compression(False)  # mutations then hit objects and streams, not just zlib bytes
        _SEED = bytes(pdf.output())
    return _SEED


mutation = st.one_of(
    st.tuples(st.just("flip"), st.floats(0, 1), st.integers(0, 255)),
    st.tuples(st.just("insert"), st.floats(0, 1), st.binary(min_size=1, max_size=64)),
    st.tuples(st.just("delete"), st.floats(0, 1), st.integers(1, 256)),
    st.tuples(st.just("truncate"), st.floats(0.05, 1), st.just(0)),
    st.tuples(
        st.just("token"),
        st.floats(0, 1),
        st.sampled_from([b"/Count 99999", b"/Kids [3 0 R 3 0 R]", b"0 0 R", b"/Length 999999", b"<<<<", b"9999999999"]),
    ),
)


def mutate(data: bytes, steps) -> bytes:
    out = bytearray(data)
    for kind, where, arg in steps:
        at = int(where * max(0, len(out) - 1))
        if kind == "flip" and out:
            out[at] = arg
        elif kind in ("insert", "token"):
            out[at:at] = arg
        elif kind == "delete":
            del out[at : at + arg]
        elif kind == "truncate":
            del out[max(1, int(where * len(out))) :]
    return bytes(out)


@given(st.lists(mutation, min_size=1, max_size=6))
def test_extraction_of_mutated_pdfs(steps):
    data = mutate(seed_pdf(), steps)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mutated.pdf"
        path.write_bytes(data)
        options = ScanOptions(timeout=30, max_memory_mb=1024, max_pages=50)
        try:
            doc, seg, lang = read(str(path), options)
        except PolicyScanError as exc:
            assert str(path) in str(exc) and "\n" not in str(exc)
            return
    assert doc.pages and all(p.number == i + 1 for i, p in enumerate(doc.pages))
    check_segmentation(seg)


# --- segmentation: arbitrary documents ----------------------------------------------

line_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=80) | st.sampled_from(
    ["Migrant work-", "ers abroad", "• item", "1.2 Heading", "Page 3", "", "- ", "\u00ad"]
)


@st.composite
def documents(draw):
    pages = []
    for number in range(1, draw(st.integers(1, 4)) + 1):
        lines = []
        top = draw(st.floats(0, 50))
        for _ in range(draw(st.integers(0, 12))):
            size = draw(st.sampled_from([0.0, 9.0, 11.0, 11.5, 16.0, 24.0]))
            height = max(1.0, size)
            x0 = draw(st.floats(-10, 500))
            lines.append(
                Line(draw(line_text), (x0, top, x0 + draw(st.floats(0, 400)), top + height), size, draw(st.booleans()))
            )
            top += height + draw(st.floats(-30, 40))
        pages.append(Page(number, 595.0, 842.0, lines, has_text_layer=bool(lines)))
    marks = [
        OutlineEntry(draw(st.text(max_size=30)), draw(st.integers(1, 6)), draw(st.integers(-2, 6)))
        for _ in range(draw(st.integers(0, 4)))
    ]
    return Document("fuzz.pdf", "", "pdfium", pages, marks)


def check_segmentation(seg) -> None:
    for passage in seg.passages:
        assert seg.text[passage.offset : passage.offset + len(passage.text)] == passage.text
        for span in passage.spans:
            assert 0 <= span.start <= span.end <= len(passage.text)
        assert all(isinstance(title, str) for title in passage.chapter)


@given(documents())
def test_segmentation_of_arbitrary_documents(doc):
    check_segmentation(segment(doc))


# --- rule files and corpus files -------------------------------------------------------

RULE_FILE = (default_rules_dir() / "en" / "T03_remittances.yaml").read_text(encoding="utf-8")

rule_edit = st.one_of(
    st.tuples(st.just("drop-line"), st.integers(0, 400), st.just("")),
    st.tuples(st.just("insert"), st.integers(0, len(RULE_FILE)), st.text(max_size=12)),
    st.tuples(
        st.just("insert"),
        st.integers(0, len(RULE_FILE)),
        st.sampled_from(
            ["\n  - ", ": ", "[", "]", "{", "*", "|", "  ", "\t", "T99", "T3-en-001", "!!python/object ", "&a *a"]
        ),
    ),
)


def edit_rules(text: str, edits) -> str:
    for kind, where, arg in edits:
        if kind == "drop-line":
            lines = text.splitlines(keepends=True)
            if lines:
                del lines[where % len(lines)]
            text = "".join(lines)
        else:
            text = text[:where] + arg + text[where:]
    return text


def rules_folder(folder: Path, content: str) -> Path:
    for name in ("taxonomy.yaml", "stages.yaml"):
        shutil.copy(default_rules_dir() / name, folder / name)
    (folder / "en").mkdir()
    (folder / "en" / "T03_remittances.yaml").write_text(content, encoding="utf-8")
    return folder


@given(st.lists(rule_edit, min_size=1, max_size=5))
@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_loading_mutated_rule_files(edits):
    content = edit_rules(RULE_FILE, edits)
    with tempfile.TemporaryDirectory() as folder:
        rules = rules_folder(Path(folder), content)
        try:
            ruleset, problems = load_ruleset(rules, strict=False)
        except PolicyScanError:
            return
        for problem in problems:
            assert problem.path and "\n" not in problem.problem


@pytest.mark.parametrize(
    "old, new, problem",
    [
        ("theme: T3\n", "theme:\n  - T3\n", "unknown theme id"),  # found by the fuzz test above
        ("theme: T3\n", "theme: {T3: 1}\n", "unknown theme id"),
        ("    name: remittances\n", "    name: remittances\n    stage: [P1]\n", "unknown stage"),
    ],
)
def test_a_list_or_mapping_where_an_id_belongs_is_a_problem_not_a_crash(tmp_path, old, new, problem):
    assert old in RULE_FILE
    rules = rules_folder(tmp_path, RULE_FILE.replace(old, new, 1))
    _, problems = load_ruleset(rules, strict=False)
    assert any(problem in p.problem for p in problems)


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


@given(
    st.fixed_dictionaries(
        {"theme": st.sampled_from(["T3", "T99", 3, None]), "lang": st.sampled_from(["en", "xx", None])},
        optional={
            "rules": st.lists(
                st.fixed_dictionaries(
                    {"id": st.sampled_from(["T3-en-900", "bad", 7])},
                    optional={"patterns": st.lists(st.text(max_size=20), max_size=3), "extra": yaml_values},
                ),
                max_size=3,
            )
        },
    )
)
def test_loading_structurally_odd_rule_files(data):
    with tempfile.TemporaryDirectory() as folder:
        rules = rules_folder(Path(folder), yaml.safe_dump(data, allow_unicode=True))
        try:
            load_ruleset(rules, strict=False)
        except PolicyScanError:
            pass


corpus_line = st.one_of(
    st.text(max_size=40),
    st.builds(
        json.dumps,
        st.fixed_dictionaries(
            {"text": st.text(max_size=40)},
            optional={
                "relevant": st.sampled_from([True, False, "yes", None]),
                "themes": st.sampled_from([["T2"], [], ["T42"], "T2", None]),
                "stage": st.sampled_from(["P1", "P9", None, 4]),
                "lang": st.sampled_from(["en", "es", "zz"]),
            },
        ),
    ),
)


@given(st.lists(corpus_line, max_size=6))
def test_loading_arbitrary_corpus_files(lines):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "passages.jsonl"
        path.write_text("\n".join(lines), encoding="utf-8")
        try:
            records = load_corpus(path)
        except PolicyScanError as exc:
            assert str(path) in str(exc)
            return
        assert all(r.text for r in records)


@pytest.mark.parametrize("engine", ["pdfium", "pdfplumber"])
def test_seed_pdf_reads_cleanly(engine, tmp_path):
    """The fuzzers' starting point is itself a good document (else they test nothing)."""
    path = tmp_path / "seed.pdf"
    path.write_bytes(seed_pdf())
    doc, seg, _ = read(str(path), ScanOptions(engine=engine))
    assert doc.page_count == 2 and any("remittances" in p.text for p in seg.passages)


# --- settings files ------------------------------------------------------------------------

SETTINGS = "timeout: 60\nmax-pages: 500\nscan:\n  format: json\n  ocr: auto\n  sensitivity: 0.4\naudit:\n  jobs: 2\n"

settings_edit = st.one_of(
    rule_edit,
    st.tuples(
        st.just("insert"),
        st.integers(0, len(SETTINGS)),
        st.sampled_from(
            [".inf", ".nan", "1e300", "2024-01-01", "1.5", "yes", "~", "[1, 2]", "{a: 1}", "&x 1", "*x", "<<: {}",
             "!!binary aGk=", "!!python/name:os.system", "\x00", "\ud800", "'", '"', "? ", "--- ", "%YAML 1.1\n"]
        ),
    ),
)


@given(st.lists(settings_edit, min_size=1, max_size=5))
@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_loading_mutated_settings_files(edits):
    from policy_scan.cli import main
    from policy_scan.config import load_config

    content = edit_rules(SETTINGS, edits)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "policy-scan.yaml"
        path.write_bytes(content.encode("utf-8", "surrogatepass"))  # a lone surrogate: bytes that are not UTF-8
        try:
            defaults = load_config(path, main)
        except PolicyScanError as exc:
            assert "\n" not in str(exc) and str(path) in str(exc)
            return
    assert isinstance(defaults, dict)


SETTING_KEYS = st.sampled_from(["timeout", "max-pages", "ocr", "scan", "audit", "sensitivity", "x"])


@given(st.dictionaries(SETTING_KEYS, yaml_values))
def test_loading_structurally_odd_settings_files(data):
    from policy_scan.cli import main
    from policy_scan.config import load_config

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "policy-scan.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        try:
            load_config(path, main)
        except PolicyScanError as exc:
            assert "\n" not in str(exc)


# --- classify input ---------------------------------------------------------------------------

json_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30)
)
classify_line = st.one_of(
    st.text(max_size=60),
    st.builds(
        lambda text, extra: json.dumps({"text": text, **extra}, ensure_ascii=False),
        st.text(max_size=80) | st.sampled_from(["Remittances sent home by migrant workers rose.", "Los migrantes"]),
        st.dictionaries(st.sampled_from(["lang", "id", "n", "meta"]), json_scalar, max_size=3),
    ),
    st.sampled_from(
        ['{"text": "x", "n": NaN}', '{"text": "\\ud800"}', '{"text": 1}', "[1]", '{"text": "a", "d": ' + "[" * 200
         + "]" * 200 + "}", '{"text": "x", "n": ' + "9" * 5000 + "}", '{"text": "\\ud83d\\ude00 migrants"}']
    ),
)


@given(st.lists(classify_line, max_size=6))
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_classify_input(lines):
    """Whatever the lines, classify either judges them and writes valid JSON, or refuses one."""
    import io

    from policy_scan.api import classify
    from policy_scan.corpus import bounded_lines, parse_jsonl

    stream = io.StringIO("\n".join(lines), newline="")
    try:
        parsed = parse_jsonl(bounded_lines(stream), "<stdin>", PolicyScanError)
    except PolicyScanError as exc:
        assert str(exc).startswith("<stdin>") and "\n" not in str(exc)
        return
    records = [r for _, r in parsed if isinstance(r.get("text"), str)]
    langs = [r.get("lang") if r.get("lang") in ("en", "es", "fr") else "auto" for r in records]
    for record, verdict in zip(records, classify([r["text"] for r in records], langs, method="rules")):
        record.update(relevant=verdict.relevant, score=verdict.score, themes=verdict.themes)
        out = json.dumps(record, ensure_ascii=False, allow_nan=False)
        out.encode("utf-8")
        assert json.loads(out) == json.loads(out)
