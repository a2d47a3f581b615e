"""Geography helpers: coordinates <-> unit-sphere vectors, chord <-> great-circle distance, validation."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from retrieval.errors import InvalidQueryError

EARTH_RADIUS_KM = 6371.0088


def unit_vectors(lat: NDArray[np.float64], lon: NDArray[np.float64]) -> NDArray[np.float32]:
    """(n, 3) points on the unit sphere; L2 order on them is great-circle order (exact, no projection)."""
    phi, lam = np.radians(lat), np.radians(lon)
    xyz = np.stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)], axis=1)
    return np.ascontiguousarray(xyz, dtype=np.float32)


def chord_sq_to_km(chord_sq: NDArray[np.float32]) -> NDArray[np.float64]:
    """Squared chord length on the unit sphere -> great-circle distance in km."""
    half = np.sqrt(np.maximum(chord_sq.astype(np.float64), 0.0)) / 2.0
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.minimum(half, 1.0))


def haversine_km(
    lat: float, lon: float, lats: NDArray[np.float64], lons: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Great-circle distance in km from one point to many."""
    p1, p2 = np.radians(lat), np.radians(lats)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lons - lon) / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0))), dtype=np.float64)


def check_point(lat: float, lon: float) -> None:
    """Reject impossible coordinates with a message a client can act on."""
    if not (np.isfinite(lat) and np.isfinite(lon)):
        raise InvalidQueryError(f"Coordinates must be finite numbers; got lat={lat}, lon={lon}.")
    if not -90.0 <= lat <= 90.0:
        raise InvalidQueryError(f"Latitude must be within [-90, 90]; got {lat}.")
    if not -180.0 <= lon <= 180.0:
        raise InvalidQueryError(f"Longitude must be within [-180, 180]; got {lon}.")
