"""Strava's numeric GPX ``<type>`` codes, as data.

Strava's GPX export writes the activity type as a number (``<type>9</type>`` for a run),
not as a word. Strava does not document these numbers. The table below is the one that
sports-lib (sports-alliance/sports-lib, ``src/activities/activity.types.ts``,
``StravaGPXTypeMapping``), a TypeScript activity reader tested on exports from real
devices, uses; code 9 is confirmed by the Strava export under ``../shared/realdata``
(``runpandas__strava_export.gpx``). Codes that source does not list (20, 32-50) are
left out rather than guessed: such a file gets sport "other" from
:func:`loadwatch.importers.gpx.sport_from_type`'s word rules, like any unknown type.
"""

from __future__ import annotations

from collections.abc import Mapping

#: Strava GPX ``<type>`` code -> Strava activity type name.
STRAVA_TYPE_NAMES: Mapping[int, str] = {
    1: "Ride",
    2: "AlpineSki",
    3: "BackcountrySki",
    4: "Hike",
    5: "IceSkate",
    6: "InlineSkate",
    7: "NordicSki",
    8: "RollerSki",
    9: "Run",
    10: "Walk",
    11: "Workout",
    12: "Snowboard",
    13: "Snowshoe",
    14: "Kitesurf",
    15: "Windsurf",
    16: "Swim",
    17: "VirtualRide",
    18: "EBikeRide",
    19: "Velomobile",
    21: "Canoeing",
    22: "Kayaking",
    23: "Rowing",
    24: "StandUpPaddling",
    25: "Surfing",
    26: "Crossfit",
    27: "Elliptical",
    28: "RockClimbing",
    29: "StairStepper",
    30: "WeightTraining",
    31: "Yoga",
    51: "Handcycle",
    52: "Wheelchair",
    53: "VirtualRun",
}

#: Strava activity type name -> loadwatch sport family (schema.SPORTS); the rest "other".
#: VirtualRun is a run on a treadmill (as the Strava CSV dialect reads it).
STRAVA_TYPE_SPORTS: Mapping[str, str] = {
    "Run": "running",
    "VirtualRun": "treadmill_running",
    "Ride": "cycling",
    "VirtualRide": "cycling",
    "EBikeRide": "cycling",
    "Velomobile": "cycling",
    "Walk": "walking",
    "Hike": "hiking",
    "Swim": "swimming",
}

#: The GPX ``<type>`` text ("17") -> loadwatch sport family.
STRAVA_TYPES: Mapping[str, str] = {
    str(code): STRAVA_TYPE_SPORTS.get(name, "other") for code, name in STRAVA_TYPE_NAMES.items()
}
