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
    "search": {
        "es": "Buscar en el texto del plan",
        "fr": "Chercher dans le texte du plan",
        "en": "Search the plan's text",
    },
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
        "es": "Teclas: j/n siguiente, k/p anterior, 1–4 decidir, e revisión, v página, Esc cierra",
        "fr": "Touches : j/n suivant, k/p précédent, 1–4 décider, e revue, v page, Échap ferme",
        "en": "Keys: j/n next finding, k/p previous, 1–4 decide, e review panel, v page, Esc closes",
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
    "rule": {"es": "regla", "fr": "règle", "en": "rule"},
    "show evidence": {"es": "ver su evidencia", "fr": "voir ses éléments", "en": "show its evidence"},
    "all themes": {"es": "Todos los temas", "fr": "Tous les thèmes", "en": "All themes"},
    "grid help": {
        "es": "Las etapas de planificación que alcanza cada tema: cada celda cuenta sus hallazgos y lleva al primero.",
        "fr": "Les étapes de planification atteintes par chaque thème : chaque cellule compte ses constats et mène au "
        "premier.",
        "en": "Which planning stages each theme reaches: each cell counts its findings and opens the first.",
    },
    "passages": {"es": "pasajes", "fr": "passages", "en": "passages"},
    "use selection": {
        "es": "usar el texto seleccionado",
        "fr": "utiliser le texte sélectionné",
        "en": "use the selected text",
    },
    "use selection help": {
        "es": "Seleccione en el texto del plan la frase que muestra el tema (la búsqueda ayuda) y pulse aquí",
        "fr": "Sélectionnez dans le texte du plan la phrase qui montre le thème (la recherche aide) puis cliquez ici",
        "en": "Select the sentence that shows the theme in the plan's text (search helps), then click here",
    },
    "select first": {
        "es": "Primero seleccione la frase en el texto del plan.",
        "fr": "Sélectionnez d'abord la phrase dans le texte du plan.",
        "en": "First select the sentence in the plan's text.",
    },
    "previous page": {"es": "Página anterior", "fr": "Page précédente", "en": "Previous page"},
    "next page": {"es": "Página siguiente", "fr": "Page suivante", "en": "Next page"},
    "previous finding": {"es": "Hallazgo anterior", "fr": "Constat précédent", "en": "Previous finding"},
    "next finding": {"es": "Hallazgo siguiente", "fr": "Constat suivant", "en": "Next finding"},
    "zoom in": {"es": "Ampliar", "fr": "Agrandir", "en": "Zoom in"},
    "zoom out": {"es": "Reducir", "fr": "Réduire", "en": "Zoom out"},
    "passage": {"es": "pasaje", "fr": "passage", "en": "passage"},
    "export csv": {
        "es": "Exportar evidencia (CSV)",
        "fr": "Exporter les éléments (CSV)",
        "en": "Export evidence (CSV)",
    },
    "both": {"es": "ambos", "fr": "les deux", "en": "both"},
    "section": {"es": "sección", "fr": "section", "en": "section"},
    "reviewer": {"es": "revisor", "fr": "relecteur", "en": "reviewer"},
    "SDG": {"es": "ODS", "fr": "ODD", "en": "SDG"},
    "ocr check": {
        "es": "OCR: compare el texto con la imagen de la página",
        "fr": "OCR : vérifiez le texte sur l'image de la page",
        "en": "OCR: check the text against the page image",
    },
    # `policy-scan diff`: two drafts compared
    "before": {"es": "Antes", "fr": "Avant", "en": "Before"},
    "after": {"es": "Después", "fr": "Après", "en": "After"},
    "change": {"es": "Cambio", "fr": "Évolution", "en": "Change"},
    "improved": {"es": "mejoró", "fr": "amélioré", "en": "improved"},
    "regressed": {"es": "retrocedió", "fr": "en recul", "en": "regressed"},
    "same": {"es": "igual", "fr": "inchangé", "en": "same"},
    "regressions": {"es": "retrocesos", "fr": "reculs", "en": "regressions"},
    "added": {"es": "añadidos", "fr": "ajoutés", "en": "added"},
    "removed": {"es": "suprimidos", "fr": "supprimés", "en": "removed"},
    "edited": {"es": "modificados", "fr": "modifiés", "en": "edited"},
    "unchanged": {"es": "sin cambios", "fr": "inchangés", "en": "unchanged"},
    "kind added": {"es": "añadido", "fr": "ajouté", "en": "added"},
    "kind removed": {"es": "suprimido", "fr": "supprimé", "en": "removed"},
    "kind edited": {"es": "modificado", "fr": "modifié", "en": "edited"},
    "evidence": {"es": "evidencia", "fr": "éléments", "en": "evidence"},
    "evidence changed": {"es": "Evidencia modificada", "fr": "Éléments modifiés", "en": "Evidence changed"},
    "evidence that changed": {
        "es": "La evidencia que cambió",
        "fr": "Les éléments qui ont changé",
        "en": "Evidence that changed",
    },
    "filter the changes": {"es": "Filtrar los cambios", "fr": "Filtrer les changements", "en": "Filter the changes"},
    "search the changes": {
        "es": "Buscar en el texto modificado",
        "fr": "Chercher dans le texte modifié",
        "en": "Search the changed text",
    },
    "old draft": {"es": "borrador anterior", "fr": "version précédente", "en": "old draft"},
    "new draft": {"es": "borrador nuevo", "fr": "nouvelle version", "en": "new draft"},
    "no evidence changed": {
        "es": "Ninguna evidencia cambió.",
        "fr": "Aucun élément n'a changé.",
        "en": "No evidence changed.",
    },
    "language en": {"es": "inglés", "fr": "anglais", "en": "English"},
    "language es": {"es": "español", "fr": "espagnol", "en": "Spanish"},
    "language fr": {"es": "francés", "fr": "français", "en": "French"},
}


