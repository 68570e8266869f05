"""The Score record every metric returns, and the bootstrap over problems behind its interval."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

# numpy is imported where a bootstrap runs, not with the package: importing it costs ~0.1 s,
# which every command that only lists or shows runs would pay.

# Cap on the index matrix one bootstrap chunk draws (resamples x problems), to bound memory.
_CHUNK_ELEMENTS = 4_000_000


@dataclass(frozen=True, slots=True)
class Score:
    """One metric over a set of problems: the mean of per-problem values and its interval.

    `value` is None when no problem qualified (for example k larger than every problem's n);
    `ci_low`/`ci_high` are None then, and when no bootstrap was asked for.
    `note` says which problems were left out and why ("" when none).
    """

    value: float | None
    ci_low: float | None
    ci_high: float | None
    problems: int
    per_problem: dict[str, float] = field(default_factory=dict)
    note: str = ""


def bootstrap_means(values: np.ndarray, resamples: int, seed: int) -> np.ndarray:
    """Means of `resamples` resamples (with replacement) of `values`; deterministic in seed.

    The indices depend only on (len(values), resamples, seed), so two metrics over the
    same problems get the same resamples (common random numbers).
    """
    import numpy as np

    size = len(values)
    rng = np.random.default_rng(seed)
    chunk = max(1, _CHUNK_ELEMENTS // size)
    means = np.empty(resamples, dtype=np.float64)
    for start in range(0, resamples, chunk):
        stop = min(resamples, start + chunk)
        idx = rng.integers(0, size, size=(stop - start, size))
        means[start:stop] = values[idx].mean(axis=1)
    return means


def bootstrap_ci(
    values: Sequence[float],
    *,
    resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of `values` (one value per problem).

    Problems are resampled with replacement `resamples` times; the interval is the
    ((1 - confidence) / 2, (1 + confidence) / 2) quantiles of the resampled means.
    """
    import numpy as np

    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1 or len(array) == 0:
        raise ValueError("bootstrap_ci needs a non-empty sequence of per-problem values")
    if resamples < 1:
        raise ValueError(f"resamples must be at least 1, got {resamples}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    means = bootstrap_means(array, resamples, seed)
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(means, [alpha, 1.0 - alpha])
    return float(low), float(high)


def score_of(
    per_problem: Mapping[str, float], *, bootstrap: int, seed: int, note: str = ""
) -> Score:
    """The Score of per-problem values: their mean, with a bootstrap CI when bootstrap > 0."""
    if not per_problem:
        return Score(None, None, None, 0, {}, note)
    import numpy as np

    values = np.fromiter(per_problem.values(), dtype=np.float64, count=len(per_problem))
    value = float(values.mean())
    low = high = None
    if bootstrap > 0:
        low, high = bootstrap_ci(values, resamples=bootstrap, seed=seed)
    return Score(value, low, high, len(per_problem), dict(per_problem), note)
