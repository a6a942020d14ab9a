# Two commands on a fresh clone:  `make lab`  (work on the course)  and  `make test`.
# Each target sets up what it needs: a .venv with the project installed against
# constraints.txt (re-installed only when pyproject.toml or constraints.txt change).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8888
# JupyterLab refuses to start as root unless told to.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: install sandbox-tools browser-tools lab test lint release verify clean

install: $(STAMP) sandbox-tools

# Grading runs each kernel under bubblewrap (Debian package `bubblewrap`); without it
# the autograder falls back to a weaker level and says so. Installed here when possible
# (as root with apt-get), so that `make lab` and a learner's `autograder check` run sandboxed.
sandbox-tools:
	@command -v bwrap >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& (apt-get install -y -qq bubblewrap >/dev/null || \
		    (apt-get update -qq >/dev/null && apt-get install -y -qq bubblewrap >/dev/null)); } \
		|| echo "note: bubblewrap (bwrap) is not installed; grading kernels get a weaker sandbox"

# The browser test (tests/browser/) drives Debian's `chromium` with `chromium-driver`;
# installed here when possible (as root with apt-get), else that test says why it skips.
browser-tools:
	@{ command -v chromium && command -v chromedriver; } >/dev/null || { [ "$$(id -u)" = 0 ] \
		&& command -v apt-get >/dev/null && (apt-get install -y -qq chromium chromium-driver \
		>/dev/null || (apt-get update -qq >/dev/null && apt-get install -y -qq chromium \
		chromium-driver >/dev/null)); } || echo "note: chromium is not installed; the browser test skips"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

# JupyterLab opens on notebooks/ (LabApp.default_url: ServerApp's is overridden by /lab).
# nbgrader's panels read nbgrader_config.py from any folder (JUPYTER_CONFIG_PATH), with its
# local exchange in .exchange/ and fetched assignments in fetched/. Kernel websockets
# without Nagle's algorithm (autograder/lab.py): 40 ms less per widget redraw.
LAB_OPTIONS := --LabApp.default_url=/lab/tree/notebooks \
	--ServerApp.kernel_websocket_connection_class=autograder.lab.NoDelayKernelConnection
# `make lab GRADING=grading-out`: nbgrader's formgrader on that output folder of
# `autograder grade` (hand grading): the server starts there, so the folder's own
# nbgrader_config.py, which nbgrader reads last, says where the gradebook and notebooks are.
LAB_DIR = $(if $(GRADING),$(abspath $(GRADING)),$(CURDIR))
lab: install
	mkdir -p .exchange fetched
	cd "$(LAB_DIR)" && PATH="$(CURDIR)/$(BIN):$$PATH" JUPYTER_CONFIG_PATH="$(CURDIR)" \
		"$(CURDIR)/$(BIN)/jupyter" lab --ServerApp.root_dir="$(LAB_DIR)" $(LAB_OPTIONS) \
		$(if $(GRADING),--LabApp.default_url=/lab) --port=$(PORT) $(ROOT_FLAG)

# The whole suite: dlkit against oracles, checks against mutants, widgets headless, verify
# (every solution and student notebook executed in the grading kernel, fast mode), the
# grading round trips and a learner's day in headless Chromium (tests/browser/); JOBS
# workers (pytest-xdist), one BLAS thread per process, since tests and kernels share the
# cores; the 15 slowest tests are listed at the end.
JOBS ?= 2
test: install sandbox-tools browser-tools
	DLKIT_FAST=1 MPLBACKEND=Agg OMP_NUM_THREADS=1 $(BIN)/python -m pytest -n $(JOBS) \
		--durations=15 tests

lint: install
	$(BIN)/ruff check dlkit autograder tests benchmarks

# Regenerate notebooks/ from solutions/ (all assignments, or ASSIGNMENT=01_linear_algebra).
release: install
	$(BIN)/autograder release $(ASSIGNMENT)

verify: install
	DLKIT_FAST=1 $(BIN)/autograder verify

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .ruff_cache *.egg-info
