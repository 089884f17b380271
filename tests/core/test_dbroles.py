"""The PostgreSQL roles of `anjian dbroles`, set up the way the README's deploy steps do
it, in a scratch database: the application's role cannot rewrite the record.

The test suite itself connects as a superuser (it creates and drops its test database);
this test is where the application's role is exercised: roles, then `anjian migrate`
as the owner, then the grants again, then every tampering attempt as the application.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

import anjian
from anjian.core.management.commands.dbroles import CommandError, role_statements

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="database roles are PostgreSQL's"
)

psycopg = pytest.importorskip("psycopg")


def _params(dbname: str, user: str | None = None, password: str | None = None) -> dict:
    db = settings.DATABASES["default"]
    return {
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
        "user": user or db["USER"],
        "password": password if user else db["PASSWORD"] or None,
        "dbname": dbname,
        "autocommit": True,
    }


def _url(dbname: str) -> str:
    p = _params(dbname)
    secret = f":{p['password']}" if p["password"] else ""
    return f"postgres://{p['user']}{secret}@{p['host']}:{p['port']}/{dbname}"


def _anjian(*args: str, env: dict[str, str]) -> None:
    done = subprocess.run(  # noqa: S603 - our own command, arguments from this test
        [sys.executable, "-m", "anjian.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.fixture(scope="module")
def deployed(tmp_path_factory) -> Iterator[dict[str, str]]:
    """A scratch database set up as the README says; dropped afterwards with its roles."""
    suffix = uuid.uuid4().hex[:8]
    names = {
        "db": f"anjian_roles_{suffix}",
        "owner": f"anjian_{suffix}_owner",
        "app": f"anjian_{suffix}_app",
        "password": uuid.uuid4().hex,
    }
    admin = psycopg.connect(**_params("postgres"))
    admin.execute(f'CREATE DATABASE "{names["db"]}"')
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(anjian.__file__).resolve().parents[1]),
        "ANJIAN_VAR_DIR": str(tmp_path_factory.mktemp("var")),
        "ANJIAN_MIGRATE_DATABASE_URL": _url(names["db"]),
        "ANJIAN_APP_DB_PASSWORD": names["password"],
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",  # never used by these commands
    }
    roles = ["dbroles", "--owner", names["owner"], "--app", names["app"], "--execute"]
    try:
        _anjian(*roles, env=env)
        _anjian("migrate", "-v0", env={**env, "ANJIAN_MIGRATE_ROLE": names["owner"]})
        _anjian(*roles, env=env)
        yield names
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{names["db"]}" WITH (FORCE)')
        for role in (names["app"], names["owner"]):
            admin.execute(f'DROP ROLE IF EXISTS "{role}"')
        admin.close()


@pytest.fixture
def app(deployed):
    conn = psycopg.connect(**_params(deployed["db"], deployed["app"], deployed["password"]))
    yield conn
    conn.close()


def _refused(conn, statement: str, params: list | None = None) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(statement, params)


def test_the_application_role_is_no_superuser_and_owns_nothing(deployed, app):
    role = app.execute(
        "SELECT rolsuper, rolcreatedb, rolcreaterole, rolbypassrls FROM pg_roles"
        " WHERE rolname = current_user"
    ).fetchone()
    assert role == (False, False, False, False)
    owned = app.execute(
        "SELECT count(*) FROM pg_class WHERE relowner ="
        " (SELECT oid FROM pg_roles WHERE rolname = current_user)"
    ).fetchone()[0]
    assert owned == 0
    owners = app.execute(
        "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'"
    ).fetchall()
    assert owners == [(deployed["owner"],)]
    member = app.execute("SELECT pg_has_role(current_user, %s, 'MEMBER')", [deployed["owner"]])
    assert member.fetchone()[0] is False


def test_the_application_role_cannot_tamper_with_the_audit_trail(app):
    _refused(app, "TRUNCATE core_auditentry")
    _refused(app, "ALTER TABLE core_auditentry DISABLE TRIGGER ALL")
    _refused(app, "SET session_replication_role = replica")
    _refused(app, "UPDATE core_auditentry SET reason = '篡改'")
    _refused(app, "DELETE FROM core_auditentry")
    _refused(app, "DROP TRIGGER core_auditentry_own_time ON core_auditentry")
    _refused(app, "CREATE TABLE public.shadow (id int)")


def test_a_backdated_insert_gets_the_time_of_the_database(app):
    content_type = app.execute("SELECT min(id) FROM django_content_type").fetchone()[0]
    created_at, now = app.execute(
        "INSERT INTO core_auditentry (created_at, actor_name, action, content_type_id,"
        " object_id, object_repr, changes, reason)"
        " VALUES ('2020-01-01 08:00:00+00', '', 'update', %s, '1', '补录', '{}', '倒签')"
        " RETURNING created_at, clock_timestamp()",
        [content_type],
    ).fetchone()
    assert abs(now - created_at) < dt.timedelta(seconds=5)


def test_the_application_role_reads_and_writes_rows(app):
    app.execute(
        "INSERT INTO django_session (session_key, session_data, expire_date)"
        " VALUES ('rolecheck', 'x', now())"
    )
    app.execute("UPDATE django_session SET session_data = 'y' WHERE session_key = 'rolecheck'")
    app.execute("DELETE FROM django_session WHERE session_key = 'rolecheck'")
    assert app.execute("SELECT count(*) FROM orgs_organisation").fetchone() is not None


def test_tables_of_later_migrations_get_the_same_grants(deployed, app):
    owner = psycopg.connect(**_params(deployed["db"]))
    owner.execute(f'SET ROLE "{deployed["owner"]}"')
    owner.execute("CREATE TABLE public.later_feature (id bigint GENERATED BY DEFAULT AS IDENTITY)")
    owner.close()
    app.execute("INSERT INTO later_feature DEFAULT VALUES")
    assert app.execute("SELECT count(*) FROM later_feature").fetchone()[0] == 1
    _refused(app, "TRUNCATE later_feature")


def test_role_names_are_checked_before_any_sql_is_built():
    with pytest.raises(CommandError):
        role_statements(owner="anjian_owner", app='x"; DROP TABLE y; --', database="anjian")
