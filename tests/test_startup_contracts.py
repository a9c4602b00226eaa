"""What Koku needs to start, as its source at the pinned image says, checked on every Koku pod of
every profile (Koku is published nowhere CI can install it from, so its contract is stated here).

Citations are to project-koku/koku at the image tag (``images.koku``, d8055ac):

- ``koku/koku/database.py:98-102``: with ``DATABASE_SERVICE_NAME`` set, ``config()`` reads
  ``DATABASE_ENGINE`` with no default; without it every process (API, workers, beat, listener,
  masu, migrations) exits at import with ``ImproperlyConfigured``.
- ``koku/api/migrations/0039_create_hive_db.py:16-29``: unless ``settings.ONPREM``
  (``koku/koku/settings.py:59``, default False) the migration creates and grants to Trino's
  ``hive`` role, which an on-prem server does not have.
- ``koku/api/migrations/0055_install_pg_stat_statements.py:11``: ``create extension if not exists
  pg_stat_statements``, which only a superuser may run (``tests/test_real_servers.py`` shows it
  against a real PostgreSQL); something with a superuser must make it first.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import PROFILES, container_env, notes_of, objects, profile_values

KOKU_MIGRATIONS = "db-migrate"


def koku_pods(docs: list[dict[str, Any]], image: str) -> list[dict[str, Any]]:
    """The pod owners whose main container runs Koku's image."""
    found = []
    for obj in docs:
        spec = obj.get("spec", {})
        template = spec.get("jobTemplate", {}).get("spec", {}).get("template") or spec.get("template")
        pod_owner = obj["kind"] in ("Deployment", "StatefulSet", "Job", "CronJob")
        if pod_owner and template and template["spec"]["containers"][0]["image"] == image:
            found.append(obj)
    return found


@pytest.mark.parametrize("profile", PROFILES)
def test_every_koku_process_gets_the_database_engine(profile: str) -> None:
    docs = objects(profile)
    pods = koku_pods(docs, profile_values(profile).images.koku.ref)
    assert pods, "no Koku pod found"
    for obj in pods:
        env = container_env(obj, docs)
        if "DATABASE_SERVICE_NAME" in env:
            assert env.get("DATABASE_ENGINE") == "postgresql", obj["metadata"]["name"]


@pytest.mark.parametrize("profile", PROFILES)
def test_koku_migrations_run_on_prem(profile: str) -> None:
    values, docs = profile_values(profile), objects(profile)
    migrations = [
        o
        for o in koku_pods(docs, values.images.koku.ref)
        if o["metadata"]["labels"]["app.kubernetes.io/component"] == KOKU_MIGRATIONS
    ]
    assert len(migrations) == (1 if values.cost_management.api.migrations.enabled else 0)
    for job in migrations:
        onprem = container_env(job, docs).get("ONPREM")
        assert onprem == ("True" if values.cost_management.runtime.onprem else "False"), onprem


@pytest.mark.parametrize("profile", PROFILES)
def test_kokus_database_has_pg_stat_statements_before_migrations(profile: str) -> None:
    """Made by the database-ensure Job as a superuser, or named in NOTES.txt for an external server."""
    values = profile_values(profile)
    if values.database.mode == "external":
        assert "CREATE EXTENSION IF NOT EXISTS pg_stat_statements SCHEMA public;" in notes_of(values)
        return
    scripts = [
        o["data"]["ensure.sql"]
        for o in objects(profile)
        if o["kind"] == "ConfigMap" and "ensure.sql" in o.get("data", {})
    ]
    assert len(scripts) == 1
    database = values.database.koku.name
    made_in_koku = scripts[0].split(f'\\connect "{database}"\n', 1)[1].split("\\connect postgres", 1)[0]
    assert 'CREATE EXTENSION "pg_stat_statements" SCHEMA public' in made_in_koku
