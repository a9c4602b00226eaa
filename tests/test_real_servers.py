"""The database bootstrap script and the cache probe against real servers (Debian packages).

Each server starts once per module in a throwaway directory on a free port; without the packages
the tests skip and say what to install. As root (CI), the PostgreSQL commands run as ``postgres``.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import free_port

from ros_constructs.data.cache import DATA_PATH, probe_command, server_args, server_command
from ros_constructs.data.postgres_sql import ServiceLogin, ensure_sql

PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"
# The superuser over the unix socket without a password; every TCP login must give its password.
INITDB_AUTH = ["-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256"]
SERVICES = ["koku", "ros", "kruize", "sources"]
EXTENSIONS = {"koku": ("pg_stat_statements",)}
"""What the default values make in each database (Koku's migration api.0055 creates this one)."""
LOGINS = [
    ServiceLogin(
        database=s,
        user_env=f"{s.upper()}_DB_USER",
        password_env=f"{s.upper()}_DB_PASSWORD",
        extensions=EXTENSIONS.get(s, ()),
    )
    for s in SERVICES
]
# A hyphen in each login name and a quote in each password exercise %I, %L, :"var" and :'var'.
USERS = {s: f"{s}-app" for s in SERVICES}
PASSWORDS = {s: f"{s} pa'ss" for s in SERVICES}
SERVICE_ENV = {x.user_env: USERS[x.database] for x in LOGINS} | {x.password_env: PASSWORDS[x.database] for x in LOGINS}
CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "REDISCLI_"))}
Result = subprocess.CompletedProcess[str]


def run(*cmd: str, env: dict[str, str] | None = None, stdin: str | None = None) -> Result:
    return subprocess.run(cmd, env=CLEAN_ENV | (env or {}), input=stdin, capture_output=True, text=True, timeout=60)


