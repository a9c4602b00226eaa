"""Configuration and secrets: Koku env parity, no secret material, config checksums, optional refs."""

from __future__ import annotations

import re
from typing import Any

import pytest
from conftest import ROOT, container_env, objects, render

from ros_constructs.values import ValuesError, load, parse

# --- Koku's env reach, transcribed from the Koku reference (section 2) -------------------------

FAMILIES = ("cost-model", "download", "ocp", "priority", "refresh", "summary")
W = {f: {f"worker-{f}", f"worker-{f}-xl", f"worker-{f}-penalty"} for f in FAMILIES}
WCEL, WHCS, WSX, WST = {"worker-celery"}, {"worker-hcs"}, {"worker-subs-extraction"}, {"worker-subs-transmission"}
WK = WCEL | WHCS | WSX | WST | set().union(*W.values())
R, WR, NGX, LIS, MASU, BEAT = (
    {"api-reads"}, {"api-writes"}, {"api-router"}, {"listener"}, {"masu"}, {"celery-beat"},
)  # fmt: skip
# Koku's sources-client and sources-listener serve the SaaS Sources API and are not deployed on-prem:
# their names (SOURCES, SOURCES_PROBE_HEADER) reach nothing and are left out of the table.
ALL = WK | R | WR | NGX | LIS | MASU | BEAT
XN = ALL - NGX
WEB = R | WR | MASU
INGEST = WCEL | WHCS | set().union(*W.values())

