"""Command line: scan, rules, extract (and the classifier commands).

Exit codes, like a linter: 0 ok; 1 score below --fail-under (or failed checks);
2 usage or input errors.  Expected failures print one line on stderr, never a traceback.
Heavy libraries (spaCy, scikit-learn) are imported inside commands so --help is instant.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import sys

import click

from . import __version__
from .errors import PolicyScanError
from .fsio import not_regular, printable

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
MAX_TIMEOUT = 1_000_000.0  # seconds (11.6 days): beyond it timers and waits overflow


class FiniteFloatRange(click.FloatRange):
    """A FloatRange that refuses nan (it passes every range check) and inf."""

    def convert(self, value, param, ctx):
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.fail(f"{value} (a {type(value).__name__}) is not a number.", param, ctx)  # from a settings file
        number = click.FLOAT.convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return super().convert(number, param, ctx)


def sensitivity_option(help_text: str):
    """--sensitivity, shared by scan, evaluate and classify: the classifier's threshold."""
    return click.option("--sensitivity", type=FiniteFloatRange(0, 1), default=0.5, show_default=True, help=help_text)


UI_LANGUAGES = ("en", "es", "fr")  # the languages the reports' labels are written in


def lang_ui_option(help_text: str):
    """--lang-ui, shared by scan and diff: the language of a report's labels, or `auto`."""
    return click.option(
        "--lang-ui", type=click.Choice([*UI_LANGUAGES, "auto"]), default="en", show_default=True, help=help_text
    )


def ui_language(choice: str, document_language: str | None) -> str:
    """The labels' language for a --lang-ui choice: `auto` takes the document's, if labels exist in it."""
    ui = document_language if choice == "auto" else choice
    return ui if ui in UI_LANGUAGES else "en"


class WholeIntRange(click.IntRange):
    """An IntRange that refuses 1.5 or yes from a settings file instead of reading them as 1."""

    def convert(self, value, param, ctx):
        if not isinstance(value, str | int | float):
            self.fail(f"{value} (a {type(value).__name__}) is not a whole number.", param, ctx)
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            self.fail(f"{value!r} is not a whole number.", param, ctx)
        return super().convert(int(value) if isinstance(value, float) else value, param, ctx)


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
    """Write the result to `output` (replacing it only once complete) or to stdout."""
    if output:
        from .fsio import write_text_atomic

        try:
            write_text_atomic(output, text)
        except OSError as exc:
            raise PolicyScanError(output, f"cannot write output ({exc.strerror or exc})") from None
        except UnicodeEncodeError:
            raise PolicyScanError(output, "cannot write output (text that cannot be encoded as UTF-8)") from None
    else:
        click.echo(text, nl=False)


def format_option(command: str, **kwargs):
    """`-f/--format`, its choices read from the one format registry (policy_scan/report)."""
    from .report import REGISTRY

    formats = REGISTRY[command]
    described = "; ".join(f"{f.name}: {f.help}" for f in formats.values())
    return click.option(
        "-f",
        "--format",
        "fmt",
        type=click.Choice(list(formats)),
        show_default="default" in kwargs,
        help=f"Output format ({described}).",
        **kwargs,
    )


quiet_option = click.option("-q", "--quiet", is_flag=True, help="No progress display.")


