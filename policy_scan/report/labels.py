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
    "pagess": {"es": "páginas", "fr": "pages", "en": "pages"},
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
    "score short": {"es": "puntuación", "fr": "score", "en": "score"},
    "page": {"es": "página", "fr": "page", "en": "page"},
    "close": {"es": "Cerrar", "fr": "Fermer", "en": "Close"},
    "copy link": {"es": "Copiar enlace", "fr": "Copier le lien", "en": "Copy link"},
    "link copied": {"es": "Enlace copiado", "fr": "Lien copié", "en": "Link copied"},
    "see page": {"es": "Ver la página", "fr": "Voir la page", "en": "See it on the page"},
    "no image": {"es": "sin imagen de página", "fr": "sans image de page", "en": "no page image"},
    "skip": {"es": "Ir al texto del plan", "fr": "Aller au texte du plan", "en": "Skip to the plan's text"},
    "front matter": {"es": "preliminares", "fr": "pages liminaires", "en": "front matter"},
    "capped": {
        "es": "Sin imagen (límite de tamaño: un informe dibuja como máximo {n} páginas): págs. {pages}. "
        "Sus hallazgos están en el texto del plan.",
        "fr": "Sans image (limite de taille : un rapport dessine au plus {n} pages) : p. {pages}. "
        "Leurs constats figurent dans le texte du plan.",
        "en": "No image (size cap: a report draws at most {n} pages) for pages {pages}. "
        "Their findings are in the plan's text below.",
    },
    "failed pages": {
        "es": "Páginas que no se pudieron dibujar: {pages} (véanse los avisos).",
        "fr": "Pages qui n'ont pas pu être dessinées : {pages} (voir les avertissements).",
        "en": "Pages that could not be drawn: {pages} (see the warnings above).",
    },
    "review": {"es": "Revisión", "fr": "Revue", "en": "Your review"},
    "correct": {"es": "correcto", "fr": "correct", "en": "correct"},
    "not_migration": {"es": "no trata de migración", "fr": "ne parle pas de migration", "en": "not about migration"},
    "wrong_theme": {"es": "tema equivocado", "fr": "mauvais thème", "en": "wrong theme"},
    "wrong_stage": {"es": "etapa equivocada", "fr": "mauvaise étape", "en": "wrong stage"},
    "note": {"es": "Nota", "fr": "Note", "en": "Note"},
    "gap_confirmed": {"es": "confirmado", "fr": "confirmé", "en": "confirmed"},
    "evidence_missed": {"es": "evidencia omitida", "fr": "éléments manqués", "en": "evidence missed"},
    "export": {"es": "Exportar decisiones", "fr": "Exporter les décisions", "en": "Export decisions"},
    "import": {"es": "Importar decisiones", "fr": "Importer les décisions", "en": "Import decisions"},
    "decisions": {"es": "decisiones", "fr": "décisions", "en": "decisions"},
    "decision": {"es": "decisión", "fr": "décision", "en": "decision"},
    "themes filter": {"es": "Temas", "fr": "Thèmes", "en": "Themes"},
}


def label(key: str, lang: str = "en") -> str:
    entry = LABELS.get(key, {})
    return entry.get(lang) or entry.get("en") or key
