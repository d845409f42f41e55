"""Quality figures: precision, recall and F1 for relevance, themes and stage.

The same code scores any labelled set: the authored corpus (optionally cross-validated) or
real sentences referenced by document, page and character offsets, which are read from the
PDFs in place so that no document text is copied into the repository.
"""

from __future__ import annotations

import bisect
import hashlib
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .corpus import Labelled, check_labels, read_jsonl
from .errors import CorpusError
from .ruleset import default_taxonomy

# The plain keyword baseline the README compares against (issue #3).
KEYWORDS = (
    "migra",
    "emigra",
    "inmigra",
    "immigra",
    "refugee",
    "refugi",
    "réfugi",
    "displace",
    "desplaz",
    "déplac",
    "remittance",
    "remesa",
    "diaspora",
    "diáspora",
    "traffick",
    "asylum",
    "asilo",
    "asile",
    "returnee",
    "retornad",
    "transferts de fonds",
)


@dataclass
class Prediction:
    relevant: bool
    themes: list[str]
    stage: str | None
    score: float = 0.0


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict:
        return {
            "precision": round(self.precision, 3),
            "recall": round(self.recall, 3),
            "f1": round(self.f1, 3),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "tn": self.tn,
            "support": self.tp + self.fn,
        }


@dataclass
class Scores:
    n: int
    relevance: Counts
    themes: dict[str, Counts]
    theme_micro: Counts
    stage_correct: int
    stage_total: int
    false_friends: int
    false_friends_flagged: int
    per_lang: dict[str, Counts] = field(default_factory=dict)
    stage_confusion: Counter = field(default_factory=Counter)
    # Themes on the relevant sentences the method found: how right the themes are once a
    # sentence is found, apart from the sentences it missed or flagged wrongly.
    theme_micro_found: Counts = field(default_factory=Counts)

    def as_dict(self) -> dict:
        return {
            "n": self.n,
            "relevance": self.relevance.as_dict(),
            "relevance_by_language": {k: v.as_dict() for k, v in sorted(self.per_lang.items())},
            "themes_micro": self.theme_micro.as_dict(),
            "themes_micro_found": self.theme_micro_found.as_dict(),
            "themes": {t: c.as_dict() for t, c in self.themes.items() if c.tp + c.fn + c.fp},
            "stage_accuracy": round(self.stage_correct / self.stage_total, 3) if self.stage_total else None,
            "stage_support": self.stage_total,
            "false_friends": self.false_friends,
            "false_friends_flagged": self.false_friends_flagged,
            # not about migration, yet flagged (issue 13 asks for at most 1%)
            "ordinary_flagged_rate": round(self.relevance.fp / (self.relevance.fp + self.relevance.tn), 4)
            if self.relevance.fp + self.relevance.tn
            else None,
        }


def score(items: list[Labelled], preds: list[Prediction]) -> Scores:
    relevance = Counts()
    per_lang: dict[str, Counts] = defaultdict(Counts)
    theme_ids = default_taxonomy().theme_ids
    themes = {t: Counts() for t in theme_ids}
    stage_correct = stage_total = 0
    ff = ff_flagged = 0
    confusion: Counter = Counter()
    found = Counts()
    for gold, pred in zip(items, preds):
        for counts in (relevance, per_lang[gold.lang]):
            if gold.relevant and pred.relevant:
                counts.tp += 1
            elif pred.relevant:
                counts.fp += 1
            elif gold.relevant:
                counts.fn += 1
            else:
                counts.tn += 1
        # Themes are scored over every sentence: a theme on an irrelevant sentence is a
        # false positive, a missed relevant sentence loses its themes.
        got = set(pred.themes) if pred.relevant else set()
        for t in theme_ids:
            if t in gold.themes and t in got:
                themes[t].tp += 1
            elif t in got:
                themes[t].fp += 1
            elif t in gold.themes:
                themes[t].fn += 1
        if gold.relevant and pred.relevant:
            labelled, given = set(gold.themes), set(pred.themes)
            found.tp += len(labelled & given)
            found.fp += len(given - labelled)
            found.fn += len(labelled - given)
        if gold.relevant and pred.relevant and gold.stage:
            stage_total += 1
            stage_correct += int(pred.stage == gold.stage)
            confusion[(gold.stage, pred.stage)] += 1
        if gold.false_friend:
            ff += 1
            ff_flagged += int(pred.relevant)
    micro = Counts(
        sum(c.tp for c in themes.values()), sum(c.fp for c in themes.values()), sum(c.fn for c in themes.values())
    )
    return Scores(
        len(items),
        relevance,
        themes,
        micro,
        stage_correct,
        stage_total,
        ff,
        ff_flagged,
        dict(per_lang),
        confusion,
        found,
    )