@contextlib.contextmanager
def terminal_progress(quiet: bool):
    """A progress callback drawing bars on stderr (pages read, pages OCR'd, ETA), or None when
    quiet or when stderr is not a terminal (piped, redirected: nothing is printed)."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from tqdm import tqdm

    names = {"read": "reading pages", "ocr": "OCR pages"}
    bar = None
    try:  # a terminal that reports no size (some pseudo-terminals) would get an empty bar
        width = None if os.get_terminal_size(sys.stderr.fileno()).columns else 80
    except OSError:
        width = 80

    def show(event) -> None:
        nonlocal bar
        desc = names.get(event.phase, event.phase)
        if bar is None or bar.desc != desc or bar.total != event.total or event.done < bar.n:  # a new phase or PDF
            if bar is not None:
                bar.close()
            bar = tqdm(
                total=event.total,
                desc=desc,
                unit="page",
                file=sys.stderr,
                leave=False,
                ncols=width,
            )
        bar.update(event.done - bar.n)

    try:
        yield show
    finally:
        if bar is not None:
            bar.close()


OCR_MODES = ("off", "auto", "force")
ocr_option = click.option(
    "--ocr",
    type=click.Choice(OCR_MODES),
    default="off",
    show_default=True,
    is_flag=False,
    flag_value="auto",
    help="Read pages without usable text with Tesseract (--ocr alone = auto; force = every page).",
)
max_pages_option = click.option(
    "--max-pages", type=WholeIntRange(1), default=10000, show_default=True, help="Read at most this many pages."
)


def limit_options(func):
    """OCR and the per-document limits, shared by the commands that read one PDF."""
    func = max_pages_option(func)
    func = click.option(
        "--max-memory",
        type=WholeIntRange(64),
        default=4096,
        show_default=True,
        help="MB reading the PDF may use, and checking its text beyond what the program holds.",
    )(func)
    func = click.option(
        "--timeout",
        type=FiniteFloatRange(0.1, MAX_TIMEOUT),
        default=600,
        show_default=True,
        help="Seconds before giving up.",
    )(func)
    return ocr_option(func)


class _Commands(click.Group):
    """The command group; `--ocr` followed by a file name means `--ocr=auto`, not a mode."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        fixed: list[str] = []
        for i, arg in enumerate(args):
            nxt = args[i + 1] if i + 1 < len(args) else None
            fixed.append("--ocr=auto" if arg == "--ocr" and nxt not in OCR_MODES else arg)
        return super().parse_args(ctx, fixed)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="policy-scan")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="Settings file (default: policy-scan.yaml in the current folder; parents are not searched).",
)
@click.option("-v", "--verbose", is_flag=True, help="Say which settings file is used.")
@click.pass_context
@expected_errors
def main(ctx: click.Context, config_path: str | None, verbose: bool) -> None:
    """Check whether national plans address migration and displacement.

    Themes T1-T16 and planning stages P1-P7 follow the UNDP-IOM guidance on integrating
    migration into development frameworks (see `rules/taxonomy.yaml`).
    """
    from .config import find_config, load_config

    path = config_path or find_config()
    ctx.obj = {"settings": str(path) if path is not None else None}
    if verbose:
        click.echo(
            f"policy-scan: settings: {path if path is not None else 'none (no policy-scan.yaml here)'}", err=True
        )
    if path is not None:
        ctx.default_map = load_config(path, main)


def check_output_folder(folder: str, option: str) -> None:
    """Refuse, before any work, an output folder that cannot be created or written."""
    from pathlib import Path

    path = Path(folder)
    for parent in (path, *path.parents):
        if parent.exists():
            if not parent.is_dir():
                problem = f"cannot create this folder ({printable(parent)} is not a folder)"
                raise PolicyScanError(folder, f"{option}: {problem}")
            if not os.access(parent, os.W_OK | os.X_OK):
                raise PolicyScanError(folder, f"{option}: cannot write in {printable(parent)} (permission denied)")
            return


