# Two commands do everything on a fresh machine: `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install demo test test-lowest wheel docs bench clean

$(PY):
	python3 -m venv $(VENV)

$(STAMP): pyproject.toml Makefile | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e ".[all,dev,docs]"
	# the gallery's neurogym example: its release pins an old gymnasium, so no deps
	$(PY) -m pip install --quiet --no-deps neurogym==2.3.1
	$(PY) -m pip install --quiet natsort loguru pydantic-settings tomlkit
	touch $(STAMP)

install: $(STAMP)

# Tests and the docs gallery run small batches: one torch/BLAS thread is as fast on an
# idle machine and keeps them from slowing several-fold while another job holds a core.
test docs: export OMP_NUM_THREADS ?= 1

demo: $(STAMP)
	$(VENV)/bin/navdecode report --out demo-out --force --jobs 2

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(PY) -m pytest $(PYTEST_ARGS)

# The fast tests against the lowest declared core versions (no optional extras: their tests
# skip). Old matplotlib warns through new pyparsing, so warnings are not errors here.
LOWEST := .venv-lowest
test-lowest:
	test -x $(LOWEST)/bin/python || python3 -m venv $(LOWEST)
	$(LOWEST)/bin/python -m pip install --quiet torch==2.13.0
	$(LOWEST)/bin/python -m pip install --quiet -r requirements/lowest.txt
	$(LOWEST)/bin/python -m pip install --quiet --no-deps -e .
	OMP_NUM_THREADS=1 $(LOWEST)/bin/python -m pytest -q -o filterwarnings=ignore -p no:cacheprovider

# A wheel in dist/ that carries the bundled agents and py.typed (CI builds and checks it).
wheel: $(STAMP)
	rm -rf dist
	$(PY) -m pip wheel --quiet --no-deps -w dist .
	$(PY) -c "import sys, zipfile, glob; names = zipfile.ZipFile(glob.glob('dist/navdecode-*.whl')[0]).namelist(); need = ['navdecode/py.typed', 'navdecode/__init__.pyi', 'navdecode/plotting/__init__.pyi', 'navdecode/pretrained/modular-seed0.pt', 'navdecode/pretrained/holistic-seed0.json']; missing = [n for n in need if n not in names]; sys.exit(f'wheel lacks {missing}' if missing else 0)"

docs: $(STAMP)
	$(VENV)/bin/mkdocs build --strict

bench: $(STAMP)
	$(PY) benchmarks/bench_rollout.py

clean:
	rm -rf $(VENV) $(LOWEST) demo-out site docs/generated dist
