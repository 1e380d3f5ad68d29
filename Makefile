# One Makefile for the project. `make help` lists every target.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LOCK := requirements/dev.lock
RUNTIME_LOCK := requirements/runtime.lock
# uv runs from a venv of its own: PEP 668 systems refuse pip installs into the system Python.
TOOLS := .venv-tools
UV := $(TOOLS)/bin/uv
UV_COMPILE := $(UV) pip compile --python-version 3.10 --python-platform x86_64-unknown-linux-gnu \
	--generate-hashes --override requirements/overrides.txt
MODEL := models/b12.tar.gz
export RASA_TELEMETRY_ENABLED := false
export PYTHONPATH := $(CURDIR):$(CURDIR)/src
export TF_CPP_MIN_LOG_LEVEL := 2

# Each topic package's NLU examples, merged into the training data by the build.
TOPIC_NLU := $(wildcard src/guideline_engine/content/*/nlu.yml)
# Everything the trained model depends on. Rasa's own fingerprint does not see the vocabularies
# read by the custom component, so they are listed here too (and in its fingerprint_addon).
TRAIN_DEPS := config.yml domain.yml $(shell find data components src/guideline_engine/vocab \
	src/guideline_engine/extraction src/guideline_engine/triage \
	-type f \( -name '*.yml' -o -name '*.py' \) 2>/dev/null | sort) \
	$(wildcard src/guideline_engine/content/*/vocab.yml) $(TOPIC_NLU)

.PHONY: help install webchat-deps run train test lint typecheck unit validate kb-validate kb-rehash \
	rasa-validate rasa-test e2e eval lock clean audit services services-stop test-production bench \
	triage-training triage-cv followup-training

help: ## Show this help
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}'

$(BIN)/.installed: $(LOCK)
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: install python3.11 and run make PYTHON=python3.11 install" >&2; exit 1; }
	@$(PYTHON) scripts/check_python.py
	@test ! -x $(BIN)/python || $(BIN)/python scripts/check_python.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# Rasa 3.6 declares Python <3.11; the lock pins versions that have 3.11 wheels. Every pin
	# carries its hashes: pip refuses any file that does not match.
	$(BIN)/pip install --quiet --require-hashes --no-deps --ignore-requires-python -r $(LOCK)
	touch $@

install: $(BIN)/.installed ## Create .venv from the committed lock (no manual step)

$(MODEL): $(BIN)/.installed $(TRAIN_DEPS)
	$(BIN)/rasa train --data data $(TOPIC_NLU) --fixed-model-name b12 --out models --quiet
	touch $@

train: $(MODEL) ## Train the model only if config, domain, data or vocabularies changed

run: install train ## Install what is missing, train if stale, start action + Rasa servers
	scripts/run.sh

lint: install ## ruff on all Python code
	$(BIN)/ruff check src actions components channels tests scripts action_server stores bench security \
		rasa_patches

typecheck: install ## mypy (strict) on every package (pyproject.toml [tool.mypy])
	$(BIN)/mypy

webchat/node_modules/.package-lock.json: webchat/package-lock.json
	cd webchat && npm ci --no-audit --no-fund --loglevel=error

webchat-deps: webchat/node_modules/.package-lock.json ## Node packages of the web chat (its render check, axe-core)

unit: install webchat-deps ## Unit tests (engine, actions, components) without servers
	$(BIN)/pytest -m "not e2e and not production" -q

audit: install ## Known-advisory check of the lock against security/advisories.yml (offline)
	$(BIN)/python -m security.audit

kb-validate: install ## Validate the curated knowledge base and build the follow-up retriever over it
	$(BIN)/python -m guideline_engine.knowledge validate
	$(BIN)/python -m guideline_engine.retrieval validate

kb-rehash: install ## Refresh hashes of non-approved snippets and register rows (rules, table engine) after editing
	$(BIN)/python -m guideline_engine.knowledge rehash

rasa-validate: install ## rasa data validate (domain, NLU data, rules)
	$(BIN)/rasa data validate --domain domain.yml --data data $(TOPIC_NLU) --config config.yml --fail-on-warnings

rasa-test: train ## Test stories with --fail-on-prediction-errors
	$(BIN)/rasa test core --stories tests/test_stories.yml --model $(MODEL) --fail-on-prediction-errors \
		--out results/core --no-plot

e2e: train webchat-deps ## End-to-end tests against real servers (REST, web chat in headless Chromium)
	scripts/install_browser.sh
	$(BIN)/pytest -m e2e -q

services: ## Install (Debian packages, if missing) and start PostgreSQL + Redis on 127.0.0.1
	scripts/services.sh start

services-stop: ## Stop the local PostgreSQL + Redis
	scripts/services.sh stop

test-production: train services ## Two Rasa servers on PostgreSQL + Redis: failover, faults, 10k-turn soak
	$(BIN)/pytest -m production -q

validate: kb-validate rasa-validate ## All data validation

test: lint typecheck kb-validate audit unit rasa-validate rasa-test e2e ## Everything CI runs

eval: train ## Print NLU intent F1, extraction P/R/F1 and follow-up retrieval figures (held out)
	$(BIN)/rasa test nlu --nlu tests/nlu/held_out.yml --model $(MODEL) --out results/nlu --no-plot
	$(BIN)/python scripts/print_nlu_report.py results/nlu
	$(BIN)/python scripts/eval_extraction.py
	$(BIN)/python scripts/eval_retrieval.py
	$(BIN)/python scripts/eval_blind.py --split test --json results/eval_blind_test.json
	$(BIN)/python scripts/eval_blind.py --split test --first first_messages4 --json results/eval_blind_test_fm4.json
	$(BIN)/python scripts/eval_triage.py --json results/eval_triage.json

triage-training: install ## Regenerate the trained triage signal's data from the blind DEV splits
	$(BIN)/python scripts/build_triage_training.py

triage-cv: install ## Leave-one-dev-set-out figures of triage with the trained signal (dev only)
	$(BIN)/python scripts/cv_triage_model.py --threshold 0.4 0.5 0.6

followup-training: install ## Regenerate the learned follow-up signal's data from the blind DEV splits
	$(BIN)/python scripts/build_followup_training.py

bench: install ## Benchmark (<= 15 min): training, cold start, latency, throughput (Locust), memory
	$(BIN)/python -m bench.run_bench $(BENCH_ARGS)

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==0.13.8

lock: $(UV) ## Recompile both hashed locks: dev (make install) and runtime (image); needs PyPI
	$(UV_COMPILE) requirements/dev.in -o $(LOCK)
	$(UV_COMPILE) requirements/requirements.in -o $(RUNTIME_LOCK)

clean: ## Remove trained models, caches and results
	rm -rf models results .rasa .pytest_cache .mypy_cache .ruff_cache