def settings_used() -> str | None:
    """The settings file this command runs with (None: defaults and the command line only)."""
    ctx = click.get_current_context(silent=True)
    obj = ctx.find_root().obj if ctx is not None else None
    return obj.get("settings") if isinstance(obj, dict) else None


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@format_option("scan", default="text")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report to this file.")
@click.option(
    "--engine",
    type=click.Choice(["pdfium", "pdfplumber"]),
    default="pdfium",
    show_default=True,
    help="Text extraction engine.",
)
@click.option("--password", help="Password of an encrypted PDF.")
@click.option("--rules", "rules_dir", type=click.Path(file_okay=False), help="Use rule files from this folder.")
@click.option("--select", multiple=True, help="Only rules whose id starts with these prefixes (e.g. T2,T3-en).")
@click.option("--ignore", multiple=True, help="Skip rules whose id starts with these prefixes.")
@click.option(
    "--classifier/--no-classifier",
    default=True,
    show_default=True,
    help="Combine the trained classifier with the rules.",
)
@click.option("--model", "model_path", type=click.Path(dir_okay=False), help="Classifier model file (.skops).")
@sensitivity_option("0 favours precision, 1 favours recall (classifier threshold).")
@click.option("--lang", help="Force the document language: a language of the rules (en, es, fr as bundled).")
@lang_ui_option("Language of report labels; auto = the document's.")
@click.option(
    "--evidence",
    type=WholeIntRange(0, 50),
    default=2,
    show_default=True,
    help="Evidence snippets per theme in the text report.",
)
@click.option("--fail-under", type=FiniteFloatRange(0, 100), help="Exit 1 if the mainstreaming score is below this.")
@click.option(
    "--decisions",
    "decisions_path",
    type=click.Path(dir_okay=False, exists=True),
    help="Apply a reviewer's decisions (JSON Lines exported from the HTML report) to findings and verdicts.",
)
@limit_options
@quiet_option
@expected_errors
def scan(
    file,
    fmt,
    output,
    engine,
    password,
    rules_dir,
    select,
    ignore,
    classifier,
    model_path,
    sensitivity,
    lang,
    lang_ui,
    evidence,
    fail_under,
    decisions_path,
    ocr,
    timeout,
    max_memory,
    max_pages,
    quiet,
):
    """Scan one plan (PDF) and report, per theme and stage, where migration is addressed."""
    from . import api

    if lang is not None:
        from .languages import load_languages

        known = load_languages(rules_dir).rule_languages
        if lang not in known:
            problem = f"'{lang}' has no rules (rules exist for {', '.join(known)})"
            raise click.BadParameter(problem, param_hint="'--lang'")

    with terminal_progress(quiet) as progress:
        result = api.scan(
            file,
            progress=progress,
            engine=engine,
            password=password,
            rules_dir=rules_dir,
            select=_split(select),
            ignore=_split(ignore),
            classifier=classifier,
            model_path=model_path,
            sensitivity=sensitivity,
            lang=lang,
            page_images=fmt == "html",
            ocr=ocr,
            timeout=timeout,
            max_memory_mb=max_memory,
            max_pages=max_pages,
        )
    result.settings = settings_used()
    if decisions_path:
        from .review import apply_decisions, read_decisions

        result.warnings.extend(apply_decisions(result, read_decisions(decisions_path)))
    ui = ui_language(lang_ui, result.language)
    write_output(result.render(fmt, evidence=evidence, ui_lang=ui), output)
    for warning in result.warnings:
        if fmt != "text" or output:
            click.echo(f"policy-scan: warning: {printable(file)}: {warning}", err=True)
    if fail_under is not None and result.assessment.score < fail_under:
        click.echo(f"policy-scan: score {result.assessment.score:.1f} is below --fail-under {fail_under:g}", err=True)
        sys.exit(EXIT_FINDINGS)


@main.group()
def review() -> None:
    """A reviewer's decisions, exported from the HTML report."""


