# The README's two commands are `make lab` and `make test`; CI runs `make test` (.ci/run).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# make lab / make instructor options: PORT=8888, HOST=0.0.0.0 (listen on every interface: a
# container, another machine), BROWSER=no (print the address only), START=<notebook> (lab only).
# HOST is taken from the command line only (some shells export HOST as the machine's name).
PORT   ?= 8888
START  ?= lessons/00_orientation.ipynb
ifneq ($(origin HOST),command line)
HOST   := localhost
endif
LAUNCH  = $(BIN)/python -m bshtrain.instructor.launch --root "$(CURDIR)" --host $(HOST) \
          --port $(PORT) $(if $(filter no none false 0,$(BROWSER)),--no-browser,)

.PHONY: setup lab instructor notebook-filter test lint unit exercises bench clean hub

$(STAMP): pyproject.toml
	@echo "Creating the environment in $(VENV)/: JupyterLab, nbgrader and the course's libraries."
	@echo "pip downloads about 230 MB (144 packages) and installs 0.9 GB: about two minutes on a"
	@echo "fast connection (1 min 52 s measured), longer on a slow one. Its progress follows."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --progress-bar on --upgrade pip
	$(BIN)/python -m pip install --progress-bar on -e '.[test]'
	touch $(STAMP)
	@echo "Environment ready in $(VENV)/."

setup: $(STAMP)  ## create the environment (once; again when pyproject.toml changes)
	@$(MAKE) --no-print-directory notebook-filter

# git keeps notebooks as committed (design 2): .gitattributes names the nbstripout filter, this
# defines it in .git/config (outputs, execution counts, widget state and run details dropped;
# cell ids and nbgrader's metadata kept). Nothing is done outside a git clone of the course.
notebook-filter:
	@$(BIN)/python -m bshtrain.instructor.launch git-filter --root "$(CURDIR)"

lab: setup  ## the trainee route: JupyterLab on lesson 0 (options above)
	$(LAUNCH) --start $(START) trainee

instructor: setup  ## the instructor route: JupyterLab with nbgrader's formgrader, Create Assignment, Validate
	$(LAUNCH) instructor

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
