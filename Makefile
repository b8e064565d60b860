# The README's two commands are `make lab` and `make test`; CI runs `make test` (.ci/run).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PORT   ?= 8888
START  ?= lessons/00_orientation.ipynb
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: setup lab test lint unit exercises bench clean hub

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)  ## create the environment (once; again when pyproject.toml changes)

lab: setup  ## open the course in JupyterLab
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" --port=$(PORT) $(ROOT_FLAG) $(START)

test: setup lint  ## every test: unit, notebooks, nbgrader pipeline, browser
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .

unit: setup  ## the fast tests only
	$(BIN)/python -m pytest -m "not notebooks and not nbgrader and not browser and not hub"

exercises: setup  ## regenerate exercises/ from solutions/ with nbgrader
	$(BIN)/bshtrain build

bench: setup  ## library figures, then the 60-submission cohort (bench/cohort.py)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/cohort.py

HUB_PORT ?= 8000
HUB_DIR  ?= /srv/bshtrain-hub

hub: setup  ## the course on JupyterHub on this machine, as root (docs/hosting.md); Ctrl-C stops it
	bash deploy/system-packages.sh
	$(BIN)/python deploy/localhub.py --dir "$(HUB_DIR)" --port $(HUB_PORT)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache gradebook.db
