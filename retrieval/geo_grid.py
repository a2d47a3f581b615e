"""A lat/lon bucket grid that answers most nearest-shop queries exactly without reading the whole catalog.

Why: the flat FAISS search reads every shop on every call, yet the k nearest shops to a claim almost always
lie in a few grid cells around it. The grid reads only the allowed shops of a block of cells around the
query and *certifies* its answer: it is returned only when no shop outside the block can be closer than the
k-th one found. When the mask is sparse (k nearest spread over half the country) it measures just the
allowed shops instead, exact by construction. Otherwise, and in the rare awkward places (antimeridian,
poles), `nearest` returns None and the caller runs the full search.

Distances come from FAISS's own L2 kernel (`fvec_L2sqr_by_idx`), not numpy: FAISS fuses multiply-adds, so a
numpy float32 sum differs from its distances by one ulp about one time in five, enough to swap near-ties.
"""

from __future__ import annotations

import bisect
import math

import faiss
import numpy as np
from numpy.typing import NDArray

_ROUNDING_SLACK = 1e-6  # relative error bound of a float32 squared distance (true bound ~2.4e-7)
_ANGLE_SLACK = 1e-9  # radians: float64 trigonometry on the block edges and on the cell of each shop
# A block is sized to hold this many times k allowed shops (estimated): the k nearest must also fall in the
# circle the block certifies, which is smaller than the block.
OVERSHOOT = 2.0
# Measure every allowed shop instead of a block when this many times their number is below the block's size.
SCAN_BELOW = 1.0


