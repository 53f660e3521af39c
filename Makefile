# The two commands of the README: `make demo` and `make test`. Both set everything up first.
PYTHON := .venv/bin/python
PYTEST_ARGS ?=

.PHONY: setup demo test test-fast stack-up stack-down stack-status

setup:
	bash deploy/local/setup.sh
	$(PYTHON) manage.py migrate --noinput -v 0
	$(PYTHON) manage.py collectstatic --noinput -v 0
	$(PYTHON) -m alembic upgrade head
	$(PYTHON) manage.py stack init

# demo_people: the demo's queue and agents in Django (agent1/agent2 simulated softphones, the
# browser's webagent1), so the escalations get answered; the stack renders them from there.
demo: setup
	$(PYTHON) manage.py demo_people
	$(PYTHON) manage.py stack up
	$(PYTHON) manage.py demo_admin
	$(PYTHON) manage.py console_agent
	$(PYTHON) manage.py demo

# The planes' import boundaries first ([tool.importlinter] in pyproject.toml), then the suite.
test: setup
	.venv/bin/lint-imports
	$(PYTHON) -m pytest $(PYTEST_ARGS)

# Everything but the tests that start real servers (seconds instead of minutes).
test-fast: setup
	.venv/bin/lint-imports
	$(PYTHON) -m pytest -m "not realstack" $(PYTEST_ARGS)

stack-up:
	$(PYTHON) manage.py stack up

stack-down:
	$(PYTHON) manage.py stack down

stack-status:
	$(PYTHON) manage.py stack status
