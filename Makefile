# The two commands a new user runs: `make run` and `make test`. Everything else is for developers.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip

.PHONY: run report test lint unit venv dev clean fuzz load bench bench-scale test-deploy package deploy offline tencent
.PHONY: mutate
NPM_STAMP := node_modules/.installed
STAGE ?= dev

# A stamp per requirements file: reinstall only when it changed.
# The CLI needs 3.11 (tomllib); say so before installing anything rather than failing after.
$(VENV)/.runtime: requirements.txt requirements-aws.txt requirements-tencent.txt requirements-serve.txt requirements-tools.txt requirements-mysql.txt requirements-postgresql.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "voice-receipts needs Python 3.11+ for its tools; $(PYTHON) is $$($(PYTHON) --version 2>&1)." >&2; \
	  echo "Run with PYTHON=python3.11 (or newer), e.g. make run PYTHON=python3.13" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt -r requirements-serve.txt -r requirements-tools.txt  # the function's, then the CLI's
	touch $@

# `report`'s plotting library, installed on first `make report` (or with the dev tools)
$(VENV)/.report: $(VENV)/.runtime requirements-report.txt
	$(PIP) install --quiet -r requirements-report.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt requirements-report.txt
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.runtime
dev: $(VENV)/.dev

## make report: the last 7 days of ./receipts.db as report.html (one file, opens on a phone)
report: $(VENV)/.report
	$(PY) -m voice_receipts report --since 7d --out report.html --store sqlite:///receipts.db

## make run: replay events/ through the real handler into ./receipts.db, then show the calls
run: $(VENV)/.runtime
	$(PY) -m voice_receipts replay events --expect events/expected.toml --store sqlite:///receipts.db
	$(PY) -m voice_receipts show --store sqlite:///receipts.db

# osls + serverless-offline, exactly as package-lock.json pins them; Node is checked first
$(NPM_STAMP): package-lock.json
	@node deploy/check_node.js
	npm ci --no-audit --no-fund
	touch $@

## make test: the whole suite (the deploy tests package with osls and run serverless-offline)
test: $(VENV)/.dev $(NPM_STAMP)
	bash tests/sql_servers.sh  # MariaDB and PostgreSQL for the SQL stores' tests, where missing
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) -m pytest

## make test-deploy: only the packaging and offline end-to-end tests
test-deploy: $(VENV)/.dev $(NPM_STAMP)
	$(PY) -m pytest -m deploy

## make package: the AWS CloudFormation and zip in .serverless/ (no AWS account needed).
## Packages the `test` stage unless STAGE is given: other stages read their token from SSM.
package: $(VENV)/.dev $(NPM_STAMP)
	npx osls package --stage $(if $(filter command line environment,$(origin STAGE)),$(STAGE),test)

## make deploy STAGE=prod [TOKEN=...]: deploy to AWS (the token from TOKEN, else from SSM)
deploy: $(VENV)/.dev $(NPM_STAMP)
	npx osls deploy --stage $(STAGE) $(if $(TOKEN),--param token=$(TOKEN))

## make offline: moto + serverless-offline on 127.0.0.1; curl the URL it prints, then `show`.
## Ports 3000/3002/5005 move with OFFLINE_HTTP_PORT, OFFLINE_LAMBDA_PORT, MOTO_PORT.
offline: $(VENV)/.dev $(NPM_STAMP)
	$(PY) deploy/offline.py

## make tencent STORE=mysql|cmq: the folder `scf deploy` uploads (deploy/tencent/build) for
## deploy/tencent/$(STORE)/serverless.yml; mysql (TDSQL-C) is the default for a new deployment
STORE ?= mysql
tencent: $(VENV)/.dev
	$(if $(filter mysql cmq,$(STORE)),,$(error STORE must be mysql or cmq: deploy/tencent/mysql or deploy/tencent/cmq))
	$(PY) deploy/build_package.py --cloud tencent $(if $(filter mysql,$(STORE)),--store mysql) --unzipped --out deploy/tencent/build --python 3.10 --arch x86_64
	@echo "next: cd deploy/tencent/$(STORE), fill in .env (from .env.example), scf deploy (docs/deploy.md)"

## make mutate: mutation testing of the function's core with mutmut (not part of `make test`).
## The modules and the tests it uses are [tool.mutmut] in pyproject.toml; results in mutants/,
## kept between runs (only changed code is mutated again); `rm -rf mutants` for a fresh run.
## docs/testing.md ("Mutation testing") lists the survivors and why each is left.
MUTATE_JOBS ?= 2
$(VENV)/.mutate: $(VENV)/.dev requirements-mutate.txt
	$(PIP) install --quiet -r requirements-mutate.txt
	touch $@

# tests/kept_servers.py: one MariaDB and one PostgreSQL for the whole run, not one per mutant.
# The venv first on PATH: mutmut runs `mypy` (type_check_command) by name.
# TMPDIR in memory (/dev/shm where there is one; open to all, as /tmp, for the postgres user):
# the tests' SQLite files and the servers' data, whose fsyncs were a tenth of a second of every
# mutant that opens a store.
mutate: $(VENV)/.mutate
	tmp=$$(mktemp -d /dev/shm/vr-mutate-XXXXXX 2>/dev/null || mktemp -d) && chmod 1777 $$tmp && \
	  TMPDIR=$$tmp PATH="$(abspath $(VENV))/bin:$$PATH" \
	  $(PY) -m tests.kept_servers $(VENV)/bin/mutmut run --max-children $(MUTATE_JOBS); \
	  status=$$?; rm -rf $$tmp; exit $$status
	$(VENV)/bin/mutmut results

unit: $(VENV)/.dev
	$(PY) -m pytest tests/unit -q

lint: $(VENV)/.dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

## make fuzz: the long property-test run (FUZZ_EXAMPLES per property, default 20000)
fuzz: $(VENV)/.dev
	HYPOTHESIS_PROFILE=long $(PY) -m pytest tests/fuzz -q -p no:cacheprovider
	VOICE_RECEIPTS_HOSTILE_ALL=1 $(PY) -m pytest tests/e2e/test_cli_hostile.py -q -p no:cacheprovider

## make load: 30 s of bounded load on `serve`, then on the offline stack, over loopback;
## fails on any error or growing memory
load: $(VENV)/.dev $(NPM_STAMP)
	$(PY) bench/load.py --target serve --seconds 30 --connections 8
	$(PY) bench/load.py --target offline --seconds 30 --connections 4

## make bench: cold start, warm CPU, memory, throughput and package size, in one table
$(VENV)/.bench: $(VENV)/.dev bench/requirements.txt
	$(PIP) install --quiet -r bench/requirements.txt
	touch $@

bench: $(VENV)/.bench
	$(PY) bench/run.py
	bash tests/sql_servers.sh
	$(PY) bench/sql.py  # the package into MySQL beside a ten-line PyMySQL handler

clean:
	rm -rf $(VENV) node_modules .serverless .pytest_cache .hypothesis receipts.db receipts.db-* report.html deploy/tencent/build

## make bench-scale: show, --phone, report and replay at 10k/100k/1M stored receipts, against main (bench/scale.py)
bench-scale: $(VENV)/.dev
	$(PY) bench/scale.py
