"""CodeT's dual execution agreement (Chen et al. 2022, arXiv 2207.10397): solutions that pass the
same generated tests form a consensus set, scored by how many tests they pass and how many
solutions agree.

The procedure, as CodeT's release computes it:
  - every sample counts: a solution generated 3 times is 3 solutions, a test generated twice
    (within the first 5 tests of each test sample) is 2 tests;
  - a solution is considered only when its run against the tests finished (a solution whose
    program fails to load, or whose run is killed, passes nothing) and it passed at least one;
  - solutions are grouped by the exact set of tests they pass;
  - a group's score is (tests in the set, counted with duplicates) x sqrt(solutions in the group,
    counted with duplicates); groups are ranked by score, ties merged (see `_ranking`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from nl2code.rerank._ranking import Tier, codet_score


@dataclass(frozen=True, slots=True)
class ConsensusGroup:
    """Solutions (unique programs) that pass exactly the same tests, and the group's score."""

    solutions: tuple[str, ...]
    tests: frozenset[str]
    solutions_counted: int  # with duplicates
    tests_counted: int  # with duplicates
    score: float


def consensus_groups(
    passed: Mapping[str, frozenset[str] | None],
    solution_frequency: Mapping[str, int],
    test_frequency: Mapping[str, int],
) -> list[ConsensusGroup]:
    """Group unique solutions by the exact set of tests each passed, best score first.

    passed maps each unique solution to the unique tests it passed, or None when its run did not
    finish (it then takes no part). Tests unknown to test_frequency are ignored."""
    by_set: dict[frozenset[str], list[str]] = {}
    for solution, tests in passed.items():
        if tests is None:
            continue
        known = frozenset(t for t in tests if t in test_frequency)
        if known:
            by_set.setdefault(known, []).append(solution)
    groups = []
    for tests, solutions in by_set.items():
        size = sum(solution_frequency[s] for s in solutions)
        n_tests = sum(test_frequency[t] for t in tests)
        groups.append(ConsensusGroup(tuple(solutions), tests, size, n_tests, codet_score(n_tests, size)))
    groups.sort(key=lambda g: g.score, reverse=True)
    return groups


def codet_ranking(groups: Sequence[ConsensusGroup], verdicts: Mapping[str, Sequence[bool]]) -> list[Tier]:
    """The tiers of a problem: each group's samples' correctness (every sample of each of its
    solutions, from the source run) and the group's score."""
    return [Tier(tuple(v for s in g.solutions for v in verdicts[s]), g.score) for g in groups]