KOKU_REACH: dict[str, set[str]] = {
    "CLOWDER_ENABLED": ALL, "APP_POD_NAME": ALL, "SCHEMA_SUFFIX": ALL, "DEVELOPMENT": XN, "ONPREM": XN,
    "IQE_TEST_RUN": MASU, "QE_SCHEMA": XN, "MASU": MASU, "API_PATH_PREFIX": WEB,
    "APP_DOMAIN": WEB, "DEMO_ACCOUNTS": XN - LIS, "ENHANCED_ORG_ADMIN": XN, "CURRENCY_URL": XN,
    "DJANGO_SECRET_KEY": WEB, "DJANGO_LOG_LEVEL": WEB | LIS, "DJANGO_LOG_FORMATTER": WEB,
    "DJANGO_LOG_HANDLERS": WEB, "DJANGO_LOG_DIRECTORY": WEB, "DJANGO_LOGGING_FILE": WEB, "KOKU_LOG_LEVEL": XN,
    "CELERY_LOG_LEVEL": WK | BEAT, "GUNICORN_LOG_LEVEL": R | WR | MASU, "GUNICORN_WORKERS": R | WR,
    "GUNICORN_THREADS": R | WR, "POD_CPU_LIMIT": R | WR | MASU,
    "RBAC_SERVICE_PATH": WEB, "RBAC_CACHE_TTL": WEB, "RBAC_CACHE_TIMEOUT": R | WR, "CACHE_TIMEOUT": R | WR,
    "CACHED_VIEWS_DISABLED": R | WR | MASU, "WORKER_CACHE_TIMEOUT": WK - WCEL,
    "WORKER_CACHE_LARGE_CUSTOMER_TIMEOUT": WK - WCEL, "WORKER_CACHE_LARGE_CUSTOMER_CONCURRENT_TASKS": WK - WCEL,
    "WORKER_QUEUES": WK | BEAT, "WORKER_PROC_ALIVE_TIMEOUT": WK,
    "SCHEDULE_REPORT_CHECKS": BEAT, "REPORT_DOWNLOAD_SCHEDULE": BEAT, "SOURCE_STATUS_SCHEDULE": BEAT,
    "REMOVE_EXPIRED_REPORT_DATA_ON_DAY": BEAT, "REMOVE_EXPIRED_REPORT_UTC_TIME": BEAT,
    "VACUUM_DATA_DAY_OF_WEEK": BEAT, "VACUUM_DATA_UTC_TIME": BEAT,
    "DELAYED_TASK_TIME": W["priority"] | W["summary"], "DELAYED_TASK_POLLING_MINUTES": W["priority"] | W["summary"],
    "PARQUET_PROCESSING_BATCH_SIZE": WK | LIS | BEAT, "PANDAS_COLUMN_BATCH_SIZE": W["download"] | W["priority"],
    "REPORT_PROCESSING_BATCH_SIZE": INGEST | LIS | BEAT, "TRINO_DATE_STEP": WK | LIS | BEAT,
    "VALIDATION_RANGE": WK | LIS | BEAT, "DATE_OVERRIDE": WK | LIS | MASU | BEAT,
    "RETAIN_NUM_MONTHS": WK | R | WR | MASU | BEAT, "NOTIFICATION_CHECK_TIME": R | WR | MASU,
    "INITIAL_INGEST_NUM_MONTHS": WK | MASU | BEAT, "INITIAL_INGEST_OVERRIDE": WK | MASU | BEAT,
    "POLLING_TIMER": INGEST | MASU | BEAT, "POLLING_COUNT": INGEST | MASU | BEAT,
    "XL_REPORT_COUNT": INGEST | MASU | BEAT, "PROCESSING_WAIT_TIMER": INGEST | MASU | BEAT,
    "LARGE_PROCESSING_WAIT_TIMER": INGEST | MASU | BEAT, "AUTO_DATA_INGEST": INGEST | BEAT,
    "TAG_ENABLED_LIMIT": R | WR | MASU | W["download"] | W["ocp"] | W["priority"], "MAX_GROUP_BY_OVERRIDE": R | WR,
    "TRINO_HOST": WK | LIS | MASU | BEAT, "TRINO_PORT": WK | LIS | MASU | BEAT, "TRINO_S3A_OR_S3": ALL,
    "AWS_ACCESS_KEY_ID": XN, "AWS_SECRET_ACCESS_KEY": XN, "GOOGLE_APPLICATION_CREDENTIALS": XN,
    "REQUESTED_BUCKET": WK | R | WR | LIS | MASU | BEAT, "REQUESTED_ROS_BUCKET": LIS,
    "REQUESTED_SUBS_BUCKET": WSX | WST,
    "ROS_URL_EXPIRATION": LIS, "KAFKA_CONNECT": LIS | MASU, "DISABLE_ROS_MSG": LIS, "ROS_OCP_API": NGX,
    "ENABLE_HCS_DEBUG": WHCS, "ENABLE_SUBS_DEBUG": WSX | WST, "ENABLE_SUBS_PROVIDER_TYPES": WSX,
    "SOURCES_API_PREFIX": WK | MASU, "SOURCES_PSK": WK | MASU, "UNLEASH_CACHE_DIR": XN, "UNLEASH_LOG_LEVEL": XN,
    "KOKU_ENABLE_SENTRY": XN - MASU, "KOKU_SENTRY_ENVIRONMENT": XN - MASU, "KOKU_SENTRY_DSN": XN - MASU,
    "PROMETHEUS_MULTIPROC_DIR": XN, "PROMETHEUS_PUSHGATEWAY": WK | MASU | BEAT,
}  # fmt: skip
"""88 of Koku's 91 names; REDEPLOY_HASH is replaced by the checksum/config annotation."""

SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|_KEY$|KEY_ID$|DSN|PSK")


def deployments(profile: str) -> dict[str, dict[str, Any]]:
    return {
        o["metadata"]["labels"]["app.kubernetes.io/component"]: o
        for o in objects(profile)
        if o["kind"] == "Deployment" and o["metadata"]["labels"]["app.kubernetes.io/name"] == "koku"
    }


def test_every_koku_env_var_reaches_exactly_koku_s_deployments() -> None:
    reach: dict[str, set[str]] = {}
    for component, deployment in deployments("everything").items():
        for name in container_env(deployment, objects("everything")):
            reach.setdefault(name, set()).add(component)
    assert len(KOKU_REACH) == 87
    mismatches = {name: (sorted(reach.get(name, set()) ^ expected)) for name, expected in KOKU_REACH.items()}
    assert {name: diff for name, diff in mismatches.items() if diff} == {}


