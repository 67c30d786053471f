"""Garmin Connect's activity-list CSV in the languages it shipped, as data.

Garmin Connect exports ``Activities.csv`` with the headers and activity types translated
into the account's language. These tables give, per language, the header words of the
columns loadwatch reads, the activity-type words, and the month and weekday names used in
dates like "Fr, 25 Mai 2012 20:31" (parsed with these tables, never with locale settings).
:mod:`loadwatch.importers.csv` builds the Garmin dialect's column map from them.

Sources. English is the real export under ``../shared/realdata`` (``grunt__Activities.csv``).
German, French, Spanish, Italian and Dutch header words are those of real exports quoted
in public projects that read them: German "Aktivitätstyp, Datum, Favorit, Titel, Distanz,
Kalorien, Zeit, Ø HF, Max. HF, ..., Positiver/Negativer Höhenunterschied" and the newer
"Ø Herzfrequenz, Maximale Herzfrequenz, Anstieg gesamt, Abstieg gesamt, Zeit in Bewegung,
Verstrichene Zeit" (with "Radfahren", "Laufband" rows); French "Type d'activité, Date,
Titre, Distance, Durée, Fréquence cardiaque moyenne/maximale, Ascension totale, Descente
totale, Temps de déplacement" ("Course à pied", "Randonnée" rows); Spanish "Tipo de
actividad, Fecha, Título, Distancia, Tiempo, Frecuencia cardiaca media, FC media, FC
máxima, Ascenso total" ("Carrera", "Ciclismo" rows); Italian "Tipo di attività, Data,
Titolo, Distanza, Tempo, FC Media, FC max, Ascesa totale, Discesa totale, Tempo in
movimento, Tempo trascorso"; Dutch "Activiteittype, Datum, Titel, Afstand, Tijd, Gem. HS,
Max. HS, Totale stijging, Totale daling, Tijd bewogen, Verstreken tijd". Words marked
``# std`` are the standard Garmin Connect translation, not seen in a real file here.
Month and weekday abbreviations are the usual ones of each language (with and without
the trailing dot, as French and Spanish write them).
"""

from __future__ import annotations

from collections.abc import Mapping

#: Languages, in the order tried.
LANGUAGES = ("en", "de", "fr", "es", "it", "nl")

#: canonical column -> language -> header words (any one present names the column).
HEADERS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "sport": {
        "en": ("Activity Type",),
        "de": ("Aktivitätstyp",),
        "fr": ("Type d'activité",),
        "es": ("Tipo de actividad",),
        "it": ("Tipo di attività",),
        "nl": ("Activiteittype",),
    },
    "start_time": {
        "en": ("Date", "Start Time"),
        "de": ("Datum",),
        "fr": ("Date",),
        "es": ("Fecha",),
        "it": ("Data",),
        "nl": ("Datum",),
    },
    "title": {
        "en": ("Title",),
        "de": ("Titel",),
        "fr": ("Titre",),
        "es": ("Título",),
        "it": ("Titolo",),
        "nl": ("Titel",),
    },
    "distance": {
        "en": ("Distance",),
        "de": ("Distanz",),
        "fr": ("Distance",),
        "es": ("Distancia",),
        "it": ("Distanza",),
        "nl": ("Afstand",),
    },
    "time": {
        "en": ("Time",),
        "de": ("Zeit",),
        "fr": ("Durée",),
        "es": ("Tiempo",),
        "it": ("Tempo",),
        "nl": ("Tijd",),
    },
    "moving_s": {
        "en": ("Moving Time",),
        "de": ("Zeit in Bewegung",),
        "fr": ("Temps de déplacement",),
        "es": ("Tiempo en movimiento",),  # std
        "it": ("Tempo in movimento",),
        "nl": ("Tijd bewogen",),
    },
    "elapsed_s": {
        "en": ("Elapsed Time",),
        "de": ("Verstrichene Zeit",),
        "fr": ("Temps écoulé",),  # std
        "es": ("Tiempo transcurrido",),  # std
        "it": ("Tempo trascorso",),
        "nl": ("Verstreken tijd",),
    },
    "avg_hr": {
        "en": ("Avg HR",),
        "de": ("Ø HF", "Ø Herzfrequenz"),
        "fr": ("Fréquence cardiaque moyenne",),
        "es": ("Frecuencia cardiaca media", "FC media"),
        "it": ("FC Media",),
        "nl": ("Gem. HS",),
    },
    "max_hr": {
        "en": ("Max HR",),
        "de": ("Max. HF", "Maximale Herzfrequenz"),
        "fr": ("Fréquence cardiaque maximale",),
        "es": ("Frecuencia cardiaca máxima", "FC máxima"),
        "it": ("FC max",),
        "nl": ("Max. HS",),
    },
    "ascent_m": {
        "en": ("Total Ascent", "Elevation Gain"),
        "de": ("Positiver Höhenunterschied", "Anstieg gesamt"),
        "fr": ("Ascension totale",),
        "es": ("Ascenso total",),
        "it": ("Ascesa totale",),
        "nl": ("Totale stijging",),
    },
    "descent_m": {
        "en": ("Total Descent", "Elevation Loss"),
        "de": ("Negativer Höhenunterschied", "Abstieg gesamt"),
        "fr": ("Descente totale",),
        "es": ("Descenso total",),  # std
        "it": ("Discesa totale",),
        "nl": ("Totale daling",),
    },
}

