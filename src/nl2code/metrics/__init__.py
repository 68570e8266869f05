"""Scores computed from executions: pass@k (Chen et al. 2021) with bootstrap intervals over
problems, n@k (AlphaCode), APPS's test-case average and strict accuracy, status counts.
"""

from __future__ import annotations

from ._apps import strict_accuracy, test_case_average
from ._compare import Difference, paired_bootstrap_difference
from ._n_at_k import expected_n_at_k, n_at_k
from ._pass_at_k import pass_at_k, pass_at_k_table
from ._score import Score, bootstrap_ci
from ._summary import correct_counts, default_ks, status_counts, summarize

__all__ = [
    "Difference",
    "Score",
    "bootstrap_ci",
    "correct_counts",
    "default_ks",
    "expected_n_at_k",
    "n_at_k",
    "paired_bootstrap_difference",
    "pass_at_k",
    "pass_at_k_table",
    "status_counts",
    "strict_accuracy",
    "summarize",
    "test_case_average",
]
