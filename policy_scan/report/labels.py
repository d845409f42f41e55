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
    "theme x stage": {"es": "Tema × etapa", "fr": "Thème × étape", "en": "Theme × stage"},
    "deepest stage": {"es": "etapa más profunda", "fr": "étape la plus avancée"},
    "pp.": {"es": "págs.", "fr": "p."},
    "p.": {"es": "pág.", "fr": "p."},
    "gap": {"es": "Brecha", "fr": "Lacune", "en": "Gap"},
    "chapters": {"es": "Capítulos", "fr": "Chapitres", "en": "Chapters"},
    "silent on migration": {"es": "sin mención de la migración", "fr": "muet sur la migration"},
    "warning": {"es": "aviso", "fr": "avertissement"},
    "theme": {"es": "Tema", "fr": "Thème", "en": "Theme"},
    "verdict": {"es": "Veredicto", "fr": "Verdict", "en": "Verdict"},
    "chapter": {"es": "Capítulo", "fr": "Chapitre", "en": "Chapter"},
    "stage": {"es": "Etapa", "fr": "Étape", "en": "Stage"},
    "source": {"es": "Fuente", "fr": "Source", "en": "Source"},
    "all": {"es": "todas", "fr": "toutes", "en": "all"},
    "search": {"es": "Buscar en los hallazgos", "fr": "Chercher dans les constats", "en": "Search findings"},
    "document": {"es": "Texto del plan", "fr": "Texte du plan", "en": "The plan's text"},
    "pages with evidence": {"es": "Páginas con evidencia", "fr": "Pages avec éléments", "en": "Pages with evidence"},
    "matched terms": {"es": "términos", "fr": "termes", "en": "matched terms"},
    "classifier terms": {"es": "términos del clasificador", "fr": "termes du classifieur", "en": "classifier terms"},
    "matrix help": {
        "es": "Cada celda cuenta los hallazgos de un tema en un capítulo; pulse para ir a la evidencia. "
        "Los capítulos en rojo no mencionan la migración.",
        "fr": "Chaque cellule compte les constats d'un thème dans un chapitre ; cliquez pour aller aux éléments. "
        "Les chapitres en rouge sont muets sur la migration.",
        "en": "Each cell counts a theme's findings in a chapter; click it to jump to the evidence. "
        "Chapters in red say nothing on migration.",
    },
    "keys help": {
        "es": "Teclas: j/n siguiente, k/p anterior, Esc cierra",
        "fr": "Touches : j/n suivant, k/p précédent, Échap ferme",
        "en": "Keys: j/n next finding, k/p previous, Esc closes",
    },
}


def label(key: str, lang: str = "en") -> str:
    entry = LABELS.get(key, {})
    return entry.get(lang) or entry.get("en") or key
