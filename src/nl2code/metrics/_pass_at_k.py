"""pass@k: the unbiased estimator of Chen et al. 2021, per problem and over a benchmark."""

from __future__ import annotations

import logging
import math
import operator
from collections.abc import Mapping, Sequence

from ._score import Score, score_of

log = logging.getLogger(__name__)


def pass_at_k(n: int, c: int, k: int) -> float | None:
    """Unbiased pass@k of one problem with n samples of which c are correct.

    1 - C(n-c, k) / C(n, k) (Chen et al. 2021, "Evaluating Large Language Models Trained
    on Code", eq. 1), computed in the numerically stable product form
    1 - prod_{i=n-c+1}^{n} (1 - k/i). None when k > n: the estimator is undefined.
    """
    n, c, k = operator.index(n), operator.index(c), operator.index(k)
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    if n < 0 or not 0 <= c <= n:
        raise ValueError(f"need 0 <= c <= n, got n={n}, c={c}")
    if k > n:
        return None
    if n - c < k:
        return 1.0  # every k-subset contains a correct sample
    return 1.0 - math.prod(1.0 - k / i for i in range(n - c + 1, n + 1))


def pass_at_k_table(
    counts: Mapping[str, tuple[int, int]],
    ks: Sequence[int],
    *,
    bootstrap: int = 1000,
    seed: int = 0,
) -> dict[str, Score]:
    """pass@k over problems for every k in ks, keyed "pass@k" in the order of ks.

    counts maps task_id -> (n, c). A problem enters pass@k only when n >= k (its estimator
    is undefined otherwise); the Score's note and a logged warning say how many were left
    out. When k exceeds every n the Score's value is None. The bootstrap CI resamples problems.
    """
    for task_id, (n, c) in counts.items():
        if n < 0 or not 0 <= c <= n:
            raise ValueError(f"problem {task_id!r}: need 0 <= c <= n, got n={n}, c={c}")
    table: dict[str, Score] = {}
    for k in dict.fromkeys(ks):  # dedupe, keep order
        table[f"pass@{k}"] = _pass_at_k_score(counts, k, bootstrap=bootstrap, seed=seed)
    return table


def _pass_at_k_score(
    counts: Mapping[str, tuple[int, int]], k: int, *, bootstrap: int, seed: int
) -> Score:
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    cache: dict[tuple[int, int], float | None] = {}
    per_problem: dict[str, float] = {}
    for task_id, (n, c) in counts.items():
        key = (n, c)
        if key not in cache:
            cache[key] = pass_at_k(n, c, k)
        estimate = cache[key]
        if estimate is not None:
            per_problem[task_id] = estimate
    note = _exclusion_note(len(counts) - len(per_problem), len(counts), k)
    if note:  # the note travels with the score; the caller reports it (once)
        log.info("pass@%d: %s", k, note)
    return score_of(per_problem, bootstrap=bootstrap, seed=seed, note=note)


def _exclusion_note(excluded: int, total: int, k: int) -> str:
    if excluded == 0:
        return ""
    if excluded == total:
        return f"k={k} exceeds the number of samples of every problem; pass@{k} is undefined"
    return f"{excluded} of {total} problems have fewer than {k} samples and are left out"