# -- predictors ------------------------------------------------------------------------------
def keyword_predict(items: list[Labelled]) -> list[Prediction]:
    """The baseline: a sentence is relevant if it contains one of the keyword stems."""
    out = []
    for item in items:
        low = item.text.lower()
        out.append(Prediction(any(k in low for k in KEYWORDS), [], None))
    return out


def classifier_predict(model, items: list[Labelled], threshold: float = 0.5) -> list[Prediction]:
    preds = model.predict([i.text for i in items])
    return [Prediction(p["score"] >= threshold, p["themes"], p["stage"], p["score"]) for p in preds]


def rules_predict(ruleset, items: list[Labelled], model=None, sensitivity: float = 0.5) -> list[Prediction]:
    """Rules alone, or the hybrid `scan` runs when a model is given: `detect` itself decides."""
    from .detection.judge import DetectOptions, judge_sentences

    langs = [i.lang if i.lang in ruleset.langs else "en" for i in items]
    verdicts = judge_sentences(
        [i.text for i in items],
        langs,
        ruleset,
        model,
        DetectOptions(sensitivity=sensitivity if model is not None else 0.0),
        [i.chapter for i in items],
        reference_list=[i.in_references for i in items],
    )
    return [Prediction(v.relevant, v.themes, v.stage, v.score) for v in verdicts]


# -- real sentences by reference ---------------------------------------------------------------
@dataclass
class Resolved:
    items: list[Labelled]
    missing_docs: list[str]
    mismatched: int


def sentence_sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def in_split(record: dict, split: str) -> bool:
    """Whether a reference belongs to the documents asked for.

    `split` is "all", "dev" (documents rules and settings may be chosen on), "test" (held-out
    documents) or a comma-separated list of document names. A record's "split" comes from its
    document's row in corpus/documents.tsv; records without one fall back to their hash's parity.
    """
    if split == "all":
        return True
    if split not in ("dev", "test"):
        names = {n.strip() for n in split.split(",") if n.strip()}
        doc = str(record.get("doc", ""))
        return doc in names or doc.removesuffix(".pdf") in names
    half = record.get("split") or ("dev" if int(str(record["sha1"])[-1], 16) % 2 == 0 else "test")
    return half == split


LABELLERS = ("first", "second")


def labels_of(record: dict, labeller: str = "first") -> dict:
    """The labels one labeller gave: the record's own, or its independent "second" set."""
    if labeller == "first":
        return record
    if labeller == "first-original":  # before adjudication, for measuring agreement
        first = record.get("first")
        return {**record, **first} if isinstance(first, dict) else record
    second = record.get("second")
    return second if isinstance(second, dict) else {}


