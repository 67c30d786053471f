"""Distances on the Earth between successive track points."""

from __future__ import annotations

import numpy as np

#: Mean radius of the WGS84 ellipsoid, (2a + b) / 3 [m]. The spherical (haversine) distance
#: differs from the ellipsoidal one by at most ~0.5 %, well below GPS track noise.
EARTH_RADIUS_M = 6_371_008.8


def haversine_m(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    """Great-circle distance [m] between points given in degrees (element-wise)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def step_distances_m(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Distance [m] from each point to the next (length n - 1)."""
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    return haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
