"""`anjian dbroles`: the PostgreSQL roles the system runs under.

- the owner (default `anjian_owner`, NOLOGIN) owns every table, sequence and function
  of the schema; migrations run as it (`ANJIAN_MIGRATE_ROLE`);
- the application (default `anjian_app`, LOGIN, no other attribute) may only read and
  write rows: SELECT/INSERT/UPDATE/DELETE on the tables, SELECT/INSERT only on the audit
  trail, no TRUNCATE, no ownership, no schema changes, no membership in the owner.
  Without ownership it cannot disable triggers; without superuser it cannot set
  `session_replication_role`; the audit trigger sets the entries' time.

Prints the SQL; `--execute` runs it through ANJIAN_MIGRATE_DATABASE_URL (a superuser,
or a role with CREATEROLE that is a member of the owner). Idempotent: run it once before
the first `anjian migrate` and again after every one (it re-applies the grants and hands
anything a migration created as another role to the owner).
"""

from __future__ import annotations

import os
import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from psycopg import sql

#: Tables whose rows are never changed or removed once written.
APPEND_ONLY_TABLES = ("core_auditentry",)
SCHEMA = "public"
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _quoted(name: str) -> str:
    if not ROLE_NAME.match(name):
        raise CommandError(f"角色名只能由小写字母、数字和下划线组成：{name!r}")
    return f'"{name}"'


def _create_role_if_missing(name: str) -> str:
    return (
        f"DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{name}') "
        f"THEN CREATE ROLE {_quoted(name)}; END IF; END$$"
    )


def _superuser_attributes_off(*names: str) -> str:
    """Only a superuser may switch SUPERUSER, REPLICATION and BYPASSRLS: a role with
    CREATEROLE checks that they are off instead (new roles start with them off)."""
    quoted = " ".join(_quoted(name) for name in names)  # checks the names
    listed = ", ".join(f"'{name}'" for name in names)
    fix = "; ".join(f"ALTER ROLE {_quoted(n)} NOSUPERUSER NOREPLICATION NOBYPASSRLS" for n in names)
    return (
        "DO $$BEGIN IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) "
        f"THEN {fix}; "
        f"ELSIF EXISTS (SELECT FROM pg_roles WHERE rolname IN ({listed}) "
        "AND (rolsuper OR rolreplication OR rolbypassrls)) "
        f"THEN RAISE EXCEPTION 'a superuser must remove SUPERUSER, REPLICATION and BYPASSRLS "
        f"from {quoted}'; END IF; END$$"
    )


def role_statements(*, owner: str, app: str, database: str) -> list[str]:
    """The SQL, in order. Role names are checked, so quoting them is safe."""
    o, a = _quoted(owner), _quoted(app)
    statements = [
        _create_role_if_missing(owner),
        _create_role_if_missing(app),
        f"ALTER ROLE {o} NOLOGIN NOCREATEDB NOCREATEROLE",
        f"ALTER ROLE {a} LOGIN NOINHERIT NOCREATEDB NOCREATEROLE",
        _superuser_attributes_off(owner, app),
        f"REVOKE {o} FROM {a}",
        # A migrating role that is no superuser acts as the owner (SET ROLE) and hands
        # objects to it, for which it must be a member.
        f"DO $$BEGIN IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) "
        f"THEN EXECUTE 'GRANT {o} TO ' || quote_ident(current_user); END IF; END$$",
        f'GRANT CONNECT ON DATABASE "{database}" TO {a}',
        f"REVOKE CREATE ON SCHEMA {SCHEMA} FROM PUBLIC",
        f"GRANT USAGE, CREATE ON SCHEMA {SCHEMA} TO {o}",
        f"GRANT USAGE ON SCHEMA {SCHEMA} TO {a}",
        # Whatever a migration created as another role (a superuser) goes to the owner.
        # Sequences behind identity columns follow their table.
        # Role names are checked against ROLE_NAME above, so the text is safe to build.
        f"""DO $$DECLARE r record; BEGIN
    FOR r IN SELECT c.oid::regclass AS name FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = '{SCHEMA}' AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
          AND pg_get_userbyid(c.relowner) <> '{owner}'
    LOOP EXECUTE format('ALTER TABLE %s OWNER TO %I', r.name, '{owner}'); END LOOP;
    FOR r IN SELECT c.oid::regclass AS name FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = '{SCHEMA}' AND c.relkind = 'S'
          AND pg_get_userbyid(c.relowner) <> '{owner}'
          AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid
                          AND d.deptype IN ('a', 'i'))
    LOOP EXECUTE format('ALTER SEQUENCE %s OWNER TO %I', r.name, '{owner}'); END LOOP;
    FOR r IN SELECT p.oid::regprocedure AS name FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = '{SCHEMA}' AND pg_get_userbyid(p.proowner) <> '{owner}'
          AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
    LOOP EXECUTE format('ALTER FUNCTION %s OWNER TO %I', r.name, '{owner}'); END LOOP;
END$$""",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {SCHEMA} FROM {a}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {SCHEMA} TO {a}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {SCHEMA} FROM {a}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {SCHEMA} TO {a}",
        # Tables a later migration creates (as the owner) get the same grants.
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA {SCHEMA} "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {a}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA {SCHEMA} "
        f"GRANT USAGE, SELECT ON SEQUENCES TO {a}",
    ]
    for table in APPEND_ONLY_TABLES:
        statements.append(
            f"DO $$BEGIN IF to_regclass('{SCHEMA}.{table}') IS NOT NULL THEN "
            f"REVOKE UPDATE, DELETE, TRUNCATE ON {SCHEMA}.{table} FROM {a}; END IF; END$$"
        )
    return statements


class Command(BaseCommand):
    help = "创建或校正 PostgreSQL 的属主角色和应用角色（默认只打印 SQL）。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--owner", default="anjian_owner", help="属主角色（NOLOGIN）")
        parser.add_argument("--app", default="anjian_app", help="应用连接所用的角色（LOGIN）")
        parser.add_argument(
            "--password-env",
            default="ANJIAN_APP_DB_PASSWORD",
            help="应用角色密码所在的环境变量（未设置则不改密码）",
        )
        parser.add_argument("--execute", action="store_true", help="执行（否则只打印 SQL）")

    def handle(self, *args: Any, owner: str, app: str, password_env: str, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("数据库角色只适用于 PostgreSQL。")
        if owner == app:
            raise CommandError("属主角色和应用角色必须不同。")
        statements = role_statements(
            owner=owner, app=app, database=connection.settings_dict["NAME"]
        )
        password = os.environ.get(password_env)
        if not options["execute"]:
            for statement in statements:
                self.stdout.write(statement + ";")
            if password:
                self.stdout.write(f"ALTER ROLE {_quoted(app)} PASSWORD '…';")
            return
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
            if password:
                # A utility statement takes no bound parameters: quote the literal here.
                literal = sql.Literal(password).as_string(connection.connection)
                cursor.execute(f"ALTER ROLE {_quoted(app)} PASSWORD {literal}")
        self.stdout.write(f"角色已就绪：属主 {owner}，应用 {app}。")
