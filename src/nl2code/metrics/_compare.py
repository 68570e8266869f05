"""Paired comparison of two runs over the problems they share."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from ._score import bootstrap_ci

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Difference:
    """Mean of b - a over the common problems, with a paired bootstrap interval.

    `mean` and the interval are None when the runs share no problem.
    """

    mean: float | None
    ci_low: float | None
    ci_high: float | None
    problems: int  # problems in both a and b
    mean_a: float | None = None  # a's mean over the common problems
    mean_b: float | None = None
    only_in_a: int = 0
    only_in_b: int = 0

    @property
    def significant(self) -> bool:
        """True when the interval excludes zero."""
        if self.ci_low is None or self.ci_high is None:
            return False
        return self.ci_low > 0.0 or self.ci_high < 0.0


def paired_bootstrap_difference(
    a: Mapping[str, float],
    b: Mapping[str, float],
    *,
    resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> Difference:
    """Difference b - a of per-problem scores (e.g. pass@1), paired by task_id.

    Resampling problems and taking the mean of b - a keeps each problem's pair together,
    so the interval reflects the per-problem correlation between the two runs.
    """
    common = sorted(a.keys() & b.keys())
    only_a, only_b = len(a) - len(common), len(b) - len(common)
    if only_a or only_b:
        log.warning(
            "comparing over %d common problems; %d only in a, %d only in b",
            len(common), only_a, only_b,
        )
    if not common:
        return Difference(None, None, None, 0, None, None, only_a, only_b)
    import numpy as np

    va = np.fromiter((a[t] for t in common), dtype=np.float64, count=len(common))
    vb = np.fromiter((b[t] for t in common), dtype=np.float64, count=len(common))
    diff = vb - va
    low, high = bootstrap_ci(diff, resamples=resamples, seed=seed, confidence=confidence)
    return Difference(
        float(diff.mean()), low, high, len(common),
        float(va.mean()), float(vb.mean()), only_a, only_b,
    )
