"""Time `diff` of two large JSON results: it must grow near-linearly with the findings.

    python benchmarks/bench_diff.py [--sizes 1890,18900]

Two synthetic results of N findings each, made from the corpus's authored sentences: about a
third unchanged, a third edited (a word swapped), a third new or gone, and repeats of a
few boilerplate sentences, so every path of the matcher (exact groups, edited pairs,
added, removed) carries real work.  Prints seconds per size and the growth factor.
Before the candidate index (issue #16): 47 s at 1,890 findings, over 300 s at 18,900.
"""

from __future__ import annotations

import argparse
import random
import time


def corpus_sentences() -> list[str]:
    """The authored passages of corpus/passages, split into sentences: real vocabulary."""
    import json
    import re
    from pathlib import Path

    out = []
    for path in sorted((Path(__file__).resolve().parent.parent / "corpus" / "passages").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                out += [s for s in re.split(r"(?<=[.;])\s+", json.loads(line)["text"]) if len(s) > 40]
    return out


SENTENCES: list[str] = []


def sentence(rng: random.Random) -> str:
    if not SENTENCES:
        SENTENCES.extend(corpus_sentences())
    return rng.choice(SENTENCES)


WORDS = "migrant workers remittances diaspora refugees displaced labour mobility return plan".split()


def finding(text: str, n: int) -> dict:
    return {
        "id": f"F{n + 1}",
        "page": 1 + n // 20,
        "text": text,
        "char_start": n * 200,
        "char_end": n * 200 + len(text),
        "themes": ["T1"],
        "stage": "P2",
        "source": "rule",
    }


def results(n: int, seed: int = 0) -> tuple[dict, dict]:
    rng = random.Random(seed)
    old_texts, new_texts = [], []
    for i in range(n):
        text = sentence(rng) if i % 25 else "The plan recognises the contribution of migrants."
        old_texts.append(text)
        kind = i % 3
        if kind == 0:
            new_texts.append(text)
        elif kind == 1:
            words = text.split()
            words[rng.randrange(len(words))] = rng.choice(WORDS)
            new_texts.append(" ".join(words))
        else:
            new_texts.append(sentence(rng))
    themes = [
        {"theme": "T1", "title": "Governance", "verdict": "addressed", "deepest_stage": "P2", "evidence_count": n}
    ]

    def result(texts):
        return {
            "schema_version": "1.0",
            "document": {"path": "plan.pdf", "sha256": "0" * 64},
            "assessment": {"score": 50.0, "themes": themes},
            "findings": [finding(t, k) for k, t in enumerate(texts)],
        }

    return result(old_texts), result(new_texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1890,18900")
    args = parser.parse_args()
    from policy_scan.diff import match_findings

    previous = None
    for n in map(int, args.sizes.split(",")):
        old, new = results(n)
        started = time.perf_counter()
        same, edited, removed, added = match_findings(old["findings"], new["findings"])
        seconds = time.perf_counter() - started
        growth = f" ({seconds / previous[1]:.1f}x time for {n / previous[0]:.0f}x findings)" if previous else ""
        print(
            f"{n} findings: {seconds:.2f} s; {len(same)} unchanged, {len(edited)} edited, "
            f"{len(removed)} removed, {len(added)} added{growth}"
        )
        previous = (n, seconds)


if __name__ == "__main__":
    main()
