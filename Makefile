# newswire: the two commands are `make run` and `make test`; everything else is a step of theirs.
.PHONY: setup run stop test test-unit lint eval contracts manifests bench chaos help

help:
	@echo "make run    set up, start Kafka+Postgres+monitoring+services, feed samples/, print a summary and URLs"
	@echo "make test   set up, start test infrastructure (monitoring included) on test ports, run pytest"
	@echo "make stop   stop the services and servers the project started (dev and test)"
	@echo "make setup  create .venv with the pinned dependencies"
	@echo "make lint   ruff + mypy --strict"
	@echo "make eval   extraction quality on samples/, the held-out texts and the real-news dev and holdout sets"
	@echo "make bench  throughput/latency of every hop against its limit, on its own stack (~13 min)"
	@echo "make chaos  the pipeline under faults (kills, outages, poison), on its own stack (~10 min)"
	@echo "make manifests  regenerate deploy/k8s/base/prometheusrule.yaml from deploy/prometheus/rules"

setup:
	@scripts/setup.sh

run: setup
	@scripts/run.sh

stop:
	@scripts/services.sh stop
	@NEWSWIRE_PROFILE=dev scripts/infra.sh down
	@NEWSWIRE_PROFILE=test scripts/infra.sh down
	@NEWSWIRE_PROFILE=chaos scripts/infra.sh down

test: setup
	@scripts/test.sh

test-unit: setup
	.venv/bin/pytest -m "not kafka and not postgres" tests/unit

lint: setup
	.venv/bin/ruff check services tests bench scripts
	.venv/bin/ruff format --check services tests bench scripts
	.venv/bin/mypy services tests bench scripts

contracts: setup
	.venv/bin/newswire contracts export

manifests: setup
	.venv/bin/python scripts/prometheusrule.py

bench: setup
	@scripts/bench.sh

chaos: setup
	@scripts/chaos.sh

eval: setup
	@scripts/eval.sh
