# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
FLASK  := $(VENV)/bin/flask --app app

.PHONY: run test screenshots bench lint translations compile-translations install install-test install-bench \
	constraints clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: $(PY) pyproject.toml
	$(PIP) install --quiet -e '.[postgres]'
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) install --quiet -e '.[test,postgres]'
	touch $@

$(VENV)/.installed-bench: $(VENV)/.installed-test
	$(PIP) install --quiet -e '.[test,postgres,bench]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test
install-bench: $(VENV)/.installed-bench

# --ignore-dirs: Babel skips folders starting with "_" by default, and templates/_macros has messages.
translations: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F babel.cfg --ignore-dirs=".* __pycache__" -k _l -k lazy_gettext -k ngettext:1,2 -o mentoring/translations/messages.pot .
	$(VENV)/bin/pybabel update -i mentoring/translations/messages.pot -d mentoring/translations --no-fuzzy-matching
	$(VENV)/bin/pybabel compile -d mentoring/translations

# English is the source language and has no catalogue; every other language has one.
compile-translations: $(VENV)/.installed
	@if ls mentoring/translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(VENV)/bin/pybabel compile -d mentoring/translations; fi

# Development server with the demo data; MENTORING_ENV=development allows cookies over http.
run: $(VENV)/.installed compile-translations
	MENTORING_ENV=development $(FLASK) db upgrade
	MENTORING_ENV=development $(FLASK) seed-demo --if-empty
	MENTORING_ENV=development $(FLASK) run --host 127.0.0.1 --port 5000

test: $(VENV)/.installed-test compile-translations
	$(PY) -m pytest $(PYTEST_ARGS)

# The README's pictures of the demo, on a desktop and a phone, in English and Arabic.
screenshots: $(VENV)/.installed-test compile-translations
	README_SCREENSHOTS=1 $(PY) -m pytest -q tests/browser/test_phone_sweep.py -k readme_screenshots


bench: $(VENV)/.installed-bench
	@for f in bench/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check mentoring tests bench app.py

# The versions a deployment installs (pip install -c constraints.txt ...): everything the
# package and its postgres, redis and deploy extras pull in, as a fresh virtualenv resolves it
# today. pyproject.toml keeps ranges; rerun after changing its dependencies.
constraints:
	rm -rf /tmp/mentoring-constraints
	$(PYTHON) -m venv /tmp/mentoring-constraints
	/tmp/mentoring-constraints/bin/pip install --quiet --upgrade pip
	/tmp/mentoring-constraints/bin/pip install --quiet '.[postgres,redis,deploy]'
	{ echo "# pip install -c constraints.txt '.[postgres,redis,deploy]'; regenerate: make constraints"; \
	  /tmp/mentoring-constraints/bin/pip freeze --exclude mentoring; } > constraints.txt
	rm -rf /tmp/mentoring-constraints

clean:
	rm -rf $(VENV) .pytest_cache test-results