#: Lower-case activity-type words -> loadwatch sport family, every language together
#: (the words do not collide across languages).
SPORTS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "running": "running",
        "street running": "running",
        "track running": "running",
        "ultra running": "running",
        "virtual running": "treadmill_running",
        "trail running": "trail_running",
        "treadmill running": "treadmill_running",
        "indoor running": "treadmill_running",
        "cycling": "cycling",
        "road cycling": "cycling",
        "mountain biking": "cycling",
        "gravel cycling": "cycling",
        "indoor cycling": "cycling",
        "virtual cycling": "cycling",
        "walking": "walking",
        "hiking": "hiking",
        "pool swim": "swimming",
        "pool swimming": "swimming",
        "open water swim": "swimming",
        "open water swimming": "swimming",
        "swimming": "swimming",
    },
    "de": {
        "laufen": "running",
        "straßenlauf": "running",  # std
        "bahnlauf": "running",  # std
        "trailrunning": "trail_running",  # std
        "laufband": "treadmill_running",
        "laufbandlaufen": "treadmill_running",  # std
        "radfahren": "cycling",
        "rennradfahren": "cycling",  # std
        "mountainbiken": "cycling",  # std
        "indoor-radfahren": "cycling",  # std
        "gehen": "walking",  # std
        "wandern": "hiking",  # std
        "schwimmen": "swimming",  # std
        "schwimmbadschwimmen": "swimming",  # std
        "freiwasserschwimmen": "swimming",  # std
    },
    "fr": {
        "course à pied": "running",
        "course sur route": "running",  # std
        "course sur piste": "running",  # std
        "trail": "trail_running",  # std
        "course sur tapis roulant": "treadmill_running",  # std
        "tapis de course": "treadmill_running",  # std
        "cyclisme": "cycling",  # std
        "vélo": "cycling",  # std
        "vtt": "cycling",  # std
        "cyclisme en salle": "cycling",  # std
        "marche": "walking",  # std
        "randonnée": "hiking",
        "natation": "swimming",  # std
        "natation en piscine": "swimming",  # std
        "natation en eau libre": "swimming",  # std
    },
    "es": {
        "carrera": "running",
        "correr": "running",  # std
        "carrera por montaña": "trail_running",  # std
        "trail running": "trail_running",
        "carrera en cinta": "treadmill_running",  # std
        "cinta": "treadmill_running",  # std
        "ciclismo": "cycling",
        "ciclismo de montaña": "cycling",  # std
        "ciclismo en sala": "cycling",  # std
        "caminar": "walking",  # std
        "senderismo": "hiking",  # std
        "natación": "swimming",  # std
        "natación en piscina": "swimming",  # std
        "natación en aguas abiertas": "swimming",  # std
    },
    "it": {
        "corsa": "running",
        "corsa su strada": "running",  # std
        "trail running": "trail_running",
        "corsa su tapis roulant": "treadmill_running",  # std
        "tapis roulant": "treadmill_running",  # std
        "ciclismo": "cycling",
        "mountain bike": "cycling",  # std
        "camminata": "walking",  # std
        "escursionismo": "hiking",  # std
        "nuoto": "swimming",  # std
        "nuoto in piscina": "swimming",  # std
        "nuoto in acque libere": "swimming",  # std
    },
    "nl": {
        "hardlopen": "running",
        "trailrunning": "trail_running",  # std
        "hardlopen op loopband": "treadmill_running",  # std
        "loopband": "treadmill_running",  # std
        "fietsen": "cycling",
        "wielrennen": "cycling",  # std
        "mountainbiken": "cycling",  # std
        "wandelen": "walking",  # std
        "hiken": "hiking",  # std
        "zwemmen": "swimming",  # std
        "zwembadzwemmen": "swimming",  # std
        "openwaterzwemmen": "swimming",  # std
    },
}

