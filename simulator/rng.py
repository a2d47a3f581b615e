"""Named random streams: one seed, and a stream per purpose, so every policy sees the same draws.

`stream(seed, "customers", step)` is the same Generator whichever policy asks for it; that is what makes
the comparison use common random numbers (the same claims, the same customers, the same shop days).
"""

from __future__ import annotations

import zlib

import numpy as np


def stream(seed: int, name: str, *index: int) -> np.random.Generator:
    """A Generator fixed by (seed, name, index...); distinct names give independent streams."""
    return np.random.default_rng([seed, zlib.crc32(name.encode("utf-8")), *index])