def agreement(path: Path, split: str = "all") -> dict:
    """How far the two labellers of a reference set agree (no PDFs needed).

    Relevance: share of sentences with the same label and Cohen's kappa.  Themes: micro-F1
    of the second labeller against the first, over all sentences (a sentence one of them
    finds not relevant has no themes), counted like a system's scores.
    """
    pairs = []
    for number, record in read_jsonl(path):
        second = labels_of(record, "second")
        if not second or not in_split(record, split):
            continue
        check_labels(second, f"{path} (second labels)", number)
        pairs.append((labels_of(record, "first-original"), second))
    n = len(pairs)
    if not n:
        return {"sentences": 0}
    same = sum(a["relevant"] == b["relevant"] for a, b in pairs) / n
    pa = sum(a["relevant"] for a, _ in pairs) / n
    pb = sum(b["relevant"] for _, b in pairs) / n
    chance = pa * pb + (1 - pa) * (1 - pb)
    themes = Counts()
    both = [(a, b) for a, b in pairs if a["relevant"] and b["relevant"] and a.get("stage") and b.get("stage")]
    for a, b in pairs:
        first = set(a.get("themes", [])) if a["relevant"] else set()
        other = set(b.get("themes", [])) if b["relevant"] else set()
        themes.tp += len(first & other)
        themes.fp += len(other - first)
        themes.fn += len(first - other)
    return {
        "sentences": n,
        "relevance_agreement": round(same, 3),
        "relevance_kappa": round((same - chance) / (1 - chance), 3) if chance < 1 else 1.0,
        "themes_micro_f1": round(themes.f1, 3),
        "themes_counts": {"tp": themes.tp, "fp": themes.fp, "fn": themes.fn},
        "stage_agreement": round(sum(a["stage"] == b["stage"] for a, b in both) / len(both), 3) if both else None,
        "stage_support": len(both),
    }


def resolve_references(path: Path, pdf_dir: Path, split: str = "all", labeller: str = "first") -> Resolved:
    """Read each referenced sentence from its PDF; records carry offsets and a hash, no text.

    `labeller` picks the label set scored against: the record's own ("first") or the
    independent second labelling stored under "second" (records without one are skipped).
    """
    from .detection.pipeline import pipeline
    from .extract import extract
    from .languages import load_languages
    from .scan import document_language
    from .segment import segment

    records = read_jsonl(path)
    by_doc: dict[str, list[tuple[int, dict]]] = defaultdict(list)
    for number, record in records:
        for key in ("doc", "char_start", "char_end", "sha1"):
            if key not in record:
                raise CorpusError(str(path), f"reference needs '{key}'", number)
        check_labels(record, str(path), number)
        labels = labels_of(record, labeller)
        if labels is not record:
            if not labels:
                continue
            check_labels(labels, f"{path} (second labels)", number)
            record = {**record, **labels, "false_friend": record.get("false_friend", False) and not labels["relevant"]}
        if in_split(record, split):
            by_doc[record["doc"]].append((number, record))
    items: list[Labelled] = []
    missing: list[str] = []
    mismatched = 0
    for doc_name, refs in by_doc.items():
        pdf = pdf_dir / doc_name
        if not pdf.exists():
            missing.append(doc_name)
            continue
        seg = segment(extract(pdf))
        text = seg.text
        starts = [p.offset for p in seg.passages]
        sentences = None
        for _, record in refs:
            sentence = text[record["char_start"] : record["char_end"]]
            if sentence_sha1(sentence) != record["sha1"]:
                # Extraction changed since labelling: find the sentence by its hash instead.
                if sentences is None:
                    nlp = pipeline(load_languages().spacy_code(document_language(seg)))
                    sentences = {
                        sentence_sha1(s.text): s.text for d in nlp.pipe(p.text for p in seg.passages) for s in d.sents
                    }
                sentence = sentences.get(record["sha1"])
                if sentence is None:
                    mismatched += 1
                    continue
            passage = seg.passages[max(0, bisect.bisect_right(starts, record["char_start"]) - 1)]
            items.append(
                Labelled(
                    sentence,
                    record.get("lang", "en"),
                    record["relevant"],
                    record.get("themes", []),
                    record.get("stage"),
                    f"{doc_name}:p{record.get('page')}",
                    f"{doc_name}@{record['char_start']}",
                    bool(record.get("false_friend", False)),
                    doc=doc_name,
                    sampling=str(record.get("sampling", "")),
                    chapter=list(passage.chapter),
                    split=str(record.get("split", "")),
                    in_references=passage.reference_list,
                    labelled_twice=isinstance(record.get("second"), dict),
                )
            )
    return Resolved(items, missing, mismatched)


