# The README's two commands: `make demo` (set-up + the main job) and `make test` (set-up + tests).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test venv clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/nl2code selfcheck humaneval
	$(BIN)/nl2code evaluate --demo

test: $(STAMP)
	bash scripts/test-setup.sh
	bash scripts/run-tests.sh $(BIN)/python

clean:
	rm -rf $(VENV) nl2code.db nl2code.db-wal nl2code.db-shm
