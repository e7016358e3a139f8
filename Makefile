# The README's two commands: `make run` and `make test`. Both set up everything from nothing.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
# Reinstall only when the pinned dependency files change.
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml 2>/dev/null | sha1sum | cut -c1-12)

.PHONY: run test lint index bench venv clean browser-deps

$(STAMP):
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e ".[dev]"
	rm -f $(VENV)/.installed-* && touch $@

venv: $(STAMP)

index: venv
	HF_HUB_OFFLINE=1 $(PY) -m assistant index build

run: index
	HF_HUB_OFFLINE=1 $(PY) app.py

# The browser tests drive Debian's Chromium (never a downloaded browser); CJK fonts make the screenshots readable.
browser-deps:
	@test -x /usr/bin/chromium || { SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
		$$SUDO apt-get update && $$SUDO apt-get install -y chromium chromium-driver fonts-wqy-microhei; }

# The index first (with a progress bar), then the evaluation gate, then the test suite, whose
# summary line closes the output.
test: venv browser-deps
	HF_HUB_OFFLINE=1 $(PY) -m assistant index build
	HF_HUB_OFFLINE=1 $(PY) -m assistant eval --gate --quiet
	HF_HUB_OFFLINE=1 $(PY) -m pytest -q

# Everyday checks (also run by pre-commit and by .ci/run before the tests): lint and format, the import
# layers and the ban on cycles (pyproject.toml [tool.importlinter]), strict types where figures are made.
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

bench: index
	HF_HUB_OFFLINE=1 $(PY) -m assistant bench retrieval
	HF_HUB_OFFLINE=1 $(PY) -m assistant bench retrieval --gold eval/retrieval_heldout.jsonl
	HF_HUB_OFFLINE=1 $(PY) -m assistant bench ask
	HF_HUB_OFFLINE=1 $(PY) -m assistant bench load
	HF_HUB_OFFLINE=1 $(PY) -m assistant bench hardening

clean:
	rm -rf $(VENV) index/build
