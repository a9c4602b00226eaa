# Two commands on a fresh machine: `make synth` (dist/) and `make test` (the whole suite).
SHELL := /bin/bash
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK8S_CHECK_UPGRADE := false
# Cached bytecode: with PYTHONDONTWRITEBYTECODE set, every fresh process (each ros-synth, each test
# worker) compiles the package and the cdk8s bindings again.
unexport PYTHONDONTWRITEBYTECODE

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: synth test e2e lint check fuzz bench schema docs sizing diagram imports clean

$(PY_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,lint]'
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

## synth: write the default deployment to dist/ (values files: ROS_VALUES=a.yaml:b.yaml).
## Same code path as `npx cdk8s synth`, but a values error leaves dist/ as it was (the cdk8s
## CLI deletes dist/ before running the app) and exits 2 without a Node stack trace.
synth: $(PY_STAMP) $(NODE_STAMP)
	$(BIN)/ros-synth $(foreach f,$(subst :, ,$(ROS_VALUES)),-f $(f)) -o dist

## test: lint, type-check and run every test, on every core (snapshot updates run serially:
## .venv/bin/pytest --snapshot-update)
test: lint
	$(BIN)/pytest -n auto -m "not e2e"

## e2e: the output against a real etcd and kube-apiserver (built once from their Go modules, cached)
e2e: $(PY_STAMP)
	E2E_BIN="$$(scripts/e2e-tools.sh)" $(BIN)/pytest -n 2 -m e2e tests/e2e

lint: $(PY_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## check: policy scan (checkov, own venv) over every matrix entry; skips and reasons in .checkov.yaml
check: $(PY_STAMP)
	scripts/checkov.sh

## fuzz: thousands of hypothesis-generated values files (CI runs a few hundred inside `make test`)
fuzz: $(PY_STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest tests/test_fuzz.py --hypothesis-show-statistics

## bench: synthesis speed in fresh processes against the empty cdk8s app (measures, asserts nothing)
bench: $(PY_STAMP) $(NODE_STAMP)
	$(BIN)/python scripts/bench.py

## schema: regenerate values.schema.json from the values model
schema: $(PY_STAMP)
	$(BIN)/python -m ros_constructs.tools.schema > values.schema.json

## docs: regenerate docs/configuration.md (every value, its default, the env vars it sets)
docs: $(PY_STAMP)
	$(BIN)/python -m ros_constructs.tools.docs > docs/configuration.md

## sizing: regenerate the README's table of pods, cpu and memory per profile
sizing: $(PY_STAMP)
	$(BIN)/python -m ros_constructs.tools.sizing --readme README.md

## diagram: regenerate the default deployment's topology: README's Mermaid block and docs/topology.svg
diagram: $(PY_STAMP) $(NODE_STAMP)
	$(BIN)/python -m ros_constructs.tools.diagram --readme README.md --svg docs/topology.svg

## imports: regenerate crds/ (reduced) and imports/ (cdk8s bindings) from ../shared/crds, and
## imports/manifest (the ManifestObject every object is made as) from typescript/index.ts
imports: $(PY_STAMP) $(NODE_STAMP)
	PYTHON=$(BIN)/python scripts/imports.sh

clean:
	rm -rf dist .venv .venv-checkov node_modules