def label(key: str, lang: str = "en") -> str:
    entry = LABELS.get(key, {})
    return entry.get(lang) or entry.get("en") or key


# What a plan could add where a theme is partial or absent (rules/taxonomy.yaml's entry_point,
# which is the English text), in the report's other languages.
GAP_ADVICE = {
    "T1": {
        "en": "Name a lead agency",
        "es": "Designar un organismo rector y una política migratoria en el capítulo de gobernanza del plan, y "
        "comprometerse con datos migratorios: un perfil migratorio, módulos en el censo y en las encuestas de fuerza "
        "de trabajo, e indicadores desagregados por condición migratoria (ODS 17.18).",
        "fr": "Désigner un organisme chef de file et une politique migratoire dans le chapitre du plan consacré à la "
        "gouvernance, et s'engager sur des données migratoires : un profil migratoire, des modules dans le "
        "recensement et les enquêtes sur la main-d'œuvre, et des indicateurs ventilés par statut "
        "migratoire (ODD 17.18).",
    },
    "T2": {
        "en": "Add labour migration to",
        "es": "Incluir la migración laboral en el capítulo de empleo: reclutamiento justo y ético, protección de los "
        "trabajadores en el exterior, acuerdos laborales bilaterales y una meta sobre los costos de reclutamiento "
        "que pagan los trabajadores (ODS 10.7.1).",
        "fr": "Inscrire la migration de main-d'œuvre dans le chapitre sur l'emploi : recrutement équitable et éthique, "
        "protection des travailleurs à l'étranger, accords bilatéraux de travail et une cible sur les frais de "
        "recrutement à la charge des travailleurs (ODD 10.7.1).",
    },
    "T3": {
        "en": "Set a target to",
        "es": "Fijar una meta para reducir el costo de envío de remesas por debajo del 3 % (ODS 10.c.1) y vincular "
        "a los hogares receptores con el ahorro, el crédito y la educación financiera.",
        "fr": "Fixer une cible pour ramener le coût des envois de fonds sous 3 % (ODD 10.c.1) et relier les ménages "
        "bénéficiaires à l'épargne, au crédit et à l'éducation financière.",
    },
    "T4": {
        "en": "Give the diaspora a",
        "es": "Dar a la diáspora un cauce en el plan: un consejo u oficina de la diáspora, programas de transferencia "
        "de conocimientos e instrumentos de inversión o bonos abiertos a los ciudadanos en el exterior.",
        "fr": "Donner à la diaspora une place dans le plan : un conseil ou un bureau de la diaspora, des programmes de "
        "transfert de compétences et des instruments d'investissement ou obligations ouverts aux "
        "citoyens à l'étranger.",
    },
    "T5": {
        "en": "Plan for returnees: reintegration",
        "es": "Prever el retorno: servicios de reintegración (empleo, reconocimiento de competencias, apoyo "
        "psicosocial) y cooperación para un retorno y una readmisión dignos.",
        "fr": "Prévoir le retour : des services de réintégration (emploi, reconnaissance des compétences, soutien "
        "psychosocial) et une coopération pour un retour et une réadmission dans la dignité.",
    },
    "T6": {
        "en": "Extend social protection to",
        "es": "Extender la protección social a los trabajadores migrantes y sus familias y negociar la portabilidad "
        "de las pensiones y demás prestaciones adquiridas (ODS 1.3).",
        "fr": "Étendre la protection sociale aux travailleurs migrants et à leurs familles et négocier la portabilité "
        "des pensions et autres droits acquis (ODD 1.3).",
    },
    "T7": {
        "en": "Cover migrants in universal",
        "es": "Incluir a las personas migrantes en la cobertura sanitaria universal (ODS 3.8) y atender la emigración "
        "del personal de salud con medidas de retención y de contratación ética (ODS 3.c).",
        "fr": "Couvrir les migrants dans la couverture sanitaire universelle (ODD 3.8) et répondre à l'émigration des "
        "personnels de santé par des mesures de fidélisation et de recrutement éthique (ODD 3.c).",
    },
    "T8": {
        "en": "Include pre-departure and vocational",
        "es": "Incluir formación previa a la partida y formación profesional para quienes van a migrar, el "
        "reconocimiento de las competencias adquiridas en el exterior y el acceso a la escuela de la niñez migrante "
        "y desplazada (ODS 4.b).",
        "fr": "Prévoir une formation avant le départ et une formation professionnelle pour les candidats à la "
        "migration, la reconnaissance des compétences acquises à l'étranger et l'accès à l'école des enfants migrants "
        "et déplacés (ODD 4.b).",
    },
    "T9": {
        "en": "Make migration measures gender-",
        "es": "Hacer que las medidas migratorias tengan en cuenta el género y la niñez: protección de las trabajadoras "
        "migrantes y de las trabajadoras domésticas, apoyo a las familias y a los niños que se quedan, y atención a "
        "los niños no acompañados.",
        "fr": "Rendre les mesures migratoires sensibles au genre et à l'enfance : protection des travailleuses "
        "migrantes et des travailleuses domestiques, soutien aux familles et aux enfants restés au pays, et "
        "prise en charge des enfants non accompagnés.",
    },
    "T10": {
        "en": "Add counter-trafficking and anti-smuggling",
        "es": "Añadir medidas contra la trata y el tráfico ilícito con identificación, derivación y protección de las "
        "víctimas, y dar seguimiento a los procesamientos y a las víctimas atendidas (ODS 16.2.2).",
        "fr": "Ajouter des mesures contre la traite et le trafic illicite avec identification, orientation et "
        "protection des victimes, et suivre les poursuites et les victimes assistées (ODD 16.2.2).",
    },
    "T11": {
        "en": "Commit to legal identity",
        "es": "Comprometerse con la identidad jurídica y los documentos para todos, incluidas las personas migrantes y "
        "apátridas (ODS 16.9), una gestión de fronteras basada en derechos y la protección consular de los "
        "ciudadanos en el exterior.",
        "fr": "S'engager pour l'identité juridique et les documents pour tous, y compris les migrants et les apatrides "
        "(ODD 16.9), une gestion des frontières fondée sur les droits et la protection consulaire des citoyens à "
        "l'étranger.",
    },
    "T12": {
        "en": "Address displaced people and",
        "es": "Atender a las personas desplazadas y a quienes las acogen: soluciones duraderas para desplazados "
        "internos y refugiados, acceso a servicios y empleo, y apoyo a las comunidades de acogida.",
        "fr": "Prendre en compte les personnes déplacées et leurs hôtes : solutions durables pour les déplacés "
        "internes et les réfugiés, accès aux services et à l'emploi, et soutien aux communautés d'accueil.",
    },
    "T13": {
        "en": "Bring human mobility into",
        "es": "Incorporar la movilidad humana a los planes de clima y desastres: el desplazamiento en las evaluaciones "
        "de riesgo y la alerta temprana (ODS 11.5, 13.1), la reubicación planificada con consentimiento y la migración "
        "como adaptación.",
        "fr": "Intégrer la mobilité humaine aux plans climat et catastrophes : les déplacements dans les évaluations "
        "des risques et l'alerte précoce (ODD 11.5, 13.1), la réinstallation planifiée avec consentement et la "
        "migration comme adaptation.",
    },
    "T14": {
        "en": "Plan for internal migrants",
        "es": "Prever a los migrantes internos en el desarrollo urbano y rural: vivienda, servicios y registro para "
        "quienes llegan a las ciudades, y medios de vida rurales que hagan de quedarse una opción (ODS 11.3).",
        "fr": "Prévoir les migrants internes dans le développement urbain et rural : logement, services et "
        "enregistrement pour ceux qui arrivent en ville, et des moyens de subsistance ruraux qui font du maintien sur "
        "place un choix (ODD 11.3).",
    },
    "T15": {
        "en": "Commit to migrants' access",
        "es": "Comprometerse con el acceso de las personas migrantes a los servicios básicos y con la no "
        "discriminación: combatir la xenofobia y apoyar la cohesión social en las comunidades receptoras "
        "(ODS 10.2, 10.3).",
        "fr": "S'engager pour l'accès des migrants aux services de base et pour la non-discrimination : lutter contre "
        "la xénophobie et soutenir la cohésion sociale dans les communautés d'accueil (ODD 10.2, 10.3).",
    },
    "T16": {
        "en": "Address irregular migration with",
        "es": "Abordar la migración irregular con vías regulares y regularización, alternativas a la detención, "
        "evaluación y derivación, y búsqueda de migrantes desaparecidos.",
        "fr": "Traiter la migration irrégulière par des voies régulières et la régularisation, des alternatives à la "
        "rétention, le filtrage et l'orientation, et la recherche des migrants disparus.",
    },
}


def gap_advice(theme: str, english: str | None, lang: str = "en") -> str | None:
    """The entry point for `theme` in `lang`, else the taxonomy's English text: a ruleset
    with entry points of its own (not starting as ours) keeps them."""
    entry = GAP_ADVICE.get(theme, {})
    if not english or lang == "en" or not english.startswith(entry.get("en", "\0")):
        return english
    return entry.get(lang) or english
