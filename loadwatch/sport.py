"""Is it really a run? A plausibility check on the sport of activities read.

GPX and TCX files without an activity type, and training-log rows without a sport, are
read as running (:mod:`loadwatch.importers`). Often they are not: a file named "Cycling
..." that moved at 24 km/h for 22 km is a ride. :func:`check_sports` runs once on the
activity table (:func:`loadwatch.read.read_activities`, after copies are merged) and
decides the sport of such *assumed* runs from

1. a word of the title that names another sport, in the languages of the big exporters
   (Garmin Connect's and Strava's default titles: "Morning Ride", "Radfahren", "Vélo",
   "Fietsen", "Ciclismo", ...), matched as whole words, case- and accent-insensitive;
   a title that also names running ("Run to the bike shop") is not decisive; and
2. a speed no runner holds: a moving pace faster than the men's world-record pace for the
   activity's distance (:data:`WORLD_RECORDS`).

The activity's ``quality`` note says why. An activity whose file *declares* running, or
whose title names running ("Corrida Matutina"), is never relabelled; when it breaks the
speed bound it gets a note instead, so a watch left in run mode on a bike is visible in
the run list. The speed histogram's top bin is not used: one GPS glitch fills it (a real
Nike Run Club run logs three minutes above 35 km/h).

References
----------
World Athletics, men's world records (outdoor and road), as of 2025: 400 m 43.03 (van
Niekerk 2016), 1000 m 2:11.96 (Ngeny 1999), 1500 m 3:26.00 (El Guerrouj 1998), 3000 m
7:17.55 (Ingebrigtsen 2024), 5000 m 12:35.36 and 10,000 m 26:11.00 (Cheptegei 2020),
half marathon 56:42 (Kiplimo 2025), marathon 2:00:35 (Kiptum 2023), 50 km 2:40:13
(Mokoka 2022), 100 km 6:05:35 and 24 h 319.6 km (Sorokin 2022).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping

import numpy as np
import pandas as pd

from loadwatch import schema

#: The note the GPX and TCX importers write when a file names no activity type.
ASSUMED_NOTE = "no activity type in file; assumed running"
#: Part of the note :func:`loadwatch.read.read_activities` writes when a Strava
#: activities.csv row gave a file its type: then the type is the athlete's own.
STRAVA_TYPE_NOTE = "gear and type from"

#: Men's world records as (distance [km], time [s]), see the References. Between two
#: records the bound is interpolated in log-log space (pace falls off as a power of
#: distance, Riegel 1981); beyond 24 h the 24 h pace is used. Every recreational runner is
#: 40 % or more slower than this curve, so GPS distance errors of a few percent cannot push
#: a run across it, and no margin is added.
WORLD_RECORDS: tuple[tuple[float, float], ...] = (
    (0.4, 43.03),
    (1.0, 131.96),
    (1.5, 206.00),
    (3.0, 437.55),
    (5.0, 755.36),
    (10.0, 1571.00),
    (21.0975, 3402.0),
    (42.195, 7235.0),
    (50.0, 9613.0),
    (100.0, 21935.0),
    (319.614, 86400.0),
)
#: Shorter activities [km] are not judged by pace (GPS noise dominates, and the 400 m
#: record is the shortest on the curve).
MIN_JUDGED_KM = WORLD_RECORDS[0][0]
#: Title words naming a sport other than running -> canonical sport (schema.SPORTS).
#: Lower case, accents removed. English, German, French, Dutch, Spanish, Italian,
#: Portuguese, plus Garmin Connect's and Strava's default titles in those languages.
OTHER_SPORT_WORDS: Mapping[str, str] = {
    **dict.fromkeys((
        "ride", "rides", "riding", "cycling", "cycle", "bike", "biking", "bicycle", "ebike",
        "mtb", "velo", "cyclisme", "rad", "radfahren", "radfahrt", "radtour", "rennrad",
        "fahrrad", "mountainbike", "fiets", "fietsen", "fietstocht", "wielrennen", "rit",
        "ochtendrit", "middagrit", "avondrit", "nachtrit", "ciclismo", "bici", "bicicleta",
        "pedalada", "biciclette", "bicicletta",
    ), "cycling"),
    **dict.fromkeys((
        "walk", "walks", "walking", "gehen", "spaziergang", "spazieren", "marche",
        "wandeling", "wandelen", "ochtendwandeling", "middagwandeling", "avondwandeling",
        "caminata", "caminar", "camminata", "passeggiata", "caminhada",
    ), "walking"),
    **dict.fromkeys((
        "hike", "hikes", "hiking", "wandern", "wanderung", "bergwandern", "randonnee",
        "rando", "trek", "trekking", "hiken", "bergtocht", "senderismo", "escursionismo",
        "escursione",
    ), "hiking"),
    **dict.fromkeys((
        "swim", "swims", "swimming", "schwimmen", "natation", "nage", "zwemmen", "natacion",
        "nuoto", "natacao",
    ), "swimming"),
    **dict.fromkeys((
        "ski", "skiing", "langlauf", "skilanglauf", "skitour", "schaatsen", "skate",
        "skating", "inline", "rowing", "rudern", "kayak", "paddle", "sci", "esqui",
    ), "other"),
}
#: Title words naming running: a title with one of these is not decisive on its own.
RUNNING_WORDS = frozenset((
    "run", "runs", "running", "jog", "jogging", "parkrun", "trail", "marathon", "lauf",
    "laufen", "dauerlauf", "halbmarathon", "course", "footing", "hardlopen", "duurloop",
    "carrera", "correr", "corsa", "corrida", "maraton", "maratona",
))

_WORD = re.compile(r"[a-z]+")


def _words(title: str) -> list[str]:
    """Lower-case words of ``title`` with accents removed ("Vélo" -> "velo")."""
    plain = unicodedata.normalize("NFKD", title.casefold())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return _WORD.findall(plain)


def sport_from_title(title: str | None) -> tuple[str, str] | None:
    """(sport, word) when ``title`` names exactly one sport other than running, else None."""
    if not isinstance(title, str):
        return None
    words = _words(title)
    if any(w in RUNNING_WORDS for w in words):
        return None
    found = {OTHER_SPORT_WORDS[w]: w for w in reversed(words) if w in OTHER_SPORT_WORDS}
    if len(found) != 1:
        return None
    return next(iter(found.items()))


#: log distance and log time of WORLD_RECORDS, for interpolation (computed once)
_LOG_RECORDS = (np.log([r[0] for r in WORLD_RECORDS]), np.log([r[1] for r in WORLD_RECORDS]))


def record_speed_kmh(distance_km: float) -> float:
    """The men's world-record average speed [km/h] for ``distance_km`` (interpolated)."""
    d, t = _LOG_RECORDS
    x = math.log(max(distance_km, MIN_JUDGED_KM))
    if x >= d[-1]:
        return WORLD_RECORDS[-1][0] / WORLD_RECORDS[-1][1] * 3600.0
    seconds = math.exp(float(np.interp(x, d, t)))
    return distance_km / seconds * 3600.0 if distance_km >= MIN_JUDGED_KM else math.inf


