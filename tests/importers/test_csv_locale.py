"""Garmin Connect activity lists exported in other languages (issue 12, class 9).

Each file is generated the way old Garmin Connect exports look: a title line above the
header, translated headers and activity types, decimal commas, dates with weekday and
month names, a trailing comma on every row.
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from loadwatch.importers import csv as csvimp
from loadwatch.importers import garmin_locale
from loadwatch.problems import InputError, InputWarning

#: language -> (title line, header words: type, date, title, distance, time, avg HR,
#: ascent; a run's type word, a ride's type word, the run's date text, the ride's)
LOCALES = {
    "de": ("Aktivitäten", "Aktivitätstyp,Datum,Titel,Distanz,Zeit,Ø HF,Positiver Höhenunterschied",
           "Laufen", "Radfahren", "Fr, 25 Mai 2012 20:31", "So, 27 Mai 2012 09:05"),
    "fr": ("Activités", "Type d'activité,Date,Titre,Distance,Durée,"
           "Fréquence cardiaque moyenne,Ascension totale",
           "Course à pied", "Cyclisme", "ven., 25 mai 2012 20:31", "dim., 27 mai 2012 09:05"),
    "es": ("Actividades", "Tipo de actividad,Fecha,Título,Distancia,Tiempo,"
           "Frecuencia cardiaca media,Ascenso total",
           "Carrera", "Ciclismo", "vie, 25 may 2012 20:31", "dom, 27 may 2012 09:05"),
    "it": ("Attività", "Tipo di attività,Data,Titolo,Distanza,Tempo,FC Media,Ascesa totale",
           "Corsa", "Ciclismo", "ven, 25 mag 2012 20:31", "dom, 27 mag 2012 09:05"),
    "nl": ("Activiteiten", "Activiteittype,Datum,Titel,Afstand,Tijd,Gem. HS,Totale stijging",
           "Hardlopen", "Fietsen", "vr, 25 mei 2012 20:31", "zo, 27 mei 2012 09:05"),
    "en": ("Activities", "Activity Type,Date,Title,Distance,Time,Avg HR,Total Ascent",
           "Running", "Cycling", "Fri, May 25, 2012 8:31 PM", "Sun, May 27, 2012 9:05 AM"),
}


def _read(data: bytes) -> tuple[list, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        acts = csvimp.read(data, "Activities.csv")
    return acts, [str(w.message) for w in caught if issubclass(w.category, InputWarning)]


def export(lang: str, delimiter: str = ",") -> bytes:
    title, header, run, ride, run_date, ride_date = LOCALES[lang]
    d = delimiter
    rows = [
        title,
        header.replace(",", d),
        d.join([run, f'"{run_date}"', '"Abend"', '"10,5"', '"1:02:03"', '"151"', '"1.204"'])
        + d,
        d.join([ride, f'"{ride_date}"', '"Tour"', '"42,25"', '"01:30:00"', '"--"', '"350"'])
        + d,
    ]
    return ("\n".join(rows) + "\n").encode()


@pytest.mark.parametrize("lang", list(LOCALES))
def test_locale_export(lang: str) -> None:
    acts, notes = _read(export(lang))
    assert notes == []
    run, ride = (a.summary for a in acts)
    assert run["format"] == "garmin_csv"
    assert run["sport"] == "running" and ride["sport"] == "cycling"
    assert run["distance_km"] == pytest.approx(10.5)
    assert ride["distance_km"] == pytest.approx(42.25)
    assert run["elapsed_s"] == 3723 and run["moving_s"] == 3723
    assert ride["elapsed_s"] == 5400
    # local wall time without a zone, as for today's Garmin exports
    assert run["start_time"] == pd.Timestamp("2012-05-25 20:31")
    assert ride["start_time"] == pd.Timestamp("2012-05-27 09:05")
    assert acts[0].local_time is True
    assert run["avg_hr"] == 151 and "avg_hr" not in ride
    assert run["ascent_m"] == 1204  # the dot groups thousands when the comma is decimal
    assert run["title"] == "Abend"


def test_semicolons_and_unquoted_decimal_commas() -> None:
    data = (
        "Aktivitäten\n"
        "Aktivitätstyp;Datum;Titel;Distanz;Zeit;Ø HF;Positiver Höhenunterschied;\n"
        "Laufen;Fr, 25 Mai 2012 20:31;Abend;10,5;1:02:03;151;120;\n"
        "Laufband;Sa, 26. Mai 2012;Band;5,25;0:30:00;--;--;\n"
    ).encode()
    acts, notes = _read(data)
    assert notes == []
    run, band = (a.summary for a in acts)
    assert run["distance_km"] == pytest.approx(10.5) and band["distance_km"] == pytest.approx(5.25)
    assert band["sport"] == "treadmill_running"
    assert band["start_time"] == pd.Timestamp("2012-05-26 00:00")  # a date without a time


def test_distance_in_miles_when_the_header_says_so() -> None:
    data = (
        b"Activity Type,Date,Title,Distance (mi),Time\n"
        b'Running,2012-05-25 20:31:00,"Run","6.2","00:50:00",\n'
    )
    (act,), _ = _read(data)
    assert act.summary["distance_km"] == pytest.approx(6.2 * 1.609344)


def test_unknown_weekday_or_month_is_an_unreadable_date() -> None:
    data = export("de").replace(b"Fr, 25 Mai", b"Xy, 25 Mai").replace(b"27 Mai", b"27 Moo")
    with pytest.raises(InputError, match="no readable date"):
        _read(data)


def test_tables_are_consistent() -> None:
    # a month or activity word means the same in every language that uses it
    months = garmin_locale.month_numbers()
    assert months["mai"] == months["may"] == months["mag"] == months["mei"] == 5
    assert months["märz"] == months["mrt"] == 3
    assert garmin_locale.sport_words()["hardlopen"] == "running"
    for column, by_lang in garmin_locale.HEADERS.items():
        assert set(by_lang) == set(garmin_locale.LANGUAGES), column