#: language -> month number (1-12) -> lower-case names (full and abbreviated).
MONTHS: Mapping[str, Mapping[int, tuple[str, ...]]] = {
    "en": {1: ("january", "jan"), 2: ("february", "feb"), 3: ("march", "mar"),
           4: ("april", "apr"), 5: ("may",), 6: ("june", "jun"), 7: ("july", "jul"),
           8: ("august", "aug"), 9: ("september", "sep", "sept"), 10: ("october", "oct"),
           11: ("november", "nov"), 12: ("december", "dec")},
    "de": {1: ("januar", "jan"), 2: ("februar", "feb"), 3: ("märz", "mär", "mrz"),
           4: ("april", "apr"), 5: ("mai",), 6: ("juni", "jun"), 7: ("juli", "jul"),
           8: ("august", "aug"), 9: ("september", "sep", "sept"), 10: ("oktober", "okt"),
           11: ("november", "nov"), 12: ("dezember", "dez")},
    "fr": {1: ("janvier", "janv"), 2: ("février", "févr", "fév"), 3: ("mars",),
           4: ("avril", "avr"), 5: ("mai",), 6: ("juin",), 7: ("juillet", "juil"),
           8: ("août",), 9: ("septembre", "sept"), 10: ("octobre", "oct"),
           11: ("novembre", "nov"), 12: ("décembre", "déc")},
    "es": {1: ("enero", "ene"), 2: ("febrero", "feb"), 3: ("marzo", "mar"),
           4: ("abril", "abr"), 5: ("mayo", "may"), 6: ("junio", "jun"),
           7: ("julio", "jul"), 8: ("agosto", "ago"), 9: ("septiembre", "sep", "sept"),
           10: ("octubre", "oct"), 11: ("noviembre", "nov"), 12: ("diciembre", "dic")},
    "it": {1: ("gennaio", "gen"), 2: ("febbraio", "feb"), 3: ("marzo", "mar"),
           4: ("aprile", "apr"), 5: ("maggio", "mag"), 6: ("giugno", "giu"),
           7: ("luglio", "lug"), 8: ("agosto", "ago"), 9: ("settembre", "set"),
           10: ("ottobre", "ott"), 11: ("novembre", "nov"), 12: ("dicembre", "dic")},
    "nl": {1: ("januari", "jan"), 2: ("februari", "feb"), 3: ("maart", "mrt"),
           4: ("april", "apr"), 5: ("mei",), 6: ("juni", "jun"), 7: ("juli", "jul"),
           8: ("augustus", "aug"), 9: ("september", "sep", "sept"), 10: ("oktober", "okt"),
           11: ("november", "nov"), 12: ("december", "dec")},
}

#: language -> lower-case weekday names (Monday first; full and abbreviated). A date's
#: weekday is checked to be a weekday word, then dropped: the date itself decides.
WEEKDAYS: Mapping[str, tuple[tuple[str, ...], ...]] = {
    "en": (("monday", "mon"), ("tuesday", "tue", "tues"), ("wednesday", "wed"),
           ("thursday", "thu", "thur", "thurs"), ("friday", "fri"), ("saturday", "sat"),
           ("sunday", "sun")),
    "de": (("montag", "mo"), ("dienstag", "di"), ("mittwoch", "mi"), ("donnerstag", "do"),
           ("freitag", "fr"), ("samstag", "sa"), ("sonntag", "so")),
    "fr": (("lundi", "lun"), ("mardi", "mar"), ("mercredi", "mer"), ("jeudi", "jeu"),
           ("vendredi", "ven"), ("samedi", "sam"), ("dimanche", "dim")),
    "es": (("lunes", "lun"), ("martes", "mar"), ("miércoles", "mié", "mie"),
           ("jueves", "jue"), ("viernes", "vie"), ("sábado", "sáb", "sab"),
           ("domingo", "dom")),
    "it": (("lunedì", "lun"), ("martedì", "mar"), ("mercoledì", "mer"), ("giovedì", "gio"),
           ("venerdì", "ven"), ("sabato", "sab"), ("domenica", "dom")),
    "nl": (("maandag", "ma"), ("dinsdag", "di"), ("woensdag", "wo"), ("donderdag", "do"),
           ("vrijdag", "vr"), ("zaterdag", "za"), ("zondag", "zo")),
}

#: Title lines that old exports put above the header ("Activities" alone on line 1).
TITLE_LINES = ("activities", "aktivitäten", "activités", "actividades", "attività",
               "activiteiten")


def month_numbers() -> dict[str, int]:
    """Every language's month names -> month number (a name means one month everywhere)."""
    out: dict[str, int] = {}
    for names in MONTHS.values():
        for number, words in names.items():
            for word in words:
                if out.setdefault(word, number) != number:
                    raise ValueError(f"month name {word!r} names two months")
    return out


def weekday_names() -> frozenset[str]:
    """Every language's weekday names."""
    return frozenset(w for days in WEEKDAYS.values() for day in days for w in day)


def sport_words() -> dict[str, str]:
    """Every language's activity-type words -> sport family."""
    out: dict[str, str] = {}
    for words in SPORTS.values():
        for word, sport in words.items():
            if out.setdefault(word, sport) != sport:
                raise ValueError(f"activity type {word!r} means two sports")
    return out


def headers(column: str) -> tuple[str, ...]:
    """Every language's header words for one canonical column, English first, no repeats."""
    seen: dict[str, None] = {}
    for lang in LANGUAGES:
        for word in HEADERS[column].get(lang, ()):
            seen.setdefault(word, None)
    return tuple(seen)
