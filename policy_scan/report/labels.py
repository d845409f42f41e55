"""Report labels in English, Spanish and French (``--lang-ui``)."""

LABELS = {
    "pages": {"es": "páginas", "fr": "pages"},
    "engine": {"es": "motor", "fr": "moteur"},
    "rules": {"es": "reglas", "fr": "règles"},
    "classifier": {"es": "clasificador", "fr": "classifieur"},
    "score": {"es": "Puntuación de integración", "fr": "Score d'intégration", "en": "Mainstreaming score"},
    "addressed": {"es": "abordado", "fr": "traité"},
    "partial": {"es": "parcial", "fr": "partiel"},
    "absent": {"es": "ausente", "fr": "absent"},
    "findings": {"es": "hallazgos", "fr": "constats"},
    "finding": {"es": "hallazgo", "fr": "constat"},
    "themes": {"es": "Temas", "fr": "Thèmes", "en": "Themes"},
    "deepest stage": {"es": "etapa más profunda", "fr": "étape la plus avancée"},
    "pp.": {"es": "págs.", "fr": "p."},
    "p.": {"es": "pág.", "fr": "p."},
    "gap": {"es": "Brecha", "fr": "Lacune", "en": "Gap"},
    "chapters": {"es": "Capítulos", "fr": "Chapitres", "en": "Chapters"},
    "silent on migration": {"es": "sin mención de la migración", "fr": "muet sur la migration"},
    "warning": {"es": "aviso", "fr": "avertissement"},
}


def label(key: str, lang: str = "en") -> str:
    entry = LABELS.get(key, {})
    return entry.get(lang) or entry.get("en") or key
