"""Detection: passages -> findings.

    lexicon.py     lookup lemma tables (spacy-lookups-data), read without spaCy
    pipeline.py    spaCy blank pipelines: sentences, lower-cased lemmas in NORM
    patterns.py    the rule pattern syntax, compiled to spaCy Matcher patterns
    matcher.py     a language's rules, exclusions, vetoes and stage cues, compiled once
    stages.py      a finding's planning stage: rule stages, cue words, chapter titles
    classifier.py  the sentence classifier: training, skops persistence, loading
    linear.py      the classifier's inference in plain NumPy (no scikit-learn at scan time)
    judge.py       rules and classifier together: findings, and verdicts on single texts

Nothing is imported here: `policy-scan --help` and `import policy_scan` stay cheap.
"""
