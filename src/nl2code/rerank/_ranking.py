"""Rankings of a problem's samples and the pass@k of their top picks, as CodeT evaluates them.

A ranking is a list of tiers, best first: each tier holds samples (their correctness verdicts,
one per sample, duplicates included) and a score. CodeT's evaluation (Chen et al. 2022,
arXiv 2207.10397, and the evaluation code of its release, github.com/microsoft/CodeT):
  - tiers with equal scores are merged: a tie is one tier;
  - k picks go to the top k tiers, one each; with fewer than k tiers the picks are dealt
    round-robin from the top (tier 0 gets the 1st extra pick, tier 1 the 2nd, ...);
  - a pick is a uniformly random sample of its tier (with replacement for repeated picks),
    so a tier of n samples with c correct misses with probability (n - c) / n per pick;
  - pass@k = 1 - the product of the misses. A problem with no ranked samples falls back to
    the unbiased pass@k (Chen et al. 2021) of all its samples.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from nl2code.metrics import pass_at_k
from nl2code.metrics._score import Score, score_of


@dataclass(frozen=True, slots=True)
class Tier:
    """Samples ranked together: their verdicts (True = correct) and their score."""

    verdicts: tuple[bool, ...]
    score: float


def merge_ties(ranking: Sequence[Tier]) -> list[Tier]:
    """Sort by score, best first, and merge tiers of exactly equal score into one."""
    merged: list[Tier] = []
    for tier in sorted(ranking, key=lambda t: t.score, reverse=True):
        if merged and merged[-1].score == tier.score:
            merged[-1] = Tier(merged[-1].verdicts + tier.verdicts, tier.score)
        else:
            merged.append(tier)
    return [t for t in merged if t.verdicts]


def picks(n_tiers: int, k: int) -> list[int]:
    """How many of k picks each of the top tiers gets (CodeT: one each, extras round-robin)."""
    if n_tiers >= k:
        return [1] * k
    counts = [1] * n_tiers
    for extra in range(k - n_tiers):
        counts[extra % n_tiers] += 1
    return counts


def ranked_pass_at_k(ranking: Sequence[Tier], k: int) -> float | None:
    """The probability that k picks from the ranking include a correct sample; None when the
    ranking is empty (the caller falls back to the unranked estimate)."""
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    tiers = merge_ties(ranking)
    if not tiers:
        return None
    all_wrong = 1.0
    for tier, count in zip(tiers, picks(len(tiers), k)):
        n, c = len(tier.verdicts), sum(tier.verdicts)
        miss = 1.0 - pass_at_k(n, c, 1)  # (n - c) / n in the estimator's product form
        all_wrong *= miss**count
    return 1.0 - all_wrong


def reranked_scores(
    rankings: Mapping[str, Sequence[Tier]],
    verdicts: Mapping[str, Sequence[bool]],
    ks: Sequence[int],
    *,
    bootstrap: int = 1000,
) -> dict[str, Score]:
    """pass@k of the top-ranked samples for every k, over every problem in `verdicts`
    (problems without a ranking use the unranked estimate, as CodeT does)."""
    table: dict[str, Score] = {}
    for k in ks:
        per_problem: dict[str, float] = {}
        for task_id, problem_verdicts in verdicts.items():
            value = ranked_pass_at_k(rankings.get(task_id, ()), k)
            if value is None:
                value = pass_at_k(len(problem_verdicts), sum(problem_verdicts), k)
            if value is not None:
                per_problem[task_id] = value
        table[f"pass@{k}"] = score_of(per_problem, bootstrap=bootstrap, seed=0)
    return table


def baseline_scores(verdicts: Mapping[str, Sequence[bool]], ks: Sequence[int], *, bootstrap: int = 1000) -> dict[str, Score]:
    """The unranked estimate: the unbiased pass@k of each problem's samples."""
    table: dict[str, Score] = {}
    for k in ks:
        per_problem = {}
        for task_id, v in verdicts.items():
            value = pass_at_k(len(v), sum(v), k)
            if value is not None:
                per_problem[task_id] = value
        table[f"pass@{k}"] = score_of(per_problem, bootstrap=bootstrap, seed=0)
    return table


def codet_score(tests_passed: int, group_size: int) -> float:
    """CodeT's consensus score of a group: tests passed x sqrt(solutions in the group), in that
    order of operations so that equal products tie exactly as they do in CodeT."""
    return tests_passed * math.sqrt(group_size)
