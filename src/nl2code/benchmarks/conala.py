"""CoNaLa (Yin et al. 2018, "Learning to Mine Aligned Code and Natural Language Pairs from Stack
Overflow"), its curated test split of 500 intents, and MCoNaLa (Wang et al. 2023), the same task
with Spanish, Japanese and Russian intents. No tests: a prediction is scored by text match against
the snippet (docs/text-metrics.md), as the published results are.

A task id is the record's 0-based index in the test file: question ids repeat (CoNaLa: 500 records,
364 distinct ids). The prompt is the rewritten intent (variable names quoted, as the CoNaLa
baselines use it), or the original intent where a record has none (23 of CoNaLa's 500)."""

from __future__ import annotations

import os
from pathlib import Path

from nl2code.benchmarks._data import DataFile, read_json_list, resolve
from nl2code.errors import DatasetError
from nl2code.records import Problem

CONALA_VERSION = "5c9a15b1"
MCONALA_VERSION = "b48112fe"
_MCONALA = f"https://raw.githubusercontent.com/zorazrw/multilingual-conala/{MCONALA_VERSION}/dataset/test"
DATA = {
    "conala": DataFile("conala-test.json", f"https://raw.githubusercontent.com/ypapanik/t5-for-code-generation/{CONALA_VERSION}/data/conala-test.json",
                       "b3f96344efa3bb819e2fe66cfd68be289ca4e4d37f5af19c32cf4ae211e8077e"),
    "mconala-es": DataFile("es_test.json", f"{_MCONALA}/es_test.json", "edc53be1c4675b33dbdd1891c49b66dcf4eed06001519891bc0156755ca40f3f"),
    "mconala-ja": DataFile("ja_test.json", f"{_MCONALA}/ja_test.json", "bf744c248cdda3dfba015fdc3c8b2e58bc8f0355ef8af2d6bb0403136b3074ea"),
    "mconala-ru": DataFile("ru_test.json", f"{_MCONALA}/ru_test.json", "408ab8b71bb0564ab974d7898f75432d528ce9126809a313726cd97a23aec70f"),
}


def load(name: str, dataset: str | os.PathLike | None = None) -> tuple[str, str, Path, list[Problem]]:
    path, digest = resolve(DATA[name], dataset)
    version = CONALA_VERSION if name == "conala" else MCONALA_VERSION
    return version, digest, path, parse(name, version, path, digest)


def parse(name: str, version: str, path: Path, digest: str) -> list[Problem]:
    records = read_json_list(path, "records", f"pass an unmodified {DATA[name].filename}")
    problems = []
    for index, record in enumerate(records):
        try:
            intent = record.get("rewritten_intent") or record["intent"]
            snippet = record["snippet"]
        except (KeyError, AttributeError, TypeError) as exc:
            raise DatasetError(f"{path}: record {index}: no {exc} field; pass an unmodified {DATA[name].filename}") from exc
        problems.append(Problem(
            benchmark=name, version=version, data_sha256=digest, task_id=str(index), prompt=intent + "\n",
            entry_point="", test="", reference=snippet, description=intent, prompt_is_code=False,
        ))
    return problems
