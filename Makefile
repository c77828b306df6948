# newswire: the two commands are `make run` and `make test`; everything else is a step of theirs.
.PHONY: setup run stop test test-unit lint eval contracts help

help:
	@echo "make run    set up, start Kafka+Postgres+services, feed samples/, print a summary (stack stays up)"
	@echo "make test   set up, start test infrastructure on test ports, run pytest"
	@echo "make stop   stop the services and servers the project started (dev and test)"
	@echo "make setup  create .venv with the pinned dependencies"
	@echo "make lint   ruff + mypy --strict"
	@echo "make eval   score offline extraction of the sample articles against ../shared/eval gold"

setup:
	@scripts/setup.sh

run: setup
	@scripts/run.sh

stop:
	@scripts/services.sh stop
	@NEWSWIRE_PROFILE=dev scripts/infra.sh down
	@NEWSWIRE_PROFILE=test scripts/infra.sh down

test: setup
	@scripts/test.sh

test-unit: setup
	.venv/bin/pytest -m "not kafka and not postgres" tests/unit

lint: setup
	.venv/bin/ruff check services tests
	.venv/bin/ruff format --check services tests
	.venv/bin/mypy services tests

contracts: setup
	.venv/bin/newswire contracts export

eval: setup
	.venv/bin/newswire extract samples/*.txt --output /tmp/newswire-eval.jsonl
	python3 ../shared/eval/score.py ../shared/eval/seeds.gold.jsonl /tmp/newswire-eval.jsonl