@review.command("import")
@click.argument("decisions", type=click.Path(dir_okay=False, exists=True))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here instead of stdout.")
@expected_errors
def review_import(decisions, output):
    """Turn DECISIONS (JSON Lines) into labelled references like corpus/real_sentences.jsonl."""
    import json

    from .review import read_decisions, to_references

    refs = to_references(read_decisions(decisions))
    write_output("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in refs), output)
    click.echo(f"policy-scan: {len(refs)} labelled references", err=True)


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
    click.echo(
        f"ok: {len(ruleset.rules)} rules, {len(ruleset.exclusions)} exclusions, "
        f"{len(ruleset.cues)} stage cue sets ({', '.join(langs) or 'no languages'}); version {ruleset.version}"
    )


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
        ruleset.exclusions = [
            e for e in ruleset.exclusions if any(e.id.startswith(p) for p in prefixes)
        ] or ruleset.exclusions
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
@limit_options
@quiet_option
@expected_errors
def extract(file, engine, password, sentences, fmt, output, ocr, timeout, max_memory, max_pages, quiet):
    """Print the cleaned text that findings' char offsets point into."""
    import json

    from .extract import check_pdf_file
    from .scan import ScanOptions, read

    check_pdf_file(file)
    options = ScanOptions(
        engine=engine, password=password, ocr=ocr, timeout=timeout, max_memory_mb=max_memory, max_pages=max_pages
    )
    with terminal_progress(quiet) as progress:
        doc, seg, _ = read(file, options, progress)
    for warning in doc.warnings:
        click.echo(f"policy-scan: warning: {printable(file)}: {warning}", err=True)
    records = []
    if sentences:
        from .detection.pipeline import pipeline
        from .languages import load_languages
        from .scan import document_language

        nlp = pipeline(load_languages().spacy_code(document_language(seg)))
        for passage, doc in zip(seg.passages, nlp.pipe(p.text for p in seg.passages)):
            for s in doc.sents:
                page, _ = passage.locate(s.start_char, s.end_char)
                records.append(
                    {
                        "page": page,
                        "char_start": passage.offset + s.start_char,
                        "char_end": passage.offset + s.end_char,
                        "chapter": passage.chapter,
                        "text": s.text,
                    }
                )
    else:
        records = [
            {
                "page": p.page,
                "char_start": p.offset,
                "char_end": p.offset + len(p.text),
                "chapter": p.chapter,
                "text": p.text,
            }
            for p in seg.passages
        ]
    if fmt == "jsonl":
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    else:
        text = "".join(f"[p. {r['page']} @{r['char_start']}] {r['text']}\n\n" for r in records)
    write_output(text, output)


@main.command()
@click.argument("corpus", required=False, type=click.Path())
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Model file to write (default: the bundled model)."
)
@click.option(
    "--real",
    "real_path",
    type=click.Path(dir_okay=False),
    help="Real labelled sentences (references) to train on as well (default: corpus/real_sentences.jsonl).",
)
@click.option("--no-real", is_flag=True, help="Train on the authored passages only.")
@click.option(
    "--pdfs",
    "pdf_dir",
    type=click.Path(file_okay=False),
    help="Where the referenced PDFs live (default ../shared/pdfs).",
)
@expected_errors
def train(corpus, output, real_path, no_real, pdf_dir):
    """Train the classifier on labelled passages and real sentences (the bundled model's recipe).

    By default: the authored passages in corpus/passages plus every real sentence of
    corpus/real_sentences.jsonl, read from its PDF in ../shared/pdfs.
    """
    from pathlib import Path

    from .corpus import default_real_sentences, load_corpus
    from .detection.classifier import default_model_path, save
    from .detection.classifier import train as run_train

    items = load_corpus(corpus)
    if not no_real:
        from .evaluate import resolve_references

        refs = Path(real_path) if real_path else default_real_sentences()
        shared = Path(pdf_dir) if pdf_dir else Path("..") / "shared" / "pdfs"
        if not refs.is_file():
            raise PolicyScanError(str(refs), "no such file (use --no-real to train on the authored passages only)")
        resolved = resolve_references(refs, shared)
        if resolved.missing_docs or resolved.mismatched:
            raise PolicyScanError(
                str(refs),
                f"{len(resolved.missing_docs)} referenced PDF(s) not found in {shared} and "
                f"{resolved.mismatched} reference(s) not matching their text: the model would not be reproducible "
                "(use --pdfs DIR, or --no-real)",
            )
        items += resolved.items
    target = output or str(default_model_path())
    if Path(target).is_dir():
        raise PolicyScanError(target, "-o: is a folder, not a model file")
    check_output_folder(str(Path(target).parent), "-o")
    model, report = run_train(items)
    try:
        save(model, target)
    except OSError as exc:
        raise PolicyScanError(target, f"cannot write the model ({exc.strerror or exc})") from None
    langs = ", ".join(f"{k} {v}" for k, v in sorted(report.per_lang.items()))
    click.echo(
        f"trained on {report.passages} passages ({report.relevant} relevant; {langs}) -> {target} [{model.identity}]"
    )


def _load_rules_for_evaluate():
    from .ruleset import load_ruleset

    ruleset, _ = load_ruleset(strict=True, check_patterns=False)
    return ruleset