def test_values_reach_the_env() -> None:
    docs = objects("everything")
    reads = container_env(deployments("everything")["api-reads"], docs)
    assert reads["KOKU_LOG_LEVEL"] == "DEBUG"
    assert reads["POSTGRES_SQL_SERVICE_HOST"] == "db-ro.example.internal"  # readReplica.host
    assert container_env(deployments("everything")["api-writes"], docs)["POSTGRES_SQL_SERVICE_HOST"] == (
        "db.example.internal"
    )
    assert reads["RBAC_CACHE_TIMEOUT"] == "600"
    assert reads["KOKU_DEFAULT_CURRENCY"] == "EUR" and reads["MIDDLEWARE_TIME_TO_LIVE"] == "600"
    assert reads["EXTRA_API_TOKEN"] == {"secretKeyRef": {"key": "token", "name": "api-extras", "optional": True}}
    writes = container_env(deployments("everything")["api-writes"], docs)
    assert "MIDDLEWARE_TIME_TO_LIVE" not in writes and writes["KOKU_DEFAULT_CURRENCY"] == "EUR"
    beat = container_env(deployments("everything")["celery-beat"], docs)
    assert (beat["REMOVE_EXPIRED_REPORT_DATA_ON_DAY"], beat["VACUUM_DATA_DAY_OF_WEEK"]) == ("15", "sun")


@pytest.mark.parametrize("profile", ["default", "everything"])
def test_no_secret_material_in_literals_or_config_maps(profile: str) -> None:
    for obj in objects(profile):
        if obj["kind"] == "ConfigMap":
            assert not [k for k in obj["data"] if SECRET_NAME.search(k)], obj["metadata"]["name"]
        if obj["kind"] not in ("Deployment", "Job"):
            continue
        for container in obj["spec"]["template"]["spec"]["containers"]:
            for entry in container.get("env", []):
                if SECRET_NAME.search(entry["name"]):
                    assert "secretKeyRef" in entry.get("valueFrom", {}), (obj["metadata"]["name"], entry["name"])


def test_extra_env_refuses_secret_literals() -> None:
    with pytest.raises(ValuesError, match="looks secret; reference a Secret"):
        parse({"costManagement": {"extraEnv": [{"name": "SOME_PASSWORD", "value": "hunter2"}]}})


def test_optional_secrets_are_marked_optional() -> None:
    refs: dict[str, bool] = {}
    for obj in objects("everything"):
        if obj["kind"] != "Deployment":
            continue
        for entry in obj["spec"]["template"]["spec"]["containers"][0].get("env", []):
            if ref := entry.get("valueFrom", {}).get("secretKeyRef"):
                refs[entry["name"]] = ref.get("optional", False)
    assert {name for name, optional in refs.items() if optional} == {
        "SOURCES_PSK",
        "KOKU_SENTRY_DSN",
        "EXTRA_API_TOKEN",
    }
    assert {"DJANGO_SECRET_KEY", "DATABASE_PASSWORD", "AWS_ACCESS_KEY_ID", "S3_SECRET"} <= set(refs)


