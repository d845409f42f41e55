"""Command line: scan, rules, extract (and the classifier commands).

Exit codes, like a linter: 0 ok; 1 score below --fail-under (or failed checks);
2 usage or input errors.  Expected failures print one line on stderr, never a traceback.
Heavy libraries (spaCy, scikit-learn) are imported inside commands so --help is instant.
"""

from __future__ import annotations

import functools
import sys

import click

from . import __version__
from .errors import PolicyScanError

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def expected_errors(func):
    """Turn expected failures into one stderr line and exit code 2."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except PolicyScanError as exc:
            click.echo(f"policy-scan: error: {exc}", err=True)
            sys.exit(EXIT_ERROR)
        except KeyboardInterrupt:
            click.echo("policy-scan: interrupted", err=True)
            sys.exit(130)
    return wrapper


def write_output(text: str, output: str | None) -> None:
    if output:
        try:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            raise PolicyScanError(output, f"cannot write output ({exc.strerror})") from None
    else:
        click.echo(text, nl=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="policy-scan")
def main() -> None:
    """Check whether national plans address migration and displacement.

    Themes T1-T16 and planning stages P1-P7 follow the UNDP-IOM guidance on integrating
    migration into development frameworks (see `rules/taxonomy.yaml`).
    """


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json", "csv", "html"]), default="text",
              show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report to this file.")
@click.option("--engine", type=click.Choice(["pdfium", "pdfplumber"]), default="pdfium", show_default=True,
              help="Text extraction engine.")
@click.option("--password", help="Password of an encrypted PDF.")
@click.option("--rules", "rules_dir", type=click.Path(file_okay=False), help="Use rule files from this folder.")
@click.option("--select", multiple=True, help="Only rules whose id starts with these prefixes (e.g. T2,T3-en).")
@click.option("--ignore", multiple=True, help="Skip rules whose id starts with these prefixes.")
@click.option("--classifier/--no-classifier", default=True, show_default=True,
              help="Combine the trained classifier with the rules.")
@click.option("--model", "model_path", type=click.Path(dir_okay=False), help="Classifier model file (.skops).")
@click.option("--sensitivity", type=click.FloatRange(0, 1), default=0.5, show_default=True,
              help="0 favours precision, 1 favours recall (classifier threshold).")
@click.option("--lang", type=click.Choice(["en", "es", "fr"]), help="Force the document language.")
@click.option("--lang-ui", type=click.Choice(["en", "es", "fr", "auto"]), default="en", show_default=True,
              help="Language of report labels; auto = the document's.")
@click.option("--evidence", type=click.IntRange(0, 50), default=2, show_default=True,
              help="Evidence snippets per theme in the text report.")
@click.option("--fail-under", type=click.FloatRange(0, 100), help="Exit 1 if the mainstreaming score is below this.")
@expected_errors
def scan(file, fmt, output, engine, password, rules_dir, select, ignore, classifier, model_path, sensitivity,
         lang, lang_ui, evidence, fail_under):
    """Scan one plan (PDF) and report, per theme and stage, where migration is addressed."""
    from .report import render
    from .scan import ScanOptions
    from .scan import scan as run_scan
    options = ScanOptions(engine=engine, password=password, rules_dir=rules_dir, select=_split(select),
                          ignore=_split(ignore), classifier=classifier, model_path=model_path,
                          sensitivity=sensitivity, lang=lang)
    result = run_scan(file, options)
    ui = result.language if lang_ui == "auto" else lang_ui
    write_output(render(result, fmt, evidence=evidence, ui_lang=ui if ui in ("en", "es", "fr") else "en"), output)
    for warning in result.warnings:
        if fmt != "text" or output:
            click.echo(f"policy-scan: warning: {file}: {warning}", err=True)
    if fail_under is not None and result.assessment.score < fail_under:
        click.echo(f"policy-scan: score {result.assessment.score:.1f} is below --fail-under {fail_under:g}", err=True)
        sys.exit(EXIT_FINDINGS)


@main.group()
def rules() -> None:
    """Validate and test rule files."""


@rules.command("validate")
@click.option("--rules", "rules_dir", type=click.Path(file_okay=False), help="Rules folder (default: bundled).")
@expected_errors
def rules_validate(rules_dir):
    """Check every rule file's structure and patterns; report problems as file:line: problem."""
    from .ruleset import load_ruleset
    ruleset, problems = load_ruleset(rules_dir, strict=False)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s) in rule files", err=True)
        sys.exit(EXIT_ERROR)
    langs = sorted({r.lang for r in ruleset.rules})
    click.echo(f"ok: {len(ruleset.rules)} rules, {len(ruleset.exclusions)} exclusions, "
               f"{len(ruleset.cues)} stage cue sets ({', '.join(langs) or 'no languages'}); version {ruleset.version}")


@rules.command("test")
@click.option("--rules", "rules_dir", type=click.Path(file_okay=False), help="Rules folder (default: bundled).")
@click.option("--select", multiple=True, help="Only rules whose id starts with these prefixes.")
@expected_errors
def rules_test(rules_dir, select):
    """Run every rule's match / no_match examples."""
    from .ruleset import load_ruleset
    from .ruletest import test_examples
    ruleset, _ = load_ruleset(rules_dir, strict=True)
    if select:
        prefixes = _split(select)
        ruleset = ruleset.select(prefixes)
        ruleset.exclusions = [e for e in ruleset.exclusions if any(e.id.startswith(p) for p in prefixes)] or ruleset.exclusions
    checked, failures = test_examples(ruleset)
    for failure in failures:
        click.echo(str(failure))
    click.echo(f"{checked - len(failures)} passed, {len(failures)} failed")
    if failures:
        sys.exit(EXIT_FINDINGS)


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--engine", type=click.Choice(["pdfium", "pdfplumber"]), default="pdfium", show_default=True)
@click.option("--password", help="Password of an encrypted PDF.")
@click.option("--sentences", is_flag=True, help="One record per sentence instead of per passage.")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file.")
@expected_errors
def extract(file, engine, password, sentences, fmt, output):
    """Print the cleaned text that findings' char offsets point into."""
    import json

    from .extract import extract as run_extract
    from .segment import segment
    seg = segment(run_extract(file, engine=engine, password=password))
    records = []
    if sentences:
        from .scan import document_language
        from .nlp import pipeline
        nlp = pipeline(document_language(seg))
        for passage, doc in zip(seg.passages, nlp.pipe(p.text for p in seg.passages)):
            for s in doc.sents:
                page, _ = passage.locate(s.start_char, s.end_char)
                records.append({"page": page, "char_start": passage.offset + s.start_char,
                                "char_end": passage.offset + s.end_char, "chapter": passage.chapter, "text": s.text})
    else:
        records = [{"page": p.page, "char_start": p.offset, "char_end": p.offset + len(p.text), "chapter": p.chapter,
                    "text": p.text} for p in seg.passages]
    if fmt == "jsonl":
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    else:
        text = "".join(f"[p. {r['page']} @{r['char_start']}] {r['text']}\n\n" for r in records)
    write_output(text, output)


if __name__ == "__main__":  # pragma: no cover
    main()