def is_reference_file(path: Path) -> bool:
    records = read_jsonl(path)
    return bool(records) and "text" not in records[0][1] and "doc" in records[0][1]


def cross_validate(items: list[Labelled], k: int = 5, seed: int = 0) -> Scores:
    """Stratified k-fold on relevance; each fold trains a fresh model on the others."""
    from sklearn.model_selection import StratifiedKFold

    from .detection.classifier import train

    labels = [f"{int(i.relevant)}{i.lang}" for i in items]
    preds: list[Prediction | None] = [None] * len(items)
    for train_idx, test_idx in StratifiedKFold(k, shuffle=True, random_state=seed).split(items, labels):
        model, _ = train([items[i] for i in train_idx])
        fold = classifier_predict(model, [items[i] for i in test_idx])
        for i, p in zip(test_idx, fold):
            preds[i] = p
    return score(items, preds)  # type: ignore[arg-type]


def _prf(c: Counts) -> str:
    return f"P {c.precision:.3f}  R {c.recall:.3f}  F1 {c.f1:.3f}"


def format_confusion(confusion: Counter) -> list[str]:
    """Labelled stage (rows) against the predicted one (columns), on true positives."""
    stages = default_taxonomy().stage_ids
    lines = ["    labelled \\ predicted " + " ".join(f"{p:>4}" for p in stages) + "   right"]
    for gold in stages:
        row = [confusion.get((gold, p), 0) for p in stages]
        total = sum(row)
        if total:
            right = confusion.get((gold, gold), 0)
            cells = " ".join(f"{n:>4}" for n in row)
            lines.append(f"    {gold:<21}{cells}   {right}/{total}")
    return lines


def format_scores(title: str, s: Scores) -> str:
    r = s.relevance
    lines = [f"{title}: {s.n} sentences", f"  relevance   {_prf(r)}   (tp {r.tp}, fp {r.fp}, fn {r.fn}, tn {r.tn})"]
    for lang, c in sorted(s.per_lang.items()):
        lines.append(f"    {lang:<9} {_prf(c)}   (tp {c.tp}, fp {c.fp}, fn {c.fn}, tn {c.tn})")
    m = s.theme_micro
    if m.tp + m.fp + m.fn:
        lines.append(f"  themes      micro {_prf(m)}   (tp {m.tp}, fp {m.fp}, fn {m.fn})")
        for t, c in s.themes.items():
            if c.tp + c.fn + c.fp:
                lines.append(f"    {t:<9} {_prf(c)}   (support {c.tp + c.fn}, fp {c.fp})")
    f = s.theme_micro_found
    if f.tp + f.fp + f.fn:
        lines.append(f"  themes of the relevant sentences found: micro {_prf(f)}   (tp {f.tp}, fp {f.fp}, fn {f.fn})")
    if s.stage_total:
        lines.append(f"  stage       accuracy {s.stage_correct / s.stage_total:.3f} on {s.stage_total} true positives")
        lines.extend(format_confusion(s.stage_confusion))
    if s.false_friends:
        lines.append(f"  false friends flagged: {s.false_friends_flagged} of {s.false_friends}")
    ordinary = r.fp + r.tn
    if ordinary:
        lines.append(f"  ordinary sentences flagged: {r.fp} of {ordinary} ({r.fp / ordinary:.2%})")
    return "\n".join(lines)


# -- held-out documents ----------------------------------------------------------------------
def document_folds(items: list[Labelled], k: int) -> list[set[str]]:
    """K groups of documents: every sentence of a document falls in the same fold.

    Documents are dealt round-robin in an order fixed by their names' hashes, largest first,
    so folds are balanced in size and stable when documents are added.
    """
    sizes: Counter = Counter(i.doc for i in items)
    order = sorted(sizes, key=lambda d: (-sizes[d], hashlib.sha1(d.encode()).hexdigest()))
    folds: list[set[str]] = [set() for _ in range(k)]
    for n, doc in enumerate(order):
        folds[n % k].add(doc)
    return [f for f in folds if f]