def too_fast_reason(distance_km: float, moving_s: float) -> str | None:
    """Why no runner covers ``distance_km`` in ``moving_s``, or None when one could."""
    judged = np.isfinite(distance_km) and distance_km >= MIN_JUDGED_KM
    if judged and np.isfinite(moving_s) and moving_s > 0:
        speed = distance_km / moving_s * 3600.0
        bound = record_speed_kmh(distance_km)
        if speed > bound:
            return (f"{speed:.1f} km/h over {distance_km:.1f} km is faster than the "
                    f"men's world-record pace for that distance ({bound:.1f} km/h)")
    return None


def names_running(title: str | None) -> bool:
    """Whether ``title`` has a word for running ("Corrida Matutina", "Run to the shop")."""
    return isinstance(title, str) and any(w in RUNNING_WORDS for w in _words(title))


def _assumed(activities: pd.DataFrame) -> np.ndarray:
    """Runs whose sport is a default: no type in the file, or no sport in the log row."""
    run = activities["sport"].isin(schema.RUNNING_SPORTS).fillna(False).to_numpy(bool)
    quality = activities["quality"].fillna("")
    noted = quality.str.contains(ASSUMED_NOTE, regex=False).to_numpy(bool)
    # a Strava activities.csv row gave the file its type (see read._apply_strava)
    noted &= ~quality.str.contains(STRAVA_TYPE_NOTE, regex=False).to_numpy(bool)
    log = ((activities["format"] == "log_csv") & activities["sub_sport"].isna()).fillna(False)
    return run & (noted | log.to_numpy(bool))


def _with_note(quality: object, note: str, *, relabelled: bool) -> str:
    """``quality`` with ``note``: in place of the "assumed running" note when relabelled."""
    old = quality if isinstance(quality, str) else ""
    if relabelled and ASSUMED_NOTE in old:
        return old.replace(ASSUMED_NOTE, note)
    return f"{old}; {note}" if old else note


def check_sports(activities: pd.DataFrame) -> pd.DataFrame:
    """``activities`` (schema.ACTIVITY) with the sport of implausible assumed runs decided.

    A title word for another sport decides first; then a speed no runner holds makes the
    activity ``other``. Declared runs, and runs whose title names running, keep their
    sport and get a note when too fast.
    """
    if activities.empty:
        return activities
    out = activities.copy()
    assumed = _assumed(out)
    run = out["sport"].isin(schema.RUNNING_SPORTS).fillna(False).to_numpy(bool)
    distance = out["distance_km"].to_numpy(float)
    moving = out["moving_s"].fillna(out["elapsed_s"]).to_numpy(float)
    titles = out["title"].to_numpy(object)
    sports = out["sport"].to_numpy(object).copy()
    qualities = out["quality"].to_numpy(object).copy()
    changed = False
    for i in np.flatnonzero(run):  # per row, but changes are written back once, in bulk
        title = titles[i]
        by_title = sport_from_title(title) if assumed[i] else None
        fast = too_fast_reason(distance[i], moving[i])
        if by_title is not None:
            sport, word = by_title
            note = f"no activity type in file; {sport} by its title ({word!r})"
        elif fast is not None and assumed[i] and not names_running(title):
            sport, note = "other", f"no activity type in file; not a run: {fast}"
        elif fast is not None:
            sport, note = str(sports[i]), f"check the sport: {fast}"
        else:
            continue
        relabelled = sport != sports[i]
        sports[i] = sport
        qualities[i] = _with_note(qualities[i], note, relabelled=relabelled)
        changed = True
    if changed:
        out["sport"] = pd.Series(sports, index=out.index).astype(out["sport"].dtype)
        out["quality"] = pd.Series(qualities, index=out.index).astype(out["quality"].dtype)
    return out
