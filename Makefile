# The README's two commands: `make demo` (set-up + the main job) and `make test` (set-up + tests).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test venv clean llm-deps llm-test llm-bench site toolchains

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	bash scripts/demo.sh $(BIN)

test: $(STAMP)
	bash scripts/test-setup.sh
	bash scripts/run-tests.sh $(BIN)/python
	bash scripts/test-unprivileged.sh

# The compilers and runtimes of every language (apt and npm; needs root; quick when present).
toolchains: $(STAMP)
	$(BIN)/nl2code toolchains install

# A real model (issue 6): llama-cpp-python builds llama.cpp from source (5-25 minutes on 2 cores),
# so it is kept out of `make test`. Portable CPU flags, never pip's cached wheel (an AMX Xeon's
# native build segfaults, llama.cpp#20824): see scripts/llm-deps.sh; a second run is quick.
llm-deps: $(STAMP)
	bash scripts/llm-deps.sh $(BIN)

llm-test: llm-deps
	$(BIN)/python -m pytest -q -m llm tests/test_llm_gemma.py

llm-bench: llm-deps
	$(BIN)/python bench/bench_llm.py

# The tracker site (issue 5): static files in site-out/ from catalog/ and ./nl2code.db when it exists;
# `$(BIN)/nl2code site serve` previews it on 127.0.0.1:8000.
site: $(STAMP)
	$(BIN)/nl2code site build --out site-out

clean:
	rm -rf $(VENV) nl2code.db nl2code.db-wal nl2code.db-shm