@dataclass(frozen=True)
class Postgres:
    psql: str
    socket_dir: str
    port: int

    def superuser(self, *args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> Result:
        """psql as the superuser over the unix socket (trust)."""
        conn = ["-h", self.socket_dir, "-p", str(self.port), "-U", "postgres", "-d", "postgres"]
        return run(self.psql, "-X", "-v", "ON_ERROR_STOP=1", *conn, *args, env=env, stdin=stdin)

    def ensure(self, env: dict[str, str]) -> Result:
        return self.superuser(env=env, stdin=ensure_sql(LOGINS))

    def login(self, service: str, database: str, sql: str, password: str | None = None) -> Result:
        """Run ``sql`` as the service's login over TCP, where pg_hba asks for the password (scram-sha-256)."""
        dsn = f"host=127.0.0.1 port={self.port} user={USERS[service]} dbname={database} connect_timeout=5"
        env = {"PGPASSWORD": PASSWORDS[service] if password is None else password}
        return run(self.psql, "-X", "-v", "ON_ERROR_STOP=1", dsn, "-c", sql, env=env)


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    found = sorted(Path(p).parent for p in glob.glob(f"{PG_BIN_GLOB}/initdb") if Path(p).with_name("pg_ctl").exists())
    if not found:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not installed: apt-get install postgresql")
    bindir, port = found[-1], free_port()
    as_server = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    tmp = tempfile.mkdtemp(prefix="ros-pg-")
    if as_server:
        shutil.chown(tmp, "postgres")
    data, log = f"{tmp}/data", f"{tmp}/server.log"
    pg_ctl = [*as_server, str(bindir / "pg_ctl"), "-D", data]
    try:
        initdb = run(*as_server, str(bindir / "initdb"), "-D", data, *INITDB_AUTH)
        assert initdb.returncode == 0, initdb.stderr
        start = run(*pg_ctl, "-l", log, "-w", "-o", f"-p {port} -k {tmp} -h 127.0.0.1", "start")
        assert start.returncode == 0, start.stderr + Path(log).read_text()
        yield Postgres(psql=str(bindir / "psql"), socket_dir=tmp, port=port)
        run(*pg_ctl, "-m", "fast", "-w", "stop")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def provisioned(postgres: Postgres) -> Result:
    """The first run of the script on the fresh cluster."""
    first = postgres.ensure(SERVICE_ENV)
    assert first.returncode == 0, first.stderr
    return first


def catalog(postgres: Postgres) -> list[str]:
    """The service roles and databases: login flags, owners and ACLs (not the password hashes)."""
    result = postgres.superuser("-At", "-c", """
        SELECT format('role %s login=%s superuser=%s createdb=%s', rolname, rolcanlogin, rolsuper, rolcreatedb)
          FROM pg_roles WHERE rolname LIKE '%-app'
        UNION ALL
        SELECT format('database %s owner=%s acl=[%s]', datname, pg_get_userbyid(datdba), array_to_string(datacl, ' '))
          FROM pg_database WHERE datname IN ('koku', 'ros', 'kruize', 'sources')""")  # fmt: skip
    assert result.returncode == 0, result.stderr
    return sorted(result.stdout.splitlines())


def test_ensure_sql_runs_twice_and_the_second_run_changes_nothing(postgres: Postgres, provisioned: Result) -> None:
    assert provisioned.stdout.count("CREATE DATABASE") == len(SERVICES)
    before = catalog(postgres)
    second = postgres.ensure(SERVICE_ENV)
    assert second.returncode == 0, second.stderr
    assert "CREATE" not in second.stdout
    assert catalog(postgres) == before
    # Plain logins; PUBLIC keeps only TEMP (T) on each database, CONNECT (c) is the owner's alone.
    expected = [f"role {u} login=t superuser=f createdb=f" for u in USERS.values()] + [
        f'database {s} owner={u} acl=[=T/"{u}" "{u}"=CTc/"{u}"]' for s, u in USERS.items()
    ]
    assert before == sorted(expected)


@pytest.mark.parametrize("service", SERVICES)
def test_a_login_reaches_its_own_database_only(postgres: Postgres, provisioned: object, service: str) -> None:
    own = postgres.login(service, service, f"CREATE TABLE IF NOT EXISTS probe_{service} (id int); SELECT current_user")
    assert own.returncode == 0, own.stderr
    assert USERS[service] in own.stdout
    other = SERVICES[(SERVICES.index(service) + 1) % len(SERVICES)]
    denied = postgres.login(service, other, "SELECT 1")
    assert denied.returncode != 0
    assert f'permission denied for database "{other}"' in denied.stderr


def test_rotating_a_password_through_the_env_takes_effect(postgres: Postgres, provisioned: object) -> None:
    rotated = SERVICE_ENV | {"SOURCES_DB_PASSWORD": "rotated-secret"}
    try:
        assert postgres.ensure(rotated).returncode == 0
        new = postgres.login("sources", "sources", "SELECT 1", password="rotated-secret")
        assert new.returncode == 0, new.stderr
        old = postgres.login("sources", "sources", "SELECT 1")
        assert old.returncode != 0
        assert "password authentication failed" in old.stderr
    finally:
        postgres.ensure(SERVICE_ENV)


def test_kokus_migration_0055_succeeds_as_the_database_owner(postgres: Postgres, provisioned: object) -> None:
    """Koku's api.0055 runs ``create extension if not exists pg_stat_statements`` as its login, which
    may not create that extension: the script made it first. Without it (the ros database), the
    same statement is refused, as Koku's migrations were before."""
    statement = "create extension if not exists pg_stat_statements schema public;"
    made = postgres.login("koku", "koku", statement)
    assert made.returncode == 0, made.stderr
    refused = postgres.login("ros", "ros", statement)
    assert refused.returncode != 0
    assert "permission denied" in refused.stderr


@pytest.mark.parametrize("value", [None, ""], ids=["unset", "empty"])
def test_a_missing_env_var_fails_the_script_naming_it(postgres: Postgres, value: str | None) -> None:
    env = {k: v for k, v in SERVICE_ENV.items() if k != "KRUIZE_DB_PASSWORD"}
    result = postgres.ensure(env if value is None else env | {"KRUIZE_DB_PASSWORD": value})
    assert result.returncode != 0
    assert "environment variable KRUIZE_DB_PASSWORD is not set or empty" in result.stderr
    assert "CREATE" not in result.stdout and "ALTER" not in result.stdout  # stopped before any change


@pytest.mark.parametrize(("field", "bad"), [("database", "Koku"), ("user_env", "koku_user"), ("password_env", "P-W")])
def test_service_login_rejects_bad_names(field: str, bad: str) -> None:
    with pytest.raises(ValueError, match=f"{field} '{bad}'"):
        names = {"database": "koku", "user_env": "U", "password_env": "P", field: bad}
        ServiceLogin(database=names["database"], user_env=names["user_env"], password_env=names["password_env"])


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    if not (shutil.which("redis-server") and shutil.which("redis-cli")):
        pytest.skip("redis-server/redis-cli not installed: apt-get install redis-server")
    port, tmp = free_port(), tmp_path_factory.mktemp("redis")
    listen = ["--port", str(port), "--bind", "127.0.0.1", "--requirepass", "cache-pw"]
    ephemeral = ["--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", str(tmp)]
    server = subprocess.Popen(["redis-server", *listen, *ephemeral], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while "NOAUTH" not in run("redis-cli", "-p", str(port), "ping").stdout:
            assert server.poll() is None and time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_cache_probe_needs_the_password(redis: int) -> None:
    probe = probe_command("redis-cli", redis, tls=False)
    authed = run(*probe, env={"REDISCLI_AUTH": "cache-pw"})
    assert (authed.returncode, authed.stdout.strip()) == (0, "PONG"), authed.stderr
    for env in ({}, {"REDISCLI_AUTH": "wrong"}):
        refused = run(*probe, env=env)
        assert refused.returncode != 0
        assert "PONG" not in refused.stdout


@pytest.mark.parametrize("password", ['a b"c\\d', "$(touch pwned)", "x'y`touch pwned`", "plain-hex-0123"])
@pytest.mark.parametrize("shell", ["dash", "bash"])
def test_the_cache_takes_its_password_from_the_environment_only(password: str, shell: str, tmp_path: Path) -> None:
    """The generated server command, run with the real server: the password (quotes, backslashes
    and shell text included) works for clients, appears in no argument and is never executed."""
    if not (shutil.which("redis-server") and shutil.which("redis-cli") and shutil.which(shell)):
        pytest.skip(f"redis-server/redis-cli/{shell} not installed: apt-get install redis-server {shell}")
    command = server_command("redis", password=True)
    assert password not in " ".join(command) and command[:2] == ["sh", "-c"]
    port = free_port()
    args = [*server_args(port=port, max_memory="64mb", policy="noeviction", persistence=False, tls=False)]
    args = [str(tmp_path) if a == DATA_PATH else a for a in args]
    env = {"PATH": os.environ["PATH"], "CACHE_PASSWORD": password}
    server = subprocess.Popen([shell, *command[1:], *args], cwd=tmp_path, env=env, stdout=subprocess.DEVNULL)
    try:
        deadline, answer = time.monotonic() + 10, ""
        while answer != "PONG":
            assert server.poll() is None and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
            answer = run("redis-cli", "-p", str(port), "ping", env={"REDISCLI_AUTH": password}).stdout.strip()
        assert "NOAUTH" in run("redis-cli", "-p", str(port), "ping").stdout
        assert password not in Path(f"/proc/{server.pid}/cmdline").read_text()
        assert not (tmp_path / "pwned").exists()
    finally:
        server.terminate()
        server.wait(timeout=10)
