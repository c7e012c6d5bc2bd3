# The two commands: `make site` and `make test`. Each sets up .venv first if needed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
BASE_URL ?=
BUILD_FLAGS := $(if $(BASE_URL),--base-url $(BASE_URL),)

.PHONY: site test check serve import golden bench publish clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

site: $(STAMP)  ## import new seeds, then build site/
	$(PY) build.py import
	$(PY) build.py build $(BUILD_FLAGS)

check: $(STAMP)  ## validate content and layouts without writing
	$(PY) build.py check

import: $(STAMP)  ## import seeds not imported yet
	$(PY) build.py import

test: $(STAMP)  ## the whole test suite
	$(PY) -m pytest -q

serve: $(STAMP)  ## preview at http://127.0.0.1:8000, rebuilt and reloaded on every save
	$(PY) build.py serve $(if $(PORT),--port $(PORT),) $(BUILD_FLAGS)

bench: $(STAMP)  ## benchmark table (SIZES="1000 5000", BIG=1 adds 20000, PEERS=1 adds Hugo and Pelican)
	$(PY) -m bench.run

.PHONY: publish
publish:  ## build site/ for its public address: make publish BASE_URL=https://example.org/digest/
	@if [ -z "$(BASE_URL)" ]; then \
	  echo "make publish: BASE_URL is required: the address the site will live at, e.g." >&2; \
	  echo "  make publish BASE_URL=https://someone.github.io/digest/" >&2; \
	  exit 2; \
	fi
	@$(MAKE) --no-print-directory site BASE_URL=$(BASE_URL)
	@echo ""
	@echo "site/ is ready for $(BASE_URL): plain files, no server code. Put its contents at that address:"
	@echo "  any static host:  rsync -av --delete site/ USER@HOST:/path/served/at/that/address/"
	@echo "  GitHub Pages:     push to main; .github/workflows/pages.yml builds and deploys it"
	@echo "                    (once: Settings > Pages > Source: GitHub Actions)"
	@echo "  a gh-pages branch: touch site/.nojekyll, then commit the contents of site/ to that branch"

golden: $(STAMP)  ## regenerate tests/golden/ from the sample site; review with git diff
	$(PY) -m tests.golden_tool regenerate

clean:
	rm -rf site .site.staging .site.old .site.spare .digest-cache
