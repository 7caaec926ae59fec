# Each target sets itself up: a virtualenv in .venv with the package and what the target needs.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= demo-out
SEED   := samples/repost.example/cartels-zerohedge-copy

.PHONY: demo test bench lint clean-venv

$(VENV)/.installed-%: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[$*]'
	touch $@

## demo: clean every bundled sample into $(OUT)/ (HTML + JSON), explain the seed repost,
##       and audit the samples served from local HTTP servers into $(OUT)/audit/
demo: $(VENV)/.installed-test
	@mkdir -p $(OUT)
	@for dir in samples/*/*/; do \
	  name=$$(basename $$(dirname $$dir))--$$(basename $$dir); \
	  url=$$($(BIN)/python -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb")).get("url", ""))' $$dir/meta.toml); \
	  $(BIN)/sanitizer clean $$dir/source.html --base-url "$$url" -o $(OUT)/$$name.html && \
	  $(BIN)/sanitizer clean $$dir/source.html --base-url "$$url" --format json -o $(OUT)/$$name.json && \
	  echo "cleaned $$dir -> $(OUT)/$$name.html"; \
	done
	@echo; echo "The seed repost, explained:"
	@$(BIN)/sanitizer clean $(SEED)/source.html --explain --format text \
	  --base-url https://repost.example/2021/07/human-intelligence-drys-up/ > /dev/null
	@echo; echo "An audit of the samples, served on 127.0.0.x:"
	@$(BIN)/python examples/demo_audit.py $(OUT)/audit

## test: the whole test suite, plus every [[example]] in rules/
test: $(VENV)/.installed-test
	$(BIN)/sanitizer rules check
	$(BIN)/python -m pytest -q

## bench: the benchmarks against trafilatura and readability-lxml (needs ../shared)
bench: $(VENV)/.installed-bench $(VENV)/.installed-test $(VENV)/.installed-dask
	$(BIN)/python benchmarks/repost.py
	$(BIN)/python benchmarks/extraction.py
	$(BIN)/python benchmarks/matching.py
	$(BIN)/python benchmarks/politeness.py
	$(BIN)/python benchmarks/scale.py

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check sanitizer tests benchmarks
	$(BIN)/mypy sanitizer

clean-venv:
	rm -rf $(VENV)
