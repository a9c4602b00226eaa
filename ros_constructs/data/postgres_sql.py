"""The psql script that makes each service's login and database exist on the shared PostgreSQL,
with the extensions a service's migrations create but its owner may not (``CREATE EXTENSION``
needs a superuser).

A Job runs it as a superuser on every install and upgrade, so it is idempotent: it creates what
is missing, re-sets each password (rotating a Secret rotates the login) and limits CONNECT on a
service's database to its owner. Names and passwords come from the Job's environment through
psql ``\\getenv`` (psql 15+), never from the script, so the script can live in a ConfigMap. A
missing or empty variable stops the script before it changes anything.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

DATABASE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")


@dataclass(frozen=True, kw_only=True)
class ServiceLogin:
    """One service's database and the env vars that hold its login name and password."""

    database: str
    user_env: str
    password_env: str
    extensions: tuple[str, ...] = ()
    """Created in the database (schema public) by the superuser running the script."""

    def __post_init__(self) -> None:
        if not DATABASE_NAME.fullmatch(self.database):
            raise ValueError(f"database {self.database!r} is not a lowercase identifier ([a-z_][a-z0-9_]*, <= 63)")
        for extension in self.extensions:
            if not DATABASE_NAME.fullmatch(extension):
                raise ValueError(f"extension {extension!r} is not a lowercase identifier ([a-z_][a-z0-9_]*, <= 63)")
        for field in ("user_env", "password_env"):
            if not ENV_NAME.fullmatch(value := getattr(self, field)):
                raise ValueError(f"{field} {value!r} is not an environment variable name ([A-Z_][A-Z0-9_]*)")


def _read_env(name: str) -> str:
    """Set psql variable ``env_<name>`` from the environment, or stop with an error naming it."""
    return f"""\\set env_{name} ''
\\getenv env_{name} {name}
SELECT :'env_{name}' = '' AS missing \\gset
\\if :missing
DO $$BEGIN RAISE EXCEPTION 'environment variable {name} is not set or empty'; END$$;
\\endif
"""


def _ensure(login: ServiceLogin) -> str:
    db, user, password = login.database, f"env_{login.user_env}", f"env_{login.password_env}"
    script = f"""
-- database {db}: login from ${login.user_env}, password from ${login.password_env}
SELECT format('CREATE ROLE %I LOGIN', :'{user}')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'{user}') \\gexec
ALTER ROLE :"{user}" WITH LOGIN PASSWORD :'{password}';
SELECT format('CREATE DATABASE %I OWNER %I', '{db}', :'{user}')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '{db}') \\gexec
ALTER DATABASE "{db}" OWNER TO :"{user}";
REVOKE CONNECT ON DATABASE "{db}" FROM PUBLIC;
GRANT CONNECT ON DATABASE "{db}" TO :"{user}";
"""
    if login.extensions:  # in the service's database; only what is missing, so a rerun changes nothing
        created = "".join(
            f"SELECT 'CREATE EXTENSION \"{e}\" SCHEMA public'\n"
            f" WHERE NOT EXISTS (SELECT FROM pg_extension WHERE extname = '{e}') \\gexec\n"
            for e in login.extensions
        )
        script += f'\\connect "{db}"\n{created}\\connect postgres\n'
    return script


def ensure_sql(logins: Sequence[ServiceLogin]) -> str:
    """A psql script (run as a superuser) that makes every login and its database exist.

    ``ON_ERROR_STOP`` is set by the script itself; every env var is checked before any change.
    """
    databases = [login.database for login in logins]
    if dupes := sorted({db for db in databases if databases.count(db) > 1}):
        raise ValueError(f"databases listed more than once: {', '.join(dupes)}")
    env_names = dict.fromkeys(name for login in logins for name in (login.user_env, login.password_env))
    return "\\set ON_ERROR_STOP on\n" + "".join(map(_read_env, env_names)) + "".join(map(_ensure, logins))
