"""Draw the sentences to label from the real plans in ../shared/pdfs (labelling worklists).

Input: one `policy-scan extract FILE --sentences --format jsonl` dump per document in
SENT_DIR. Output: worklists (with text, kept outside the repository) whose records carry
the reference (doc, page, char offsets, sha1) and how each sentence was drawn:

- "full":    every sentence of the document (recall is measured on these documents only);
- "net":     a sentence of a sampled document that contains a wide mobility or false-friend
             word (capped per document, drawn at random when there are more);
- "random":  a uniform random draw from the rest of a sampled document.

The wide net is deliberately broader than the scan's rules and the keyword baseline, and it
includes the false friends, so that sampled documents contribute hard negatives too.
Deterministic: the random draws are seeded by the document name.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import sys
from pathlib import Path

NET = re.compile(
    r"migra|migrant|refug|displac|asylum|remit|diaspora|traffick|smuggl|\breturn|border|foreign|abroad|"
    r"overseas|expatri|\bvisa|passport|resettl|relocat|evacua|exodus|mobilit|influx|brain drain|"
    r"emigr|immigr|seasonal|stateless|deport|outflow|inflow|relocation|"
    r"desplaz|asilo|remesa|trata\b|tráfico|retorn|frontera|extranjer|exterior|refugi|reasent|"
    r"movilidad|éxodo|apátrida|expuls|"
    r"déplac|asile|transferts? de fonds|envois de fonds|traite\b|traité|trafic|retour|frontière|"
    r"étranger|réfugi|réinstall|exode|mobilité|diaspor|apatrid|expuls",
    re.IGNORECASE,
)


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def draw(doc: str, sentences: list[dict], full: bool, net_cap: int, random_n: int) -> list[dict]:
    rng = random.Random(doc)
    if full:
        chosen = [(s, "full") for s in sentences]
    else:
        net = [s for s in sentences if NET.search(s["text"])]
        rest = [s for s in sentences if not NET.search(s["text"])]
        if len(net) > net_cap:
            net = rng.sample(net, net_cap)
        rand = rng.sample(rest, min(random_n, len(rest)))
        chosen = [(s, "net") for s in net] + [(s, "random") for s in rand]
        chosen.sort(key=lambda x: (x[0]["page"], x[0]["char_start"]))
    out = []
    for s, how in chosen:
        out.append(
            {
                "id": f"{doc}@{s['char_start']}",
                "doc": doc + ".pdf",
                "page": s["page"],
                "char_start": s["char_start"],
                "char_end": s["char_end"],
                "sha1": sha1(s["text"]),
                "sampling": how,
                "chapter": " > ".join(s.get("chapter") or []),
                "text": s["text"],
            }
        )
    return out


def main(sent_dir: str, plan: str, out: str) -> None:
    """`plan` is a TSV: document name (no .pdf), full|sample, net cap, random count."""
    records = []
    for line in Path(plan).read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        doc, mode, net_cap, random_n = line.split("\t")
        sentences = [json.loads(x) for x in (Path(sent_dir) / f"{doc}.jsonl").read_text().splitlines()]
        records += draw(doc, sentences, mode == "full", int(net_cap), int(random_n))
    with open(out, "w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{len(records)} sentences from {len({r['doc'] for r in records})} documents -> {out}")


if __name__ == "__main__":
    main(*sys.argv[1:4])