@dataclass
class HeldOut:
    """Each real sentence scored by a classifier that never saw its document."""

    items: list[Labelled]
    scores: list[dict]  # the fold model's prediction per item
    models: list  # (documents held out, model)


def held_out_predictions(
    real: list[Labelled], authored: list[Labelled], k: int = 5, cache: Path | None = None
) -> HeldOut:
    """Grouped k-fold: train on the authored corpus plus the real sentences of the other folds.

    With a `cache` folder each fold's model is kept there and reused while its training
    sentences and the training code are unchanged: a rule writer re-scoring edited rules
    does not wait for five models to be trained again.
    """
    scores: list[dict | None] = [None] * len(real)
    models = []
    for held in document_folds(real, k):
        model = fold_model(authored + [i for i in real if i.doc not in held], cache)
        idx = [n for n, i in enumerate(real) if i.doc in held]
        for n, p in zip(idx, model.predict([real[n].text for n in idx])):
            scores[n] = p
        models.append((held, model))
    return HeldOut(real, scores, models)  # type: ignore[arg-type]


def training_key(items: list[Labelled]) -> str:
    """What a trained model depends on: its sentences and labels, the training code and the
    scikit-learn that fits it."""
    import sklearn

    from .detection import classifier

    digest = hashlib.sha256(f"format {classifier.MODEL_FORMAT} sklearn {sklearn.__version__}\n".encode())
    digest.update(Path(classifier.__file__).read_bytes())
    for i in items:
        digest.update(f"{int(i.relevant)}|{','.join(i.themes)}|{i.stage}|{i.text}\n".encode())
    return digest.hexdigest()[:20]


def fold_model(items: list[Labelled], cache: Path | None = None):
    """A model trained on `items`, read from `cache` when one was trained on the same."""
    from .detection.classifier import load, save, train
    from .errors import ModelError

    if cache is None:
        return train(items)[0]
    path = Path(cache) / f"fold-{training_key(items)}.skops"
    if path.exists():
        try:
            return load(path)
        except ModelError:
            pass  # unreadable (an interrupted write, another version): train it again
    model, _ = train(items)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.stem}.{os.getpid()}.skops")
    try:
        save(model, partial)
        os.replace(partial, path)  # whole or absent, never half-written
    finally:
        partial.unlink(missing_ok=True)
        partial.with_suffix(".npz").unlink(missing_ok=True)  # fast-scoring weights: not needed here
    return model


def held_out_hybrid(held: HeldOut, ruleset, sensitivity: float = 0.5) -> list[Prediction]:
    """The scan's verdict for every sentence, each fold's sentences judged with its own model."""
    preds: list[Prediction | None] = [None] * len(held.items)
    for docs, model in held.models:
        idx = [n for n, i in enumerate(held.items) if i.doc in docs]
        for n, p in zip(idx, rules_predict(ruleset, [held.items[n] for n in idx], model, sensitivity)):
            preds[n] = p
    return preds  # type: ignore[return-value]


def held_out_classifier(held: HeldOut, threshold: float) -> list[Prediction]:
    return [Prediction(p["score"] >= threshold, p["themes"], p["stage"], p["score"]) for p in held.scores]


def subsets(items: list[Labelled]) -> dict[str, list[int]]:
    """The slices the README reports: every document, the held-out (test) ones, fully labelled ones."""
    out = {"all documents": list(range(len(items)))}
    for name, keep in (
        ("dev documents", lambda i: i.split == "dev"),
        ("test documents (held out from rule writing)", lambda i: i.split == "test"),
        ("documents labelled sentence by sentence", lambda i: i.sampling == "full"),
        ("test documents labelled sentence by sentence", lambda i: i.sampling == "full" and i.split == "test"),
    ):
        idx = [n for n, i in enumerate(items) if keep(i)]
        if idx:
            out[name] = idx
    return out