def test_credential_files_are_mounted_read_only() -> None:
    ca_paths = {"/etc/database-ca": "db-ca", "/etc/cache-ca": "valkey-tls", "/etc/kafka-ca": "kafka-ca"}
    for component, deployment in deployments("everything").items():
        pod = deployment["spec"]["template"]["spec"]
        mounts = {m["mountPath"]: m for m in pod["containers"][0]["volumeMounts"]}
        volumes = {v["name"]: v for v in pod["volumes"]}
        koku = component != "api-router"
        assert ("/etc/gcp" in mounts) == koku and ("/etc/aws" in mounts) == koku, component
        assert ("/etc/database-ca" in mounts) == koku and ("/etc/cache-ca" in mounts) == koku, component
        assert ("/etc/kafka-ca" in mounts) == (component in ("listener", "masu", "api-writes")), component
        for path in ("/etc/gcp", "/etc/aws", *ca_paths):
            if path in mounts:
                assert mounts[path]["readOnly"] is True
                secret = volumes[mounts[path]["name"]]["secret"]
                assert secret["defaultMode"] == 0o440
                if path in ca_paths:
                    assert secret["secretName"] == ca_paths[path] and secret["items"][0]["path"] == "ca.crt"
        assert ("/var/tmp/masu" in mounts) == (component.startswith("worker-") or component == "listener")
    reads = deployments("everything")["api-reads"]["spec"]["template"]["spec"]
    (gcp,) = [v for v in reads["volumes"] if v["name"] == "gcp-credentials"]
    assert gcp["secret"]["items"] == [{"key": "gcp-credentials", "path": "gcp-credentials.json"}]


def checksums(*sets: str) -> dict[str, str]:
    docs = [o for d in render(load(sets=sets)).values() for o in d]
    return {
        o["metadata"]["name"]: annotations["checksum/config"]
        for o in docs
        if o["kind"] in ("Deployment", "Job")
        and "checksum/config" in (annotations := o["spec"]["template"]["metadata"].get("annotations", {}))
    }


@pytest.mark.parametrize(
    ("assignment", "rolled"),
    [
        ("costManagement.ingest.pandasColumnBatchSize=999", {"download", "priority"}),
        ("costManagement.cacheAndRbac.rbacCacheTimeout=1", {"api-reads", "api-writes"}),
        ("costManagement.beat.schedule.vacuumDataUtcTime=03:00", {"celery-beat"}),
        ("costManagement.kafka.rosUrlExpiration=3600", {"listener"}),
    ],
)
def test_a_config_change_rolls_exactly_the_pods_that_use_it(assignment: str, rolled: set[str]) -> None:
    before, after = checksums(), checksums(assignment)
    assert before.keys() == after.keys()
    changed = {name.removeprefix("cost-onprem-") for name in before if before[name] != after[name]}
    expected = {
        name.removeprefix("cost-onprem-")
        for name in before
        if any(name.removeprefix("cost-onprem-").removeprefix("worker-").startswith(r) for r in rolled)
    }
    assert changed == expected and changed


def test_generated_secrets_are_stable_for_a_seed_and_absent_without_one() -> None:
    def secrets(*sets: str) -> dict[str, dict[str, str]]:
        docs = [o for d in render(load(sets=sets)).values() for o in d]
        config = "cost-onprem-kruize-config"  # Kruize's database location, always in the output
        return {
            o["metadata"]["name"]: o["stringData"]
            for o in docs
            if o["kind"] == "Secret" and o["metadata"]["name"] != config
        }

    assert secrets() == {}
    seeded = secrets("secrets.seed=first-seed-0123456789")
    assert sorted(seeded) == [
        "cost-onprem-database-admin", "cost-onprem-django", "cost-onprem-koku-db", "cost-onprem-kruize-db",
        "cost-onprem-object-storage", "cost-onprem-ros-db", "cost-onprem-sources-psk",
    ]  # fmt: skip
    assert seeded == secrets("secrets.seed=first-seed-0123456789")
    other = secrets("secrets.seed=other-seed-0123456789")
    assert seeded["cost-onprem-django"] != other["cost-onprem-django"]
    assert seeded["cost-onprem-koku-db"]["username"] == "koku"
    brought = secrets("secrets.seed=first-seed-0123456789", "database.koku.existingSecret.name=mine")
    assert "cost-onprem-koku-db" not in brought


def test_configuration_reference_is_current() -> None:
    from ros_constructs.tools.docs import configuration_reference

    committed = (ROOT / "docs" / "configuration.md").read_text()
    assert committed == configuration_reference(), "docs/configuration.md is stale: run `make docs`"


