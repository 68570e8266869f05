"""Judging samples by execution: rank each problem's samples (CodeT's dual agreement with
generated tests, MBR-exec's agreement of outputs, or the prompt's examples) and score the
top-ranked ones beside the unranked estimate."""

from __future__ import annotations

from nl2code.rerank._codet import ConsensusGroup, codet_ranking, consensus_groups
from nl2code.rerank._generated_tests import GeneratedTests, parse_test_sample, read_generated_tests
from nl2code.rerank._ranking import Tier, merge_ties, picks, ranked_pass_at_k
from nl2code.rerank._run import METHODS, RerankReport, RerankSettings, rerank, result_json

__all__ = [
    "METHODS",
    "ConsensusGroup",
    "GeneratedTests",
    "RerankReport",
    "RerankSettings",
    "Tier",
    "codet_ranking",
    "consensus_groups",
    "merge_ties",
    "parse_test_sample",
    "picks",
    "ranked_pass_at_k",
    "read_generated_tests",
    "rerank",
    "result_json",
]
