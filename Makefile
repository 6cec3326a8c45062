# Formwork — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev

.PHONY: run test test-stress bench screenshots system-deps venv dev clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

$(DEVSTAMP): $(STAMP)
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

venv: $(STAMP)
dev: $(DEVSTAMP)

# Debian packages the suite needs: a throw-away PostgreSQL and Redis are started by the tests;
# Chromium (with CJK fonts) runs the browser tests; WeasyPrint (report PDFs) needs pango; the PDF tests read
# pages back with poppler's pdftoppm.
system-deps:
	@missing=""; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	fc-list 2>/dev/null | grep -qi "noto.*cjk" || missing="$$missing fonts-noto-cjk"; \
	ls /usr/lib/*/libpangoft2-1.0.so.0 >/dev/null 2>&1 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	command -v pdftoppm >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

# A workspace with the CRM and sample data, served on http://127.0.0.1:8000 (jobs run in-process).
run: $(STAMP)
	@test -f workspace/config.json || $(VENV)/bin/formwork init --home workspace
	@$(VENV)/bin/formwork template install crm --sample-data --home workspace
	$(VENV)/bin/formwork serve --home workspace

test: system-deps $(DEVSTAMP)
	$(PY) -m mypy
	$(PY) -m pytest -q -n auto --maxprocesses 4 --dist worksteal

# `make test` while another process keeps one core busy, as on a machine that is also running other work: no test
# may depend on the machine's speed. The busy process ends with the suite, however the suite ends.
test-stress: system-deps $(DEVSTAMP)
	@$(PY) -c 'while True: pass' & hog=$$!; \
	trap 'kill $$hog 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM HUP; \
	echo "test-stress: process $$hog keeps one core busy"; \
	$(MAKE) --no-print-directory test

bench: $(STAMP)
	$(PY) -m bench

# PNGs of the main screens (CRM sample data, 1280 and 375 px, zh and en) into docs/screenshots/; see its README.
screenshots: system-deps $(DEVSTAMP)
	$(PY) scripts/screenshots.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache
