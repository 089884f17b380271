"""Database connections are bounded: on PostgreSQL a pool per process (or, with the pool
off, a connection per request), never a connection per thread kept after the request
(the development server starts a thread per request, and those connections once used up
PostgreSQL's 100 in a second)."""

import socketserver
import threading
import time
import urllib.request

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
from django.db import connection

from anjian import settings as anjian_settings

PG_URL = "postgres://someone@db.example:5432/anjian"
VARIABLES = (
    "ANJIAN_DB_POOL_MAX",
    "ANJIAN_DB_POOL_MIN",
    "ANJIAN_DB_POOL_TIMEOUT",
    "ANJIAN_DB_CONN_MAX_AGE",
)


@pytest.fixture
def env(monkeypatch):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)

    def database(url=PG_URL, **variables):
        monkeypatch.setenv("DATABASE_URL", url)
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        return anjian_settings._database()

    return database


def test_postgresql_uses_a_bounded_pool_by_default(env):
    database = env()
    assert database["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 10, "timeout": 10.0}
    assert database["CONN_MAX_AGE"] == 0  # pooled connections go back after each request
    sized = env(ANJIAN_DB_POOL_MAX="4", ANJIAN_DB_POOL_MIN="2", ANJIAN_DB_POOL_TIMEOUT="3")
    assert sized["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 4, "timeout": 3.0}
    assert env(ANJIAN_DB_POOL_MAX="2", ANJIAN_DB_POOL_MIN="5")["OPTIONS"]["pool"]["min_size"] == 2


def test_without_the_pool_a_connection_lasts_one_request_unless_asked(env):
    per_request = env(ANJIAN_DB_POOL_MAX="0")
    assert "pool" not in per_request["OPTIONS"] and per_request["CONN_MAX_AGE"] == 0
    # behind an outside pooler one may keep connections, knowingly
    kept = env(ANJIAN_DB_POOL_MAX="0", ANJIAN_DB_CONN_MAX_AGE="30")
    assert "pool" not in kept["OPTIONS"] and kept["CONN_MAX_AGE"] == 30


def test_persistent_connections_and_the_pool_do_not_mix(env):
    with pytest.raises(ImproperlyConfigured, match="ANJIAN_DB_POOL_MAX=0"):
        env(ANJIAN_DB_CONN_MAX_AGE="60")


def test_sqlite_opens_a_connection_per_request(env, tmp_path):
    database = env(f"sqlite:///{tmp_path / 'a.sqlite3'}", ANJIAN_DB_CONN_MAX_AGE="60")
    assert database["CONN_MAX_AGE"] == 0 and "pool" not in database["OPTIONS"]


def test_the_running_configuration_keeps_no_connection_past_its_request():
    database = settings.DATABASES["default"]
    assert database["CONN_MAX_AGE"] == 0
    if connection.vendor == "postgresql":
        assert database["OPTIONS"]["pool"]["max_size"] >= 1


class _DevelopmentServer(socketserver.ThreadingMixIn, WSGIServer):
    """What `anjian runserver` serves with: a new thread per request (unlike the test
    live server, it does not close the thread's connections at the end)."""

    daemon_threads = True


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="counts PostgreSQL backends")
def test_many_request_threads_never_hold_more_than_the_pool(settings):
    import psycopg

    pool = settings.DATABASES["default"]["OPTIONS"]["pool"]
    limit = pool["max_size"]
    server = _DevelopmentServer(("127.0.0.1", 0), WSGIRequestHandler)
    server.set_app(WSGIHandler())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/healthz"
    db = settings.DATABASES["default"]
    counter = psycopg.connect(
        dbname=connection.settings_dict["NAME"],
        user=db["USER"],
        password=db["PASSWORD"],
        host=db["HOST"],
        port=db["PORT"] or 5432,
        autocommit=True,
    )
    count_sql = (
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )

    def open_connections():
        return counter.execute(count_sql).fetchone()[0]

    statuses, peak, done = [], [0], threading.Event()

    def sample():
        while not done.wait(0.02):
            peak[0] = max(peak[0], open_connections())

    def client():
        for _ in range(5):
            with urllib.request.urlopen(url, timeout=30) as response:
                statuses.append(response.status)

    sampler = threading.Thread(target=sample)
    sampler.start()
    clients = [threading.Thread(target=client) for _ in range(3 * limit)]
    try:
        for t in clients:
            t.start()
        for t in clients:
            t.join()
    finally:
        done.set()
        sampler.join()
        server.shutdown()
        server.server_close()
    time.sleep(0.2)
    after = open_connections()
    counter.close()
    assert statuses == [200] * (3 * limit * 5)
    # the test's own connection comes from the same pool
    assert peak[0] <= limit and after <= limit, (peak[0], after, limit)


def test_schema_commands_connect_directly_as_the_owner_role(env, monkeypatch):
    # `anjian migrate` with ANJIAN_MIGRATE_DATABASE_URL: SET ROLE on a pooled connection
    # left it inside a transaction and the pool discarded every one (a PoolTimeout).
    monkeypatch.setattr(anjian_settings, "_COMMAND", "migrate")
    monkeypatch.setattr(anjian_settings, "_MIGRATE_URL", "postgres://admin@db.example:5432/anjian")
    monkeypatch.setenv("ANJIAN_MIGRATE_ROLE", "anjian_owner")
    database = env()
    assert database["USER"] == "admin"
    assert database["OPTIONS"]["assume_role"] == "anjian_owner"
    assert "pool" not in database["OPTIONS"]