class GeoGrid:
    """Shops bucketed by (lat, lon) cell in CSR layout: `rows_[offsets_[c]:offsets_[c + 1]]` is cell c.

    Tables span only the cells of the catalog's bounding box (lat bins from `i0_`, lon bins from `j0_`);
    cell ids are local lat_bin * n_j + local lon_bin, so one latitude row of a block is one slice.

    Parameters
    ----------
    vectors : (n, 3) float32 unit vectors as the FAISS index holds them; lat/lon are derived from them.
    cell_deg : cell size in degrees; must divide 180.
    max_k : larger k go straight to the caller's full search.
    max_ring : the block is at most (2 * max_ring + 1) cells wide before the grid gives up.
    max_share : give up when a block holds more than this share of all shops (a full scan costs as much),
        or more than 4,096 shops if that is more.
    """

    def __init__(
        self,
        vectors: NDArray[np.float32],
        cell_deg: float = 0.25,
        max_k: int = 2_000,
        max_ring: int = 64,
        max_share: float = 0.25,
    ) -> None:
        if not (0 < cell_deg <= 10 and abs(180 / cell_deg - round(180 / cell_deg)) < 1e-9):
            raise ValueError(f"cell_deg must divide 180 and lie in (0, 10]; got {cell_deg}.")
        if not 0 < len(vectors) < 2**31:  # rows share an int64 sort key with float32 distance bits
            raise ValueError(f"A grid holds 1 to 2**31 - 1 shops; got {len(vectors)}.")
        if not 0 < (max_ring + 1) * cell_deg < 45:
            raise ValueError(
                "(max_ring + 1) * cell_deg must lie below 45 degrees: the edge bounds assume it."
            )
        self.cell_deg, self.max_k, self.max_ring = cell_deg, max_k, max_ring
        self.n_lat_, self.n_lon_ = round(180 / cell_deg), round(360 / cell_deg)
        self.vectors_ = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, 3)
        v = self.vectors_.astype(np.float64)
        # Stored vectors are off the unit sphere by float32 rounding: bound how much that can shorten a chord.
        self.norm_slack_ = float(np.abs(np.sqrt((v * v).sum(axis=1)) - 1.0).max(initial=0.0)) + 1e-12
        lat = np.degrees(np.arctan2(v[:, 2], np.hypot(v[:, 0], v[:, 1])))
        lon = np.degrees(np.arctan2(v[:, 1], v[:, 0]))
        i = np.clip(np.floor((lat + 90.0) / cell_deg), 0, self.n_lat_ - 1).astype(np.int64)
        j = np.clip(np.floor((lon + 180.0) / cell_deg), 0, self.n_lon_ - 1).astype(np.int64)
        self.i0_, self.j0_ = int(i.min()), int(j.min())
        n_i, self.n_j_ = int(i.max()) - self.i0_ + 1, int(j.max()) - self.j0_ + 1
        cells = (i - self.i0_) * self.n_j_ + (j - self.j0_)
        self.rows_ = np.argsort(cells, kind="stable").astype(np.int64)  # stable: rows ascend in a cell
        # The vectors again in cell order: a block reads them in runs, not one cache miss per shop.
        self.cell_vectors_ = np.ascontiguousarray(self.vectors_[self.rows_])
        per_cell = np.bincount(cells, minlength=n_i * self.n_j_)
        self.offsets_ = np.concatenate([[0], np.cumsum(per_cell)])
        # Summed-area table of shops per cell: any block's head count in four lookups, to size the block.
        self.counts_ = np.zeros((n_i + 1, self.n_j_ + 1), dtype=np.int64)
        self.counts_[1:, 1:] = per_cell.reshape(n_i, self.n_j_).cumsum(axis=0).cumsum(axis=1)
        self.max_rows_ = max(int(max_share * len(cells)), 4_096)  # small catalogs: any block is cheap

    def nearest(
        self, point: NDArray[np.float32], k: int, allowed: NDArray[np.bool_] | None = None
    ) -> tuple[NDArray[np.float32], NDArray[np.int64]] | None:
        """Squared chord distances and rows of the k nearest allowed shops, ordered by (distance, row).

        Exact (the float32 distances of FAISS `IndexFlatL2`; every allowed shop if fewer than k are), or
        None when the grid cannot prove it: let the caller search the whole catalog then.
        """
        q = np.ascontiguousarray(point, dtype=np.float32).reshape(3)
        x, y, z = q.tolist()
        q_slack = abs(math.sqrt(x * x + y * y + z * z) - 1.0)
        if not (1 <= k <= self.max_k and q_slack < 1e-6):
            return None
        n_allowed = len(self.rows_) if allowed is None else int(np.count_nonzero(allowed))
        # A sparse mask: reading just its shops costs less than the block that would hold k of them.
        sparse = allowed if allowed is not None and n_allowed <= self.max_rows_ else None
        if sparse is not None and (
            k >= n_allowed or n_allowed**2 * SCAN_BELOW < OVERSHOOT * k * len(self.rows_)
        ):
            return self._scan(q, k, sparse)
        best = self._blocks(q, k, allowed, n_allowed, q_slack)
        return self._scan(q, k, sparse) if best is None and sparse is not None else best

    def _blocks(
        self,
        q: NDArray[np.float32],
        k: int,
        allowed: NDArray[np.bool_] | None,
        n_allowed: int,
        q_slack: float,
    ) -> tuple[NDArray[np.float32], NDArray[np.int64]] | None:
        """Search ever larger blocks of cells around q until one certifies its k nearest (None if none)."""
        x, y, z = q.tolist()
        lat, lon = math.degrees(math.atan2(z, math.hypot(x, y))), math.degrees(math.atan2(y, x))
        i = min(max(math.floor((lat + 90.0) / self.cell_deg), 0), self.n_lat_ - 1)
        j = min(max(math.floor((lon + 180.0) / self.cell_deg), 0), self.n_lon_ - 1)
        # Blocks stay two cells off the poles (cells degenerate there) and never wrap the antimeridian.
        widest = min(self.max_ring, i - 2, self.n_lat_ - 3 - i, j, self.n_lon_ - 1 - j)
        n = len(self.rows_)
        ring = self._ring_holding(i, j, widest, min(OVERSHOOT * k * n / n_allowed, n))
        while ring <= widest and (size := self._block_size(i, j, ring)) <= self.max_rows_:
            at, rows = self._gather(i, j, ring, allowed)
            if len(rows) < k:  # fewer allowed shops here than on average: size up by the local share
                want = min(OVERSHOOT * k * size / max(len(rows), 1), n)
                ring = max(self._ring_holding(i, j, widest, want), ring + 1)
                continue
            best = _top_k(_l2sqr(q, self.cell_vectors_, at), rows, k)
            kth = float(best[0][-1])
            if size == n or kth <= self._bound(lat, lon, i, j, ring, q_slack):
                return best  # no shop outside the block is closer (or none lies outside)
            ring = max(self._ring_for(kth, lat), ring + 1)
        return None

    def _scan(
        self, q: NDArray[np.float32], k: int, allowed: NDArray[np.bool_]
    ) -> tuple[NDArray[np.float32], NDArray[np.int64]]:
        """Every allowed shop, measured: exact without any geometry."""
        rows = np.flatnonzero(allowed)
        return _top_k(_l2sqr(q, self.vectors_, rows), rows, k)

    def _local(self, i: int, j: int, ring: int) -> tuple[int, int, int, int]:
        """The block of cells i +- ring, j +- ring cut to the tables: local [lat from, to), [lon from, to)."""
        n_i, n_j = self.counts_.shape[0] - 1, self.n_j_
        lo_i, hi_i = min(max(i - ring - self.i0_, 0), n_i), min(max(i + ring + 1 - self.i0_, 0), n_i)
        lo_j, hi_j = min(max(j - ring - self.j0_, 0), n_j), min(max(j + ring + 1 - self.j0_, 0), n_j)
        return lo_i, hi_i, lo_j, hi_j

    def _block_size(self, i: int, j: int, ring: int) -> int:
        """Shops in the block of cells i +- ring, j +- ring."""
        c, (lo_i, hi_i, lo_j, hi_j) = self.counts_, self._local(i, j, ring)
        return int(c.item(hi_i, hi_j) - c.item(lo_i, hi_j) - c.item(hi_i, lo_j) + c.item(lo_i, lo_j))

    def _ring_holding(self, i: int, j: int, widest: int, want: float) -> int:
        """The smallest ring whose block holds `want` shops (widest + 1 if none does)."""
        hi = 1  # gallop first: the answer is usually a ring of one to four cells
        while hi <= widest and self._block_size(i, j, hi) < want:
            hi *= 2
        rings = range(hi // 2 + 1, min(hi, widest + 1))
        return rings.start + bisect.bisect_left(rings, want, key=lambda r: self._block_size(i, j, r))

    def _gather(
        self, i: int, j: int, ring: int, allowed: NDArray[np.bool_] | None
    ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Positions in cell order and rows of the allowed shops in the block: a slice per latitude row."""
        at = self._positions(*self._local(i, j, ring))
        rows = self.rows_[at]
        if allowed is None:
            return at, rows
        keep = allowed[rows]
        return at[keep], rows[keep]

    def _positions(self, lo_i: int, hi_i: int, lo_j: int, hi_j: int) -> NDArray[np.int64]:
        """Positions in cell order of the shops of local cells [lo_i, hi_i) x [lo_j, hi_j), run by run."""
        off, n_j = self.offsets_, self.n_j_
        if hi_i - lo_i <= 8:  # a few runs: a Python loop costs less than a dozen numpy calls
            runs = [
                np.arange(off.item(li * n_j + lo_j), off.item(li * n_j + hi_j)) for li in range(lo_i, hi_i)
            ]
            return np.concatenate(runs) if runs else self.rows_[:0]
        base = np.arange(lo_i, hi_i) * n_j
        starts, lengths = off[base + lo_j], off[base + hi_j] - off[base + lo_j]
        ends = np.cumsum(lengths)
        return np.asarray(np.arange(ends[-1]) + np.repeat(starts - (ends - lengths), lengths), dtype=np.int64)

    def chord_sq(self, point: NDArray[np.float32], rows: NDArray[np.int64]) -> NDArray[np.float32]:
        """Squared chords from `point` to shops `rows`, by the very kernel FAISS's flat L2 search uses."""
        rows = np.ascontiguousarray(rows, dtype=np.int64)
        if len(rows) and not 0 <= rows.min() <= rows.max() < len(self.rows_):
            raise IndexError(f"rows must lie in [0, {len(self.rows_)}).")
        return _l2sqr(np.ascontiguousarray(point, dtype=np.float32).reshape(3), self.vectors_, rows)

    def _bound(self, lat: float, lon: float, i: int, j: int, ring: int, q_slack: float) -> float:
        """A squared chord (as FAISS computes it) that no shop outside the block can undercut."""
        cell = self.cell_deg
        south = lat - (-90.0 + (i - ring) * cell)
        north = -90.0 + (i + ring + 1) * cell - lat
        side = min(lon - (-180.0 + (j - ring) * cell), -180.0 + (j + ring + 1) * cell - lon)
        # The nearest point of a meridian plane dlon away lies asin(cos(lat) sin(dlon)) off, for dlon < 90.
        across = math.asin(math.cos(math.radians(lat)) * math.sin(math.radians(side)))
        theta = min(math.radians(min(south, north)), across) - _ANGLE_SLACK
        chord = 2.0 * math.sin(max(theta, 0.0) / 2.0) - self.norm_slack_ - q_slack
        return max(chord, 0.0) ** 2 * (1.0 - _ROUNDING_SLACK)

    def _ring_for(self, kth: float, lat: float) -> int:
        """The smallest ring whose edges lie at least the k-th distance away (the k-th can only shrink)."""
        angle = 2.0 * math.asin(min(math.sqrt(kth) * (1 + _ROUNDING_SLACK) / 2.0 + self.norm_slack_, 1.0))
        ratio = math.sin(min(angle, math.pi / 2)) / math.cos(math.radians(lat))
        if ratio >= 1.0:
            return self.max_ring + 1
        # Ring r puts the latitude edges r cells away and the meridian edges r cells of longitude away.
        return math.ceil(max(math.degrees(angle), math.degrees(math.asin(ratio))) / self.cell_deg)


def _l2sqr(
    q: NDArray[np.float32], vectors: NDArray[np.float32], rows: NDArray[np.int64]
) -> NDArray[np.float32]:
    """FAISS's squared L2 from q to vectors[rows]; no bounds checks (FAISS reads raw memory)."""
    out = np.empty(len(rows), dtype=np.float32)
    if len(rows) == 0:
        return out
    ptr = faiss.swig_ptr
    # Not in faiss's type stubs, but part of its public C++ API (utils/distances.h) and SWIG module.
    faiss.fvec_L2sqr_by_idx(  # type: ignore[attr-defined]
        ptr(out), ptr(q), ptr(vectors), ptr(rows), vectors.shape[1], 1, len(rows)
    )
    return out


def _top_k(
    dist: NDArray[np.float32], rows: NDArray[np.int64], k: int
) -> tuple[NDArray[np.float32], NDArray[np.int64]]:
    """The k smallest (distance, row) pairs, sorted."""
    # Non-negative float32 order is the order of their bits: one int64 key sorts by (distance, row).
    key = np.left_shift(dist.view(np.int32), 32, dtype=np.int64)
    key |= rows
    if len(key) > k:
        key = np.partition(key, k - 1)[:k]
    key.sort()
    return (key >> 32).astype(np.int32).view(np.float32), key & 0xFFFFFFFF