@main.command()
@click.argument("labelled", required=False, type=click.Path())
@click.option(
    "--method",
    type=click.Choice(["hybrid", "classifier", "rules", "keywords", "all"]),
    default="all",
    show_default=True,
    help="What to score: the scan's hybrid, each part alone, or the keyword baseline.",
)
@click.option("--model", "model_path", type=click.Path(dir_okay=False), help="Classifier model (default: bundled).")
@click.option(
    "--pdfs",
    "pdf_dir",
    type=click.Path(file_okay=False),
    help="Where referenced PDFs live (for sets of references; default ../shared/pdfs).",
)
@click.option("--cv", type=WholeIntRange(2, 20), help="Cross-validate on the corpus with K folds instead.")
@click.option(
    "--folds",
    type=WholeIntRange(2, 20),
    help="For reference sets: score each document with a classifier trained without it (K folds grouped by "
    "document, authored passages always in training); the figures the README reports.",
)
@click.option(
    "--fold-models",
    "fold_cache",
    type=click.Path(file_okay=False),
    help="With --folds: keep each fold's model in this folder and reuse it while the training sentences and "
    "code are unchanged (re-scoring edited rules then trains nothing: about 1.5 instead of 4 minutes).",
)
@sensitivity_option("As for scan: sets the classifier threshold of the hybrid and of the classifier alone.")
@click.option(
    "--split",
    default="all",
    show_default=True,
    help="For reference sets: documents to score — dev (rules and settings chosen on them), test (held out), "
    "all, or document names separated by commas (corpus/documents.tsv).",
)
@click.option(
    "--labels",
    "labeller",
    type=click.Choice(["first", "second"]),
    default="first",
    show_default=True,
    help="For reference sets: score against the first labelling or the independent second one.",
)
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@expected_errors
def evaluate(labelled, method, model_path, pdf_dir, cv, folds, fold_cache, sensitivity, split, labeller, fmt):
    """Precision, recall and F1 (with counts) on a labelled JSON Lines set."""
    import json
    from pathlib import Path

    from . import evaluate as ev
    from .corpus import load_corpus

    if fold_cache:  # refused before any PDF is read or model trained
        if not folds:
            raise PolicyScanError("--fold-models", "keeps the models of --folds: give --folds K too")
        check_output_folder(fold_cache, "--fold-models")
    results: dict[str, ev.Scores] = {}
    notes: list[str] = []
    if cv:
        items = load_corpus(labelled)
        results[f"classifier, {cv}-fold cross-validation"] = ev.cross_validate(items, cv)
    else:
        if not labelled:
            raise PolicyScanError("evaluate", "give a labelled JSON Lines file (or --cv K for the corpus)")
        path = Path(labelled)
        if not path.exists():
            raise PolicyScanError(labelled, "no such file")
        if ev.is_reference_file(path):
            shared = Path(pdf_dir) if pdf_dir else Path("..") / "shared" / "pdfs"
            resolved = ev.resolve_references(path, shared, split, labeller)
            agreement = ev.agreement(path, split)
            if agreement["sentences"]:
                notes.append(
                    f"two labellers on {agreement['sentences']} sentences: relevance agree "
                    f"{agreement['relevance_agreement']:.3f} (kappa {agreement['relevance_kappa']:.3f}), "
                    f"themes micro-F1 {agreement['themes_micro_f1']:.3f} (second against first) — "
                    "the ceiling a system's theme F1 can be judged by"
                )
            items = resolved.items
            if folds:
                # Train on every document but the held-out fold's; report the asked-for split.
                everything = ev.resolve_references(path, shared, "all", labeller).items
                held = ev.held_out_predictions(
                    everything, load_corpus(), folds, Path(fold_cache) if fold_cache else None
                )
                wanted = {(i.doc, i.id) for i in items}
                keep = [n for n, i in enumerate(everything) if (i.doc, i.id) in wanted]
                ruleset = _load_rules_for_evaluate()
                predictions = {
                    "hybrid (classifier held out by document)": ev.held_out_hybrid(held, ruleset, sensitivity),
                    "rules": ev.rules_predict(ruleset, everything),
                    # Alone, the classifier is read at its own decision point (probability 0.5);
                    # the scan's far stricter gate only lets it add findings the rules missed.
                    "classifier alone, threshold 0.5 (held out by document)": ev.held_out_classifier(held, 0.5),
                    "keywords (baseline)": ev.keyword_predict(everything),
                }
                kept = [everything[n] for n in keep]
                for title, preds in predictions.items():
                    results[title] = ev.score(kept, [preds[n] for n in keep])
                full = [n for n in keep if everything[n].sampling == "full"]
                if full:
                    for title, preds in predictions.items():
                        results[f"{title} — documents labelled sentence by sentence"] = ev.score(
                            [everything[n] for n in full], [preds[n] for n in full]
                        )
                twice = [n for n in keep if everything[n].labelled_twice]
                if twice and labeller == "first":
                    # The sentences the labellers' agreement is measured on: the scan's themes
                    # there are comparable with the labellers' own (issue 14).
                    for title in ("hybrid (classifier held out by document)", "keywords (baseline)"):
                        results[f"{title} — sentences labelled twice"] = ev.score(
                            [everything[n] for n in twice], [predictions[title][n] for n in twice]
                        )
                items = []
            from .corpus import default_real_sentences

            if not folds and not model_path and path.resolve() == default_real_sentences().resolve():
                notes.append(
                    "the bundled classifier was trained on these sentences, so its figures here are in-sample; "
                    "--folds K scores each document with a classifier trained without it"
                )
            if resolved.missing_docs:
                notes.append(f"skipped {len(resolved.missing_docs)} document(s) not found in {shared}")
            if resolved.mismatched:
                notes.append(f"{resolved.mismatched} reference(s) no longer match the extracted text")
            if not items and not results:
                click.echo(
                    f"policy-scan: no referenced sentences could be read (PDFs in {shared}?); nothing to score",
                    err=True,
                )
                return
        else:
            items = load_corpus(path)
        from .detection.classifier import load_default_classifier

        model = None
        if not items:
            method = "none"
        if method in ("hybrid", "classifier", "all"):
            model = load_default_classifier(model_path)
            if model is None:
                raise PolicyScanError("model", "no classifier model: run `policy-scan train` first")
        from .detection.judge import classifier_threshold

        threshold = classifier_threshold(sensitivity)
        methods = {"all": ["hybrid", "rules", "classifier", "keywords"], "none": []}.get(method, [method])
        ruleset = None
        if "rules" in methods or "hybrid" in methods:
            from .ruleset import load_ruleset

            ruleset, _ = load_ruleset(strict=True, check_patterns=False)
        for m in methods:
            if m == "keywords":
                preds = ev.keyword_predict(items)
            elif m == "classifier":
                preds = ev.classifier_predict(model, items, threshold)
            elif m == "rules":
                preds = ev.rules_predict(ruleset, items)
            else:
                preds = ev.rules_predict(ruleset, items, model, sensitivity)
            results[m] = ev.score(items, preds)
    if fmt == "json":
        click.echo(json.dumps({k: v.as_dict() for k, v in results.items()} | {"notes": notes}, indent=2))
    else:
        click.echo("\n\n".join(ev.format_scores(k, v) for k, v in results.items()))
        for note in notes:
            click.echo(f"note: {note}")