def test_gunicorn_services_listen_where_koku_binds_without_clowder() -> None:
    deployment = deployments("default")["masu"]
    (web,) = [p for p in deployment["spec"]["template"]["spec"]["containers"][0]["ports"] if p["name"] == "private"]
    assert web["containerPort"] == 8000
    services = {o["metadata"]["name"]: o for o in objects("default") if o["kind"] == "Service"}
    assert services["cost-onprem-masu"]["spec"]["ports"][0] == {
        "name": "private", "port": 10000, "targetPort": "private",
    }  # fmt: skip


def test_koku_finds_its_database_and_broker() -> None:
    docs = objects("default")
    env = container_env(deployments("default")["api-writes"], docs)
    assert env["DATABASE_SERVICE_NAME"] == "POSTGRES_SQL"
    assert env["POSTGRES_SQL_SERVICE_HOST"] == "cost-onprem-database.cost-onprem.svc"
    assert "REDIS_PASSWORD" not in env
    secured = [
        o
        for d in render(load(sets=["cache.auth.enabled=true", "cache.auth.existingSecret.name=valkey-auth"])).values()
        for o in d
    ]
    writes = next(o for o in secured if o["metadata"]["name"] == "cost-onprem-api-writes" and o["kind"] == "Deployment")
    assert container_env(writes, secured)["REDIS_PASSWORD"] == {
        "secretKeyRef": {"key": "password", "name": "valkey-auth"}
    }


def test_extra_env_may_not_replace_what_the_release_sets() -> None:
    for sets, message in [
        ("costManagement.api.writes.extraEnv=[{name: GUNICORN_WORKERS, value: '8'}]", "a value the release sets"),
        ("costManagement.extraEnv=[{name: ONPREM, value: x}]", "ConfigMap cost-onprem-koku-env"),
        (
            "costManagement.extraEnv=[{name: DATABASE_PASSWORD, secretKeyRef: {name: x, key: y}}]",
            "Secret cost-onprem-koku-db key password",
        ),
    ]:
        field = sets.split("=", 1)[0]
        with pytest.raises(ValuesError, match=rf"^{re.escape(field)}\.0\.name: .*\({re.escape(message)}"):
            render(load(sets=[sets]))
    docs = [
        o
        for d in render(load(sets=["costManagement.api.writes.extraEnv=[{name: FEATURE_X, value: '1'}]"])).values()
        for o in d
    ]
    writes = next(o for o in docs if o["metadata"]["name"] == "cost-onprem-api-writes" and o["kind"] == "Deployment")
    assert container_env(writes, docs)["FEATURE_X"] == "1"


def test_api_pods_drain_before_they_stop() -> None:
    for component in ("api-reads", "api-writes", "api-router"):
        pod = deployments("default")[component]["spec"]["template"]["spec"]
        assert "preStop" in pod["containers"][0]["lifecycle"]
        assert pod["terminationGracePeriodSeconds"] >= 120


def test_unified_mode_routes_ros_fallback_to_the_unified_api() -> None:
    docs = [o for d in render(load(sets=["costManagement.api.mode=unified", "ros.enabled=false"])).values() for o in d]
    (config_map,) = [o for o in docs if o["metadata"]["name"] == "cost-onprem-router-env"]
    assert config_map["data"]["ROS_OCP_API"] == "cost-onprem-api"
    with pytest.raises(ValuesError, match="readReplica needs mode 'split'"):
        parse({"costManagement": {"api": {"mode": "unified", "readReplica": {"enabled": True}}}})


def test_an_unknown_env_role_is_an_error_not_a_pod_without_env() -> None:
    from enum import StrEnum

    from ros_constructs.app import new_release
    from ros_constructs.cost_management.env import KOKU_ENV
    from ros_constructs.cost_management.tier import KokuTier

    class Other(StrEnum):
        STRANGER = "stranger"

    tier = KokuTier(release=new_release(parse({})))
    with pytest.raises(ValueError, match="unknown env role"):
        KOKU_ENV.pod_env(tier, [Other.STRANGER])
    with pytest.raises(ValueError, match="unknown env role"):
        KOKU_ENV.pod_env(tier, [])
