"""n@k of AlphaCode (Li et al. 2022): n submissions chosen by a filter from k samples."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence

from ._score import Score, score_of

log = logging.getLogger(__name__)

Sample = tuple[bool, bool]  # (passes the filter, e.g. the prompt's examples; is correct)


def n_at_k(
    samples: Mapping[str, Sequence[Sample]],
    n: int,
    k: int,
    *,
    bootstrap: int = 1000,
    seed: int = 0,
) -> Score:
    """n@k in sample order: the fraction of problems solved with n submissions from k samples.

    Li et al. 2022, "Competition-level code generation with AlphaCode" (Science 378), define
    n@k as the percentage of problems solved using n submissions from k samples per problem.
    The definition implemented here, per problem:
      1. take the first k samples (in the order given);
      2. keep those that pass the filter (element 0), in order;
      3. submit the first n of them (fewer if fewer pass; samples failing the filter are
         never submitted);
      4. the problem is solved when any submitted sample is correct (element 1).
    AlphaCode also clusters the filtered samples by behaviour before choosing; that step is
    not implemented here. Problems with fewer than k samples are left out (note + warning).
    Use expected_n_at_k for the order-independent expectation over k-subsets.
    """
    _check_nk(n, k)
    per_problem: dict[str, float] = {}
    for task_id, problem_samples in samples.items():
        if len(problem_samples) < k:
            continue
        submitted = [correct for passes, correct in problem_samples[:k] if passes][:n]
        per_problem[task_id] = 1.0 if any(submitted) else 0.0
    return _score(samples, per_problem, n, k, bootstrap=bootstrap, seed=seed)


def expected_n_at_k(
    samples: Mapping[str, Sequence[Sample]],
    n: int,
    k: int,
    *,
    bootstrap: int = 1000,
    seed: int = 0,
) -> Score:
    """Expected n@k when the k samples are a uniformly random subset of a problem's N samples.

    The n@k of `n_at_k` averaged over every ordering of the samples, in closed form: with
    F samples passing the filter and G of them correct, the number f of filtered samples
    among k drawn is hypergeometric, and the first m = min(n, f) of them are a uniform
    m-subset of the F, so P(solved) = sum_f P(f) * (1 - C(F-G, m) / C(F, m)).
    With n >= k and a filter every sample passes, this equals pass@k (Chen et al. 2021).
    """
    _check_nk(n, k)
    per_problem: dict[str, float] = {}
    for task_id, problem_samples in samples.items():
        total = len(problem_samples)
        if total < k:
            continue
        filtered = sum(1 for passes, _ in problem_samples if passes)
        good = sum(1 for passes, correct in problem_samples if passes and correct)
        per_problem[task_id] = _expected_solved(total, filtered, good, n, k)
    return _score(samples, per_problem, n, k, bootstrap=bootstrap, seed=seed)


def _expected_solved(total: int, filtered: int, good: int, n: int, k: int) -> float:
    if good == 0:
        return 0.0
    ways = math.comb(total, k)
    unsolved = 0.0
    for f in range(max(0, k - (total - filtered)), min(k, filtered) + 1):
        m = min(n, f)
        draws = math.comb(filtered, f) * math.comb(total - filtered, k - f)
        # Python's int / int is correctly rounded even for huge integers.
        unsolved += draws * math.comb(filtered - good, m) / (ways * math.comb(filtered, m))
    return 1.0 - unsolved


def _check_nk(n: int, k: int) -> None:
    if n < 1 or k < 1:
        raise ValueError(f"n and k must be at least 1, got n={n}, k={k}")


def _score(
    samples: Mapping[str, Sequence[Sample]],
    per_problem: dict[str, float],
    n: int,
    k: int,
    *,
    bootstrap: int,
    seed: int,
) -> Score:
    excluded = len(samples) - len(per_problem)
    note = ""
    if excluded:
        note = f"{excluded} of {len(samples)} problems have fewer than {k} samples and are left out"
        log.info("%d@%d: %s", n, k, note)  # the note travels with the score; the caller reports it
    return score_of(per_problem, bootstrap=bootstrap, seed=seed, note=note)