@main.command()
@click.argument("source", required=False, default="-", type=click.Path(allow_dash=True))
@click.option(
    "--method",
    type=click.Choice(["hybrid", "rules", "classifier"]),
    default="hybrid",
    show_default=True,
    help="hybrid: what `scan` decides for the sentence (rules, vetoes, classifier); or one part alone.",
)
@click.option("--model", "model_path", type=click.Path(dir_okay=False), help="Classifier model (default: bundled).")
@sensitivity_option("As for scan: the classifier's threshold (0 = rules only).")
@click.option(
    "--threshold",
    type=FiniteFloatRange(0, 1),
    default=0.5,
    show_default=True,
    help="With --method classifier: the probability a passage needs to be relevant.",
)
@click.option(
    "--lang",
    "default_lang",
    default="auto",
    show_default=True,
    help='Language of lines without a "lang" field: a language of the rules, or auto (detected per line).',
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write JSON Lines here (default: stdout).")
@expected_errors
def classify(source, method, model_path, sensitivity, threshold, default_lang, output):
    """Judge JSON Lines passages as `scan` would: adds relevant, score, themes, stage, source.

    Each line is {"text": ..., "lang"?: ..., "chapter"?: [headings]}; other fields are passed
    through. A passage is judged as one unit (a sentence, ideally), with the rules of its
    language, under the heading path given in "chapter" (none if absent).
    """
    import json

    from . import api

    name = "<stdin>" if source == "-" else source
    if source != "-" and not_regular(source):
        raise PolicyScanError(source, not_regular(source))
    try:
        if source == "-":
            import io

            raw = getattr(sys.stdin, "buffer", None)
            stream = io.TextIOWrapper(raw, encoding="utf-8") if raw is not None else sys.stdin
        else:
            stream = open(source, encoding="utf-8")
    except OSError as exc:
        raise PolicyScanError(source, f"cannot read ({exc.strerror})") from None
    from .corpus import bounded_lines, parse_jsonl

    with stream:
        parsed = parse_jsonl(bounded_lines(stream), name, PolicyScanError)
    records = []
    for number, record in parsed:
        if not isinstance(record.get("text"), str):
            raise PolicyScanError(name, 'each line needs a "text" string', number)
        chapter = record.get("chapter")
        if chapter is not None and not (isinstance(chapter, list) and all(isinstance(h, str) for h in chapter)):
            raise PolicyScanError(name, '"chapter" must be a list of heading strings', number)
        records.append(record)
    verdicts = api.classify(
        [r["text"] for r in records],
        [r.get("lang") or default_lang for r in records],
        method=method,
        sensitivity=sensitivity,
        threshold=threshold,
        model_path=model_path,
        chapters=[r.get("chapter") for r in records],
    )
    lines = []
    for record, v in zip(records, verdicts):
        record.update(
            {"relevant": v.relevant, "score": v.score, "themes": v.themes, "stage": v.stage, "source": v.source}
        )
        lines.append(json.dumps(record, ensure_ascii=False))
    write_output("".join(line + "\n" for line in lines), output)


@main.command()
@click.argument("source", type=click.Path())
@click.option(
    "--db",
    "db_path",
    default="audit.sqlite",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="SQLite results store (created if missing; reruns resume).",
)
@click.option("-j", "--jobs", type=WholeIntRange(1, 256), help="Worker processes (default: the core count).")
@click.option("--force", is_flag=True, help="Rescan documents already done with these rules and model.")
@click.option(
    "--timeout", type=FiniteFloatRange(0.1, MAX_TIMEOUT), default=300, show_default=True, help="Seconds per document."
)
@click.option(
    "--max-memory",
    type=WholeIntRange(256),
    default=3072,
    show_default=True,
    help="MB a worker may allocate for a document (reading, checking, report), beyond the program itself.",
)
@ocr_option
@max_pages_option
@click.option("--classifier/--no-classifier", default=True, show_default=True)
@click.option(
    "--reports",
    "reports_dir",
    type=click.Path(file_okay=False),
    help="Also write each document's HTML report into this folder.",
)
@click.option("--scheduler", help="Run on a Dask distributed cluster at this address (e.g. tcp://10.0.0.5:8786).")
@click.option("--prune", is_flag=True, help="Remove stored documents whose file no longer exists (deleted, renamed).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@expected_errors
def audit(
    source, db_path, jobs, force, timeout, max_memory, ocr, max_pages, classifier, reports_dir, scheduler, prune, quiet
):
    """Scan every PDF in a folder (or listed in a file) into a SQLite store.

    Exit 0 when every document was scanned, 1 when some failed (each is recorded with its
    error), 2 on usage errors.
    """
    import os

    from .audit import AuditOptions, main_progress, run_audit
    from .store import Store, store_errors

    options = AuditOptions(
        jobs=jobs or os.cpu_count() or 1,
        force=force,
        timeout=timeout,
        max_memory_mb=max_memory,
        ocr=ocr,
        max_pages=max_pages,
        classifier=classifier,
        reports_dir=reports_dir,
        scheduler=scheduler,
        prune=prune,
    )
    if reports_dir:
        check_output_folder(reports_dir, "--reports")
    store = Store(db_path)
    bars = []

    def factory(total):
        if quiet or total == 0:
            return None
        bar, update = main_progress(total)
        bars.append(bar)
        return update

    try:
        with store_errors(db_path):
            summary = run_audit(source, store, options, factory)
    except KeyboardInterrupt:
        click.echo(
            f"policy-scan: interrupted; what was scanned is in {printable(db_path)}, the rest is pending "
            "(run the same command again to resume)",
            err=True,
        )
        sys.exit(130)
    finally:
        for bar in bars:
            bar.close()
        with contextlib.suppress(Exception):
            store.close()
    rate = summary.pages / summary.seconds if summary.seconds else 0.0
    click.echo(
        f"{summary.total} documents: {summary.done} scanned, {summary.skipped} already done, "
        f"{summary.failed} failed; {summary.pages} pages in {summary.seconds:.1f} s ({rate:.1f} pages/s) "
        f"-> {db_path}",
        err=True,
    )
    for path in summary.pruned:
        click.echo(f"policy-scan: pruned: {printable(path)} (no longer exists)", err=True)
    for path, warning in summary.warnings:
        where = "" if path == "audit" else f"{printable(path)}: "
        click.echo(f"policy-scan: warning: {where}{warning}", err=True)
    for path, error in summary.failures:
        click.echo(f"policy-scan: failed: {printable(path)}: {error}", err=True)
    if summary.failed:
        sys.exit(EXIT_FINDINGS)


@main.command("audit-export")
@click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False), help="The audit's SQLite store.")
@format_option("audit-export", required=True)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(),
    help="File for json/html; folder for csv/parquet (matrix and findings tables).",
)
@click.option(
    "--reports",
    "reports_dir",
    type=click.Path(file_okay=False),
    help="Folder of per-document reports to link from the HTML summary.",
)
@expected_errors
def audit_export(db_path, fmt, output, reports_dir):
    """Export an audit: document x theme matrix and findings table, or an HTML summary."""
    from pathlib import Path

    from .export import export
    from .store import Store, store_errors

    if not Path(db_path).exists():
        raise PolicyScanError(db_path, "no such audit store")
    store = Store(db_path)
    try:
        with store_errors(db_path):
            for written in export(store, fmt, output, reports_dir):
                click.echo(printable(written))
    except OSError as exc:
        raise PolicyScanError(output, f"cannot write output ({exc.strerror or exc})") from None
    finally:
        with contextlib.suppress(Exception):
            store.close()


