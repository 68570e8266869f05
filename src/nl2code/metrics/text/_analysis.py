"""How well a text metric separates passing from failing samples (`nl2code analyze text-vs-exec`).

Per metric: the ROC AUC of the per-sample score as a predictor of passing (the probability that a
random passing sample scores higher than a random failing one, ties counting half), Spearman's rank
correlation between the score and the verdict (1 passed, 0 not), and the mean AUC within problems
(only problems with both outcomes), which discounts what a metric learns from problem difficulty
alone. Intervals: percentile bootstrap over problems (a problem's samples stay together)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Separation:
    metric: str
    samples: int
    passed: int
    problems: int
    auc: float | None
    auc_ci: tuple[float, float] | None
    spearman: float | None
    spearman_ci: tuple[float, float] | None
    within_auc: float | None
    within_auc_ci: tuple[float, float] | None
    within_problems: int  # problems with both passing and failing samples

    def as_dict(self) -> dict:
        def r(x):
            return None if x is None else round(x, 4)

        return {"samples": self.samples, "passed": self.passed, "problems": self.problems,
                "roc_auc": r(self.auc), "roc_auc_ci": None if self.auc_ci is None else [r(x) for x in self.auc_ci],
                "spearman": r(self.spearman), "spearman_ci": None if self.spearman_ci is None else [r(x) for x in self.spearman_ci],
                "within_problem_auc": r(self.within_auc),
                "within_problem_auc_ci": None if self.within_auc_ci is None else [r(x) for x in self.within_auc_ci],
                "within_problems": self.within_problems}


def average_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..n, tied values sharing the mean of their ranks."""
    order = np.argsort(values, kind="mergesort")
    ordered = values[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    ends = np.r_[starts[1:], len(values)]
    mean_rank = (starts + ends + 1) / 2.0  # ranks starts+1 .. ends, averaged
    ranks = np.empty(len(values), dtype=np.float64)
    ranks[order] = np.repeat(mean_rank, ends - starts)
    return ranks


def roc_auc(scores: np.ndarray, positive: np.ndarray) -> float | None:
    """Mann-Whitney form of the ROC AUC; None without both classes."""
    n_pos = int(positive.sum())
    n_neg = len(positive) - n_pos
    if n_pos == 0 or n_neg == 0:
        return None
    ranks = average_ranks(scores)
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def spearman(scores: np.ndarray, positive: np.ndarray) -> float | None:
    """Spearman's rho: Pearson's correlation of the average ranks; None when either is constant."""
    a, b = average_ranks(scores), average_ranks(positive.astype(np.float64))
    a, b = a - a.mean(), b - b.mean()
    denominator = np.sqrt((a * a).sum() * (b * b).sum())
    return float((a * b).sum() / denominator) if denominator > 0 else None


def _within(groups: Sequence[tuple[np.ndarray, np.ndarray]]) -> list[float]:
    return [auc for s, p in groups if (auc := roc_auc(s, p)) is not None]


def separation(metric: str, scores: Mapping[str, Sequence[tuple[float, bool]]], *, bootstrap: int = 1000, seed: int = 0) -> Separation:
    """Separation of passing and failing samples by `metric`; scores: task_id -> [(score, passed)]."""
    tasks = sorted(scores)
    groups = [(np.array([s for s, _ in scores[t]], dtype=np.float64), np.array([p for _, p in scores[t]], dtype=bool)) for t in tasks]
    all_scores = np.concatenate([g[0] for g in groups]) if groups else np.array([])
    all_passed = np.concatenate([g[1] for g in groups]) if groups else np.array([], dtype=bool)
    within = _within(groups)
    auc, rho = roc_auc(all_scores, all_passed), spearman(all_scores, all_passed)
    auc_ci = rho_ci = within_ci = None
    if bootstrap > 0 and groups and auc is not None:
        rng = np.random.default_rng(seed)
        aucs, rhos, withins = [], [], []
        for _ in range(bootstrap):
            chosen = [groups[i] for i in rng.integers(0, len(groups), len(groups))]
            s = np.concatenate([g[0] for g in chosen])
            p = np.concatenate([g[1] for g in chosen])
            if (value := roc_auc(s, p)) is not None:
                aucs.append(value)
            if (value := spearman(s, p)) is not None:
                rhos.append(value)
            if inner := _within(chosen):
                withins.append(float(np.mean(inner)))
        auc_ci, rho_ci, within_ci = (_interval(aucs), _interval(rhos), _interval(withins))
    return Separation(metric, len(all_scores), int(all_passed.sum()), len(groups), auc, auc_ci, rho, rho_ci,
                      float(np.mean(within)) if within else None, within_ci, len(within))


def _interval(values: list[float]) -> tuple[float, float] | None:
    if not values:
        return None
    low, high = np.quantile(np.asarray(values), [0.025, 0.975])
    return float(low), float(high)
