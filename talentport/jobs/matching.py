"""Two-way talent ↔ position matching, vectorised with numpy.

Pure functions over arrays: no Django here, so the batch matcher can run anywhere and
the benchmark (bench/jobs_match.py) measures exactly what production runs.

A score is 0-100, the sum of five factors:

============  ======  ===========================================================
factor        points  full points when
============  ======  ===========================================================
major         30      the position accepts any major, or the talent's discipline
degree        25      the talent's degree is at least the position's minimum
salary        20      the expectation is within the offer (scaled down above it)
location      15      the position's district is one the talent wants (or any)
industry      10      the position's industry is one the talent wants
============  ======  ===========================================================
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

W_MAJOR = 30.0
W_DEGREE = 25.0
W_SALARY = 20.0
W_LOCATION = 15.0
W_INDUSTRY = 10.0
SALARY_UNKNOWN = 14.0  # no expectation given: neither a plus nor a minus
INDUSTRY_ANY = 6.0  # the talent named no industry
SALARY_OVER_ZERO = 0.5  # an expectation 50 % above the offer's top scores nothing

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class TalentVectors:
    """One row per talent.

    ``field``: index of the major discipline; ``districts``/``industries``: bit masks
    (0 = any); ``salary``: expected yuan a year, NaN when not given.
    """

    degree: IntArray
    field: IntArray
    salary: FloatArray
    districts: IntArray
    industries: IntArray

    def __len__(self) -> int:
        return int(self.degree.shape[0])

    def take(self, rows: npt.ArrayLike) -> TalentVectors:
        index = np.asarray(rows)
        return TalentVectors(
            self.degree[index],
            self.field[index],
            self.salary[index],
            self.districts[index],
            self.industries[index],
        )


@dataclass(frozen=True)
class PositionVectors:
    """One row per position. ``fields``: bit mask of accepted disciplines (0 = any)."""

    degree: IntArray
    fields: IntArray
    salary_min: FloatArray
    salary_max: FloatArray
    district: IntArray
    industry: IntArray

    def __len__(self) -> int:
        return int(self.degree.shape[0])


def talent_vectors(
    *,
    degree: Sequence[int],
    field: Sequence[int],
    salary: Sequence[float | None],
    districts: Sequence[int],
    industries: Sequence[int],
) -> TalentVectors:
    return TalentVectors(
        np.asarray(degree, dtype=np.int64),
        np.asarray(field, dtype=np.int64),
        np.asarray([np.nan if s is None else s for s in salary], dtype=np.float32),
        np.asarray(districts, dtype=np.int64),
        np.asarray(industries, dtype=np.int64),
    )


def position_vectors(
    *,
    degree: Sequence[int],
    fields: Sequence[int],
    salary_min: Sequence[float],
    salary_max: Sequence[float],
    district: Sequence[int],
    industry: Sequence[int],
) -> PositionVectors:
    return PositionVectors(
        np.asarray(degree, dtype=np.int64),
        np.asarray(fields, dtype=np.int64),
        np.asarray(salary_min, dtype=np.float32),
        np.asarray(salary_max, dtype=np.float32),
        np.asarray(district, dtype=np.int64),
        np.asarray(industry, dtype=np.int64),
    )


def mask(indices: Sequence[int]) -> int:
    value = 0
    for index in indices:
        value |= 1 << index
    return value


def components(t: TalentVectors, p: PositionVectors) -> dict[str, FloatArray]:
    """The five factor scores, each a (talents × positions) float32 matrix."""
    major = np.where(
        (p.fields[None, :] == 0) | (((p.fields[None, :] >> t.field[:, None]) & 1) == 1),
        np.float32(W_MAJOR),
        np.float32(0),
    )
    degree = np.where(t.degree[:, None] >= p.degree[None, :], np.float32(W_DEGREE), np.float32(0))
    top = np.maximum(p.salary_max, np.float32(1))[None, :]
    over = (t.salary[:, None] - top) / top
    salary_known = np.clip(1 - over / SALARY_OVER_ZERO, 0, 1) * np.float32(W_SALARY)
    salary = np.where(np.isnan(t.salary)[:, None], np.float32(SALARY_UNKNOWN), salary_known)
    location = np.where(
        (t.districts[:, None] == 0) | (((t.districts[:, None] >> p.district[None, :]) & 1) == 1),
        np.float32(W_LOCATION),
        np.float32(0),
    )
    industry_hit = ((t.industries[:, None] >> p.industry[None, :]) & 1) == 1
    industry = np.where(
        t.industries[:, None] == 0,
        np.float32(INDUSTRY_ANY),
        np.where(industry_hit, np.float32(W_INDUSTRY), np.float32(0)),
    )
    return {
        "major": major.astype(np.float32, copy=False),
        "degree": degree.astype(np.float32, copy=False),
        "salary": salary.astype(np.float32, copy=False),
        "location": location.astype(np.float32, copy=False),
        "industry": industry.astype(np.float32, copy=False),
    }


def score_matrix(t: TalentVectors, p: PositionVectors, *, chunk: int = 2048) -> FloatArray:
    """Scores 0-100 for every talent × position, computed in chunks of talents."""
    out = np.empty((len(t), len(p)), dtype=np.float32)
    for start in range(0, len(t), chunk):
        rows = np.arange(start, min(start + chunk, len(t)))
        parts = components(t.take(rows), p)
        total = parts["major"]
        for name in ("degree", "salary", "location", "industry"):
            total += parts[name]
        out[start : start + len(rows)] = total
    return out


def top_k(scores: FloatArray, k: int, *, axis: int = 1) -> IntArray:
    """Indices of the ``k`` best scores along ``axis``, best first (ties by index)."""
    n = scores.shape[axis]
    k = min(k, n)
    if k <= 0:
        shape = list(scores.shape)
        shape[axis] = 0
        return np.empty(shape, dtype=np.int64)
    data = scores if axis == 1 else scores.T
    if k < n:
        part = np.argpartition(-data, k - 1, axis=1)[:, :k]
    else:
        part = np.tile(np.arange(n), (data.shape[0], 1))
    part_scores = np.take_along_axis(data, part, axis=1)
    order = np.lexsort((part, -part_scores), axis=1)
    best = np.take_along_axis(part, order, axis=1).astype(np.int64)
    return best if axis == 1 else best.T


def match_all(
    t: TalentVectors, p: PositionVectors, *, k: int = 10
) -> tuple[FloatArray, IntArray, IntArray]:
    """The batch matcher: all scores, each talent's ``k`` best positions, each
    position's ``k`` best talents."""
    scores = score_matrix(t, p)
    return scores, top_k(scores, k, axis=1), top_k(scores, k, axis=0)