@main.command()
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@format_option("diff", default="text")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the comparison to this file.")
@click.option("--fail-on-regression", is_flag=True, help="Exit 1 if any theme's verdict or deepest stage got worse.")
@click.option("--classifier/--no-classifier", default=True, show_default=True)
@lang_ui_option("Language of the comparison's labels (text, html); auto = the new draft's.")
@limit_options
@quiet_option
@expected_errors
def diff(old, new, fmt, output, fail_on_regression, classifier, lang_ui, ocr, timeout, max_memory, max_pages, quiet):
    """Compare two drafts (PDFs, or JSON results of `scan`): what the new one gained or lost."""
    from .diff import compare, load_result
    from .report import renderer
    from .scan import ScanOptions

    options = ScanOptions(
        classifier=classifier, ocr=ocr, timeout=timeout, max_memory_mb=max_memory, max_pages=max_pages
    )
    with terminal_progress(quiet) as progress:
        result = compare(load_result(old, options, progress), load_result(new, options, progress), timeout)
    ui = ui_language(lang_ui, result.new["document"].get("language"))
    write_output(renderer("diff", fmt)(result, ui_lang=ui), output)
    if fail_on_regression and result.regressions:
        click.echo(f"policy-scan: regressions in {', '.join(result.regressions)}", err=True)
        sys.exit(EXIT_FINDINGS)


if __name__ == "__main__":  # pragma: no cover
    main()
