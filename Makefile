# The README's two commands: `make demo` and `make test`. Both install into .venv first.
VENV   ?= .venv
PY     := $(VENV)/bin/python
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CORES  ?= all
PYTHON ?= python3

TEST_STAMP  := $(VENV)/.installed-test
SLURM_STAMP := $(VENV)/.installed-slurm

.PHONY: install demo report docs test test-fast test-slurm lint bench clean

# The demo needs the core dependencies and OpenCV for reframed shorts: no torch, no test tools.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[reframe]"
	touch $(STAMP)

install: $(STAMP)

# Tests also exercise the openai-whisper backend (torch, CPU build) and run the linters.
$(TEST_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install --quiet -e ".[test,openai-whisper,reframe]"
	touch $(TEST_STAMP)

# The Slurm executor plugin (the `slurm` extra) only for the cluster test and cluster users.
$(SLURM_STAMP): $(TEST_STAMP) pyproject.toml
	$(PY) -m pip install --quiet -e ".[test,slurm]"
	touch $(SLURM_STAMP)

# The demo's own settings (demo/config.yaml: music) come with the workflow profile.
demo: install
	$(BIN)/dramabatch-demo --texts demo/texts --out demo/sources
	$(BIN)/snakemake --cores $(CORES)
	# the README's pictures come from this run's own output
	mkdir -p docs/images
	cp results/lighthouse/thumbs/long.jpg docs/images/demo-long.jpg
	cp results/lighthouse/thumbs/short_01.jpg docs/images/demo-short.jpg
	cp results/botella/thumbs/long.jpg docs/images/demo-long-es.jpg

report: install
	$(BIN)/snakemake --report report.html

# config/README.md's two generated tables (the config reference from config/schema.yaml, what
# each key reruns from dramabatch.workflow.rerun.tracks); tests/test_docs.py fails while stale.
docs: $(STAMP)
	$(PY) tools/config_reference.py --write

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/snakefmt --check Snakefile rules
	$(BIN)/snakemake --lint

# Tests run in WORKERS pytest-xdist processes, each test file whole in one of them (its module
# fixtures, a finished batch among them, are made once): the job scripts' start-up, Whisper and
# the voices are mostly one thread (a tiny batch at --cores 2 keeps 1.3 cores busy), so two
# workers fill two cores. WORKERS=0 runs the tests in pytest's own process (for pdb, -x).
WORKERS ?= 2
XDIST   := -n $(WORKERS) --dist loadfile --no-loadscope-reorder

# Everything but the Slurm cluster (pyproject's addopts: -m 'not slurm'), slowest first: the
# durations list shows where the time goes.
test: $(TEST_STAMP) lint
	bash tests/setup_browser.sh
	$(BIN)/pytest $(XDIST) --durations=15

# The unit tests while you work: no Snakemake subprocess, nothing over ~1 s (tests/conftest.py
# marks every test that starts the workflow 'workflow' and 'slow'), no linters, about a minute.
test-fast: $(TEST_STAMP)
	$(BIN)/pytest $(XDIST) -m "not slow and not slurm"

# A real single-node Slurm cluster on this machine (root + apt for slurm-wlm/munge), the batch
# through --profile profiles/slurm. `make test` leaves these tests out (pytest -m "not slurm").
test-slurm: $(SLURM_STAMP)
	$(BIN)/pytest -m slurm tests/test_slurm.py

bench: $(SLURM_STAMP)
	$(PY) benchmarks/e2e.py
	$(PY) benchmarks/length.py --minutes 2 15 60
	$(PY) benchmarks/render.py --quick
	$(PY) benchmarks/transcribe.py
	$(PY) benchmarks/whisper_memory.py
	$(PY) benchmarks/languages.py
	$(PY) benchmarks/fit.py
	$(PY) benchmarks/timing.py
	$(PY) benchmarks/noop.py
	$(PY) benchmarks/dryrun.py
	$(PY) benchmarks/scale.py plan --dramas 1000 3000
	$(PY) benchmarks/scale.py noop --dramas 1000
	$(PY) benchmarks/scale.py scheduler --dramas 20 80
	$(PY) benchmarks/progress_cost.py
	$(PY) benchmarks/scale.py scheduler --dramas 20 --tty --progress live
	$(PY) benchmarks/scale.py scheduler --dramas 20 --tty --progress off

clean:
	rm -rf results .snakemake demo/sources
