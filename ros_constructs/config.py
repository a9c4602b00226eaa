"""Koku configuration: the env table, the tier ConfigMap, and the shared tier context.

``KOKU_ENV`` encodes section 2 of the Koku reference: every variable, where its value comes from
in values, and exactly which deployments Koku gives it to (as *roles*). Plain tier-wide values
live once in the ``<release>-koku-config`` ConfigMap and reach each container as
``configMapKeyRef``s for just the keys that container gets; a pod's ``checksum/config``
annotation hashes those keys and values, so a change rolls exactly the pods that use it.
Credentials are ``secretKeyRef``s or read-only file mounts, never literals.

Koku runs without Clowder here (``CLOWDER_ENABLED=False``), so the endpoints Clowder would
inject (database, Redis, Kafka, object storage) are set as env for Koku's env configurator.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import constructs
from cdk8s_plus_28 import k8s

from . import secrets
from .naming import Naming
from .platform import Platform, platform_for
from .values import READ_REPLICA_FILES, CostManagement, ExtraEnv, Values
from .workload import (
    Container,
    EnvVar,
    Mount,
    Probe,
    ProbeSet,
    SecretFiles,
    Workload,
    WorkloadProps,
    config_map,
    field_ref,
    literal,
)

KOKU_APP = "koku"
WEB_PORT = 8000
"""Gunicorn's bind port when Clowder is off."""
METRICS_PORT = 9000
"""Koku's probe server (``/livez``, ``/readyz``, ``/metrics``) when Clowder is off."""
PROMETHEUS_DIR = "/tmp"
"""prometheus_client multiprocess files live on the pod's /tmp emptyDir."""
AWS_DIR = "/etc/aws"
GCP_DIR = "/etc/gcp"
GCP_FILE = "gcp-credentials.json"
READ_REPLICA_PATH = "/etc/db/readreplica"

# --- roles: which Koku deployment a container is -------------------------------------------

READS, WRITES, ROUTER = "api-reads", "api-writes", "router"
LISTENER, MASU, BEAT = "listener", "masu", "beat"
SOURCES_CLIENT, SOURCES_LISTENER, MIGRATIONS = "sources-client", "sources-listener", "migrations"
WORKER = "worker"
"""Every worker pool, Koku's and added ones."""


def family(queue: str) -> str:
    """``download_xl`` -> ``download``: Koku gives a family's three pools the same env."""
    for suffix in ("_xl", "_penalty"):
        if queue.endswith(suffix):
            return queue.removesuffix(suffix)
    return queue


def worker_roles(queue: str) -> frozenset[str]:
    return frozenset({WORKER, f"worker:{family(queue)}"})


def _workers(*families: str) -> set[str]:
    return {f"worker:{f}" for f in families}


INGEST_WORKERS = _workers("celery", "cost_model", "download", "ocp", "priority", "refresh", "summary", "hcs")
CACHE_WORKERS = _workers(
    "cost_model", "download", "ocp", "priority", "refresh", "summary", "hcs", "subs_extraction", "subs_transmission"
)
ALL = {READS, WRITES, ROUTER, LISTENER, MASU, BEAT, SOURCES_CLIENT, SOURCES_LISTENER, WORKER}
KOKU = ALL - {ROUTER}
"""Koku's "ALL except NGX"."""
WEB = {READS, WRITES, MASU, SOURCES_CLIENT, SOURCES_LISTENER}
PROCESSING = {WORKER, LISTENER, BEAT}


# --- the env table ---------------------------------------------------------------------------

Render = Callable[[Values], "str | int | bool | None"]


@dataclass(frozen=True, kw_only=True)
class EnvSpec:
    """One env var: its values path (for docs), its value, and the roles that get it."""

    name: str
    source: str
    targets: frozenset[str]
    value: Render | None = None
    """A plain value (shared through the ConfigMap); None from the callable omits the var."""
    secret: Callable[[Values], secrets.SecretRef | None] | None = None
    field_path: str | None = None


def _env(name: str, source: str, targets: Iterable[str], value: Render) -> EnvSpec:
    return EnvSpec(name=name, source=source, targets=frozenset(targets), value=value)


def _secret(
    name: str, source: str, targets: Iterable[str], ref: Callable[[Values], secrets.SecretRef | None]
) -> EnvSpec:
    return EnvSpec(name=name, source=source, targets=frozenset(targets), secret=ref)


def _bool(flag: bool) -> str:
    return "True" if flag else "False"


def _cm(v: Values) -> CostManagement:
    return v.cost_management


def service_host(values: Values, component: str) -> str:
    """In-cluster DNS name of the Service ``<release>-<component>``."""
    return f"{values.release}-{component}.{values.namespace}.svc"


def cache_host(values: Values) -> str:
    """Redis/Valkey host: the Celery broker and the Django caches."""
    return values.cost_management.cache.host or service_host(values, platform_for(values.platform).cache_engine)


def api_services(values: Values) -> tuple[str, str]:
    """(reads, writes) API Service names; both are ``<release>-api`` in unified mode."""
    if values.cost_management.api.mode == "unified":
        return (f"{values.release}-api",) * 2
    return f"{values.release}-api-reads", f"{values.release}-api-writes"


KOKU_ENV: list[EnvSpec] = [
    # runtime / platform
    _env("CLOWDER_ENABLED", "(fixed)", ALL | {MIGRATIONS}, lambda v: "False"),
    EnvSpec(name="APP_POD_NAME", source="(fieldRef metadata.name)", targets=frozenset(ALL), field_path="metadata.name"),
    _env(
        "SCHEMA_SUFFIX",
        "costManagement.runtime.schemaSuffix",
        ALL | {MIGRATIONS},
        lambda v: _cm(v).runtime.schema_suffix,
    ),
    _env(
        "DEVELOPMENT",
        "costManagement.featureFlags.development",
        KOKU | {MIGRATIONS},
        lambda v: _bool(_cm(v).feature_flags.development),
    ),
    _env("ONPREM", "costManagement.runtime.onprem", KOKU, lambda v: _bool(_cm(v).runtime.onprem)),
    _env("IQE_TEST_RUN", "costManagement.runtime.iqeTestRun", {MASU}, lambda v: _bool(_cm(v).runtime.iqe_test_run)),
    _env("QE_SCHEMA", "costManagement.featureFlags.qeSchema", KOKU, lambda v: _cm(v).feature_flags.qe_schema),
    _env("API_PATH_PREFIX", "costManagement.api.pathPrefix", WEB, lambda v: _cm(v).api.path_prefix),
    _env("APP_DOMAIN", "costManagement.runtime.appDomain", WEB, lambda v: _cm(v).runtime.app_domain),
    _env(
        "DEMO_ACCOUNTS",
        "costManagement.featureFlags.demoAccounts",
        KOKU - {LISTENER},
        lambda v: _cm(v).feature_flags.demo_accounts,
    ),
    _env(
        "ENHANCED_ORG_ADMIN",
        "costManagement.featureFlags.enhancedOrgAdmin",
        KOKU,
        lambda v: _bool(_cm(v).feature_flags.enhanced_org_admin),
    ),
    _env("CURRENCY_URL", "costManagement.runtime.currencyUrl", KOKU, lambda v: _cm(v).runtime.currency_url),
    # Django and logging
    _secret("DJANGO_SECRET_KEY", "costManagement.djangoSecretKey", WEB, secrets.django_secret_key),
    _env("DJANGO_LOG_LEVEL", "costManagement.logging.django", WEB | {LISTENER}, lambda v: _cm(v).logging.django),
    _env(
        "DJANGO_LOG_FORMATTER", "costManagement.logging.djangoFormatter", WEB, lambda v: _cm(v).logging.django_formatter
    ),
    _env("DJANGO_LOG_HANDLERS", "costManagement.logging.djangoHandlers", WEB, lambda v: _cm(v).logging.django_handlers),
    _env(
        "DJANGO_LOG_DIRECTORY", "costManagement.logging.djangoDirectory", WEB, lambda v: _cm(v).logging.django_directory
    ),
    _env("DJANGO_LOGGING_FILE", "costManagement.logging.djangoFile", WEB, lambda v: _cm(v).logging.django_file),
    _env("KOKU_LOG_LEVEL", "costManagement.logging.koku", KOKU, lambda v: _cm(v).logging.koku),
    _env("CELERY_LOG_LEVEL", "costManagement.workers.logLevel", {WORKER, BEAT}, lambda v: _cm(v).workers.log_level),
    _env(
        "GUNICORN_LOG_LEVEL",
        "costManagement.logging.gunicorn",
        {READS, WRITES, MASU, SOURCES_CLIENT},
        lambda v: _cm(v).logging.gunicorn,
    ),
    # database and cache endpoints (Clowder's job in Koku)
    _env(
        "DATABASE_SERVICE_NAME", "(fixed: names the two variables below)", KOKU | {MIGRATIONS}, lambda v: "POSTGRES_SQL"
    ),
    _env("DATABASE_NAME", "costManagement.database.name", KOKU | {MIGRATIONS}, lambda v: _cm(v).database.name),
    _env(
        "POSTGRES_SQL_SERVICE_HOST",
        "costManagement.database.host",
        KOKU | {MIGRATIONS},
        lambda v: _cm(v).database.host or service_host(v, "database"),
    ),
    _env(
        "POSTGRES_SQL_SERVICE_PORT", "costManagement.database.port", KOKU | {MIGRATIONS}, lambda v: _cm(v).database.port
    ),
    _secret(
        "DATABASE_USER", "costManagement.database", KOKU | {MIGRATIONS}, lambda v: secrets.database_credentials(v)[0]
    ),
    _secret(
        "DATABASE_PASSWORD",
        "costManagement.database",
        KOKU | {MIGRATIONS},
        lambda v: secrets.database_credentials(v)[1],
    ),
    _env(
        "REDIS_HOST",
        "costManagement.cache.host",
        KOKU,
        cache_host,
    ),
    _env("REDIS_PORT", "costManagement.cache.port", KOKU, lambda v: _cm(v).cache.port),
    _secret("REDIS_PASSWORD", "costManagement.cache.passwordSecret", KOKU, secrets.cache_password),
    # cache and RBAC
    _env(
        "RBAC_SERVICE_PATH",
        "costManagement.cacheAndRbac.rbacServicePath",
        WEB,
        lambda v: _cm(v).cache_and_rbac.rbac_service_path,
    ),
    _env(
        "RBAC_CACHE_TTL",
        "costManagement.cacheAndRbac.rbacCacheTtl",
        WEB,
        lambda v: _cm(v).cache_and_rbac.rbac_cache_ttl,
    ),
    _env(
        "RBAC_CACHE_TIMEOUT",
        "costManagement.cacheAndRbac.rbacCacheTimeout",
        {READS, WRITES},
        lambda v: _cm(v).cache_and_rbac.rbac_cache_timeout,
    ),
    _env(
        "CACHE_TIMEOUT",
        "costManagement.cacheAndRbac.cacheTimeout",
        {READS, WRITES},
        lambda v: _cm(v).cache_and_rbac.cache_timeout,
    ),
    _env(
        "CACHED_VIEWS_DISABLED",
        "costManagement.cacheAndRbac.cachedViewsDisabled",
        {READS, WRITES, MASU},
        lambda v: _bool(_cm(v).cache_and_rbac.cached_views_disabled),
    ),
    _env(
        "WORKER_CACHE_TIMEOUT",
        "costManagement.cacheAndRbac.workerCacheTimeout",
        CACHE_WORKERS,
        lambda v: _cm(v).cache_and_rbac.worker_cache_timeout,
    ),
    _env(
        "WORKER_CACHE_LARGE_CUSTOMER_TIMEOUT",
        "costManagement.cacheAndRbac.workerCacheLargeCustomerTimeout",
        CACHE_WORKERS,
        lambda v: _cm(v).cache_and_rbac.worker_cache_large_customer_timeout,
    ),
    _env(
        "WORKER_CACHE_LARGE_CUSTOMER_CONCURRENT_TASKS",
        "costManagement.cacheAndRbac.workerCacheLargeCustomerConcurrentTasks",
        CACHE_WORKERS,
        lambda v: _cm(v).cache_and_rbac.worker_cache_large_customer_concurrent_tasks,
    ),
    # Celery and schedules
    _env(
        "WORKER_PROC_ALIVE_TIMEOUT",
        "costManagement.workers.procAliveTimeout",
        {WORKER},
        lambda v: _cm(v).workers.proc_alive_timeout,
    ),
    _env(
        "SCHEDULE_REPORT_CHECKS",
        "costManagement.beat.schedule.reportChecks",
        {BEAT},
        lambda v: _bool(_cm(v).beat.schedule.report_checks),
    ),
    _env(
        "REPORT_DOWNLOAD_SCHEDULE",
        "costManagement.beat.schedule.reportDownloadSchedule",
        {BEAT},
        lambda v: _cm(v).beat.schedule.report_download_schedule,
    ),
    _env(
        "SOURCE_STATUS_SCHEDULE",
        "costManagement.beat.schedule.sourceStatusSchedule",
        {BEAT},
        lambda v: _cm(v).beat.schedule.source_status_schedule,
    ),
    _env(
        "REMOVE_EXPIRED_REPORT_DATA_ON_DAY",
        "costManagement.beat.schedule.removeExpiredReportDataOnDay",
        {BEAT},
        lambda v: _cm(v).beat.schedule.remove_expired_report_data_on_day,
    ),
    _env(
        "REMOVE_EXPIRED_REPORT_UTC_TIME",
        "costManagement.beat.schedule.removeExpiredReportUtcTime",
        {BEAT},
        lambda v: _cm(v).beat.schedule.remove_expired_report_utc_time,
    ),
    _env(
        "VACUUM_DATA_DAY_OF_WEEK",
        "costManagement.beat.schedule.vacuumDataDayOfWeek",
        {BEAT},
        lambda v: _cm(v).beat.schedule.vacuum_data_day_of_week,
    ),
    _env(
        "VACUUM_DATA_UTC_TIME",
        "costManagement.beat.schedule.vacuumDataUtcTime",
        {BEAT},
        lambda v: _cm(v).beat.schedule.vacuum_data_utc_time,
    ),
    _env(
        "DELAYED_TASK_TIME",
        "costManagement.ingest.delayedTaskTime",
        _workers("priority", "summary"),
        lambda v: _cm(v).ingest.delayed_task_time,
    ),
    _env(
        "DELAYED_TASK_POLLING_MINUTES",
        "costManagement.ingest.delayedTaskPollingMinutes",
        _workers("priority", "summary"),
        lambda v: _cm(v).ingest.delayed_task_polling_minutes,
    ),
    # ingest and processing tuning
    _env(
        "PARQUET_PROCESSING_BATCH_SIZE",
        "costManagement.ingest.parquetProcessingBatchSize",
        PROCESSING,
        lambda v: _cm(v).ingest.parquet_processing_batch_size,
    ),
    _env(
        "PANDAS_COLUMN_BATCH_SIZE",
        "costManagement.ingest.pandasColumnBatchSize",
        _workers("download", "priority"),
        lambda v: _cm(v).ingest.pandas_column_batch_size,
    ),
    _env(
        "REPORT_PROCESSING_BATCH_SIZE",
        "costManagement.ingest.reportProcessingBatchSize",
        INGEST_WORKERS | {LISTENER, BEAT},
        lambda v: _cm(v).ingest.report_processing_batch_size,
    ),
    _env("TRINO_DATE_STEP", "costManagement.ingest.trinoDateStep", PROCESSING, lambda v: _cm(v).ingest.trino_date_step),
    _env(
        "VALIDATION_RANGE",
        "costManagement.ingest.validationRange",
        PROCESSING,
        lambda v: _cm(v).ingest.validation_range,
    ),
    _env(
        "DATE_OVERRIDE",
        "costManagement.ingest.dateOverride",
        PROCESSING | {MASU},
        lambda v: _cm(v).ingest.date_override,
    ),
    _env(
        "RETAIN_NUM_MONTHS",
        "costManagement.ingest.retainNumMonths",
        {WORKER, READS, WRITES, MASU, BEAT},
        lambda v: _cm(v).ingest.retain_num_months,
    ),
    _env(
        "NOTIFICATION_CHECK_TIME",
        "costManagement.ingest.notificationCheckTime",
        {READS, WRITES, MASU},
        lambda v: _cm(v).ingest.notification_check_time,
    ),
    _env(
        "INITIAL_INGEST_NUM_MONTHS",
        "costManagement.ingest.initialIngestNumMonths",
        {WORKER, MASU, BEAT},
        lambda v: _cm(v).ingest.initial_ingest_num_months,
    ),
    _env(
        "INITIAL_INGEST_OVERRIDE",
        "costManagement.ingest.initialIngestOverride",
        {WORKER, MASU, BEAT},
        lambda v: _bool(_cm(v).ingest.initial_ingest_override),
    ),
    _env(
        "POLLING_TIMER",
        "costManagement.ingest.pollingTimer",
        INGEST_WORKERS | {MASU, BEAT},
        lambda v: _cm(v).ingest.polling_timer,
    ),
    _env(
        "POLLING_COUNT",
        "costManagement.ingest.pollingCount",
        INGEST_WORKERS | {MASU, BEAT},
        lambda v: _cm(v).ingest.polling_count,
    ),
    _env(
        "XL_REPORT_COUNT",
        "costManagement.ingest.xlReportCount",
        INGEST_WORKERS | {MASU, BEAT},
        lambda v: _cm(v).ingest.xl_report_count,
    ),
    _env(
        "PROCESSING_WAIT_TIMER",
        "costManagement.ingest.processingWaitTimer",
        INGEST_WORKERS | {MASU, BEAT},
        lambda v: _cm(v).ingest.processing_wait_timer,
    ),
    _env(
        "LARGE_PROCESSING_WAIT_TIMER",
        "costManagement.ingest.largeProcessingWaitTimer",
        INGEST_WORKERS | {MASU, BEAT},
        lambda v: _cm(v).ingest.large_processing_wait_timer,
    ),
    _env(
        "AUTO_DATA_INGEST",
        "costManagement.ingest.autoDataIngest",
        INGEST_WORKERS | {BEAT},
        lambda v: _bool(_cm(v).ingest.auto_data_ingest),
    ),
    _env(
        "TAG_ENABLED_LIMIT",
        "costManagement.featureFlags.tagEnabledLimit",
        {READS, WRITES, MASU} | _workers("download", "ocp", "priority"),
        lambda v: _cm(v).feature_flags.tag_enabled_limit,
    ),
    _env(
        "MAX_GROUP_BY_OVERRIDE",
        "costManagement.featureFlags.maxGroupByOverride",
        {READS, WRITES},
        lambda v: _cm(v).feature_flags.max_group_by_override,
    ),
    # Trino
    _env("TRINO_HOST", "costManagement.trino.host", PROCESSING | {MASU}, lambda v: _cm(v).trino.host),
    _env("TRINO_PORT", "costManagement.trino.port", PROCESSING | {MASU}, lambda v: _cm(v).trino.port),
    _env("TRINO_S3A_OR_S3", "costManagement.trino.s3aOrS3", ALL | {MIGRATIONS}, lambda v: _cm(v).trino.s3a_or_s3),
    # object storage and cloud credentials
    _env(
        "S3_ENDPOINT",
        "costManagement.objectStorage.endpoint",
        {WORKER, READS, WRITES, LISTENER, MASU, BEAT},
        lambda v: secrets.object_storage_endpoint(v),
    ),
    _env(
        "S3_REGION",
        "costManagement.objectStorage.region",
        {WORKER, READS, WRITES, LISTENER, MASU, BEAT},
        lambda v: _cm(v).object_storage.region,
    ),
    _secret(
        "S3_ACCESS_KEY",
        "costManagement.objectStorage",
        {WORKER, READS, WRITES, LISTENER, MASU, BEAT},
        lambda v: secrets.object_storage_credentials(v)[0],
    ),
    _secret(
        "S3_SECRET",
        "costManagement.objectStorage",
        {WORKER, READS, WRITES, LISTENER, MASU, BEAT},
        lambda v: secrets.object_storage_credentials(v)[1],
    ),
    _env(
        "REQUESTED_BUCKET",
        "costManagement.objectStorage.bucket",
        {WORKER, READS, WRITES, LISTENER, MASU, BEAT},
        lambda v: _cm(v).object_storage.bucket,
    ),
    _env(
        "REQUESTED_ROS_BUCKET",
        "costManagement.objectStorage.rosBucket",
        {LISTENER},
        lambda v: _cm(v).object_storage.ros_bucket,
    ),
    _env(
        "REQUESTED_SUBS_BUCKET",
        "costManagement.objectStorage.subsBucket",
        _workers("subs_extraction", "subs_transmission"),
        lambda v: _cm(v).object_storage.subs_bucket,
    ),
    _env(
        "ROS_URL_EXPIRATION",
        "costManagement.objectStorage.rosUrlExpiration",
        {LISTENER},
        lambda v: _cm(v).object_storage.ros_url_expiration,
    ),
    _secret(
        "AWS_ACCESS_KEY_ID",
        "costManagement.cloudCredentials.aws",
        KOKU | {MIGRATIONS},
        lambda v: secrets.aws_credentials(v)[0],
    ),
    _secret(
        "AWS_SECRET_ACCESS_KEY",
        "costManagement.cloudCredentials.aws",
        KOKU | {MIGRATIONS},
        lambda v: secrets.aws_credentials(v)[1],
    ),
    _env(
        "AWS_SHARED_CREDENTIALS_FILE",
        "costManagement.cloudCredentials.aws.credentialsFileKey",
        KOKU,
        lambda v: f"{AWS_DIR}/credentials" if secrets.aws_credentials_file(v) else None,
    ),
    _env(
        "GOOGLE_APPLICATION_CREDENTIALS",
        "costManagement.cloudCredentials.gcp",
        KOKU,
        lambda v: f"{GCP_DIR}/{GCP_FILE}" if _cm(v).cloud_credentials.gcp.enabled else None,
    ),
    # Kafka, ROS, SUBS, HCS
    _env("KAFKA_CONNECT", "costManagement.kafka.connect", {LISTENER, MASU}, lambda v: _bool(_cm(v).kafka.connect)),
    _env(
        "INSIGHTS_KAFKA_HOST",
        "costManagement.kafka.host",
        {LISTENER, SOURCES_LISTENER, MASU},
        lambda v: _cm(v).kafka.host or service_host(v, "kafka-kafka-bootstrap"),
    ),
    _env(
        "INSIGHTS_KAFKA_PORT",
        "costManagement.kafka.port",
        {LISTENER, SOURCES_LISTENER, MASU},
        lambda v: _cm(v).kafka.port,
    ),
    _env(
        "DISABLE_ROS_MSG",
        "costManagement.kafka.disableRosMessages",
        {LISTENER},
        lambda v: _bool(_cm(v).kafka.disable_ros_messages),
    ),
    _env(
        "ROS_OCP_API",
        "costManagement.api.router.rosApi.service",
        {ROUTER},
        lambda v: _cm(v).api.router.ros_api.service or api_services(v)[1],
    ),
    _env(
        "ENABLE_HCS_DEBUG",
        "costManagement.featureFlags.enableHcsDebug",
        _workers("hcs"),
        lambda v: _bool(_cm(v).feature_flags.enable_hcs_debug),
    ),
    _env(
        "ENABLE_SUBS_DEBUG",
        "costManagement.featureFlags.enableSubsDebug",
        _workers("subs_extraction", "subs_transmission"),
        lambda v: _bool(_cm(v).feature_flags.enable_subs_debug),
    ),
    _env(
        "ENABLE_SUBS_PROVIDER_TYPES",
        "costManagement.featureFlags.subsProviderTypes",
        _workers("subs_extraction"),
        lambda v: _cm(v).feature_flags.subs_provider_types,
    ),
    # Sources
    _env(
        "SOURCES_API_PREFIX",
        "costManagement.sources.apiPrefix",
        {WORKER, MASU, SOURCES_CLIENT, SOURCES_LISTENER},
        lambda v: _cm(v).sources.api_prefix,
    ),
    _secret(
        "SOURCES_PSK",
        "costManagement.sources.pskSecret",
        {WORKER, MASU, SOURCES_CLIENT, SOURCES_LISTENER},
        secrets.sources_psk,
    ),
    _env(
        "SOURCES_PROBE_HEADER",
        "costManagement.sources.probeHeader",
        {SOURCES_CLIENT, SOURCES_LISTENER},
        lambda v: _cm(v).sources.probe_header,
    ),
    # Unleash, Sentry, Prometheus
    _env(
        "UNLEASH_CACHE_DIR", "costManagement.unleash.cacheDir", KOKU | {MIGRATIONS}, lambda v: _cm(v).unleash.cache_dir
    ),
    _env("UNLEASH_LOG_LEVEL", "costManagement.unleash.logLevel", KOKU, lambda v: _cm(v).unleash.log_level),
    _env("KOKU_ENABLE_SENTRY", "costManagement.sentry.enabled", KOKU - {MASU}, lambda v: _bool(_cm(v).sentry.enabled)),
    _env(
        "KOKU_SENTRY_ENVIRONMENT",
        "costManagement.sentry.environment",
        KOKU - {MASU},
        lambda v: _cm(v).sentry.environment,
    ),
    _secret("KOKU_SENTRY_DSN", "costManagement.sentry.dsnSecret", KOKU - {MASU}, secrets.sentry_dsn),
    _env("PROMETHEUS_MULTIPROC_DIR", "(fixed: the /tmp emptyDir)", KOKU | {MIGRATIONS}, lambda v: PROMETHEUS_DIR),
    _env(
        "PROMETHEUS_PUSHGATEWAY",
        "costManagement.prometheus.pushgateway",
        {WORKER, MASU, BEAT},
        lambda v: _cm(v).prometheus.pushgateway,
    ),
    # migrations job only
    _env("TENANT_MULTIPROCESSING_MAX_PROCESSES", "(fixed)", {MIGRATIONS}, lambda v: 2),
    _env("TENANT_MULTIPROCESSING_CHUNKS", "(fixed)", {MIGRATIONS}, lambda v: 2),
]
"""Koku's env (reference section 2) plus what Clowder would inject; per-deployment values such
as GUNICORN_WORKERS, WORKER_QUEUES, POD_CPU_LIMIT, MASU and SOURCES are set by their constructs."""


STATUS_PATH = "/v1/status/"


def status_probes(port: str, prefix: str, *, liveness: Probe) -> ProbeSet:
    """Gunicorn services: startup and readiness on Koku's status view (it checks the database);
    liveness is the caller's choice, so a database outage need not restart pods."""
    timing = {"timeout_seconds": 10}
    return ProbeSet(
        startup=Probe.http(STATUS_PATH, port, prefix=prefix, period_seconds=10, failure_threshold=30, **timing),
        readiness=Probe.http(STATUS_PATH, port, prefix=prefix, period_seconds=10, failure_threshold=3, **timing),
        liveness=liveness,
    )


def config_checksum(*parts: str) -> str:
    """sha256 of config content: a pod template annotation, so a change rolls exactly those pods."""
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def render_extra(extra: ExtraEnv) -> EnvVar:
    ref = extra.secret_key_ref
    if ref is not None and ref.name:
        return EnvVar(name=extra.name, secret=ref.name, key=ref.key, optional=extra.optional)
    return literal(extra.name, extra.value or "")


def merge_env(env: Iterable[EnvVar], overrides: Iterable[EnvVar]) -> list[EnvVar]:
    """``env`` with each override replacing the variable of the same name in place (or appended)."""
    merged = {e.name: e for e in env}
    for override in overrides:
        merged[override.name] = override
    return list(merged.values())


def _text(value: str | int | bool) -> str:
    return _bool(value) if isinstance(value, bool) else str(value)


@dataclass(frozen=True, kw_only=True)
class PodConfig:
    """What a Koku container gets from the tier: env, credential mounts and the config checksum."""

    env: list[EnvVar]
    mounts: list[Mount]
    checksum: str


@dataclass(frozen=True, kw_only=True)
class KokuTier:
    """What every Koku construct needs; built once from Values."""

    values: Values

    @property
    def platform(self) -> Platform:
        return platform_for(self.values.platform)

    @property
    def naming(self) -> Naming:
        return Naming(release=self.values.release, app=KOKU_APP, version=self.values.images.koku.version)

    @property
    def image(self) -> str:
        return self.values.images.koku.ref

    @property
    def config_map_name(self) -> str:
        return self.naming.name("koku-config")

    @cached_property
    def shared_config(self) -> dict[str, str]:
        """The ConfigMap data: every plain value some role gets (computed once per tier)."""
        data = {}
        for spec in KOKU_ENV:
            if spec.value is not None and (value := spec.value(self.values)) is not None:
                data[spec.name] = _text(value)
        return data

    def pod_config(self, roles: Iterable[str]) -> PodConfig:
        """Env (ConfigMap keys, Secret keys, field refs), credential mounts and checksum for ``roles``."""
        role_set = set(roles)
        data = self.shared_config
        env: list[EnvVar] = []
        used: list[str] = []
        for spec in KOKU_ENV:
            if not role_set & spec.targets:
                continue
            if spec.field_path:
                env.append(field_ref(spec.name, spec.field_path))
            elif spec.secret is not None:
                if (ref := spec.secret(self.values)) is not None:
                    env.append(EnvVar(name=spec.name, secret=ref.name, key=ref.key, optional=ref.optional))
            elif spec.name in data:
                env.append(config_map(spec.name, self.config_map_name, spec.name))
                used.append(f"{spec.name}={data[spec.name]}")
        return PodConfig(env=env, mounts=self._credential_mounts(role_set), checksum=config_checksum(*used))

    def _credential_mounts(self, roles: set[str]) -> list[Mount]:
        values = self.values
        mounts = []
        aws_file = secrets.aws_credentials_file(values)
        if aws_file and roles & KOKU:
            mounts.append(
                Mount(
                    name="aws-credentials",
                    path=AWS_DIR,
                    source=SecretFiles(secret_name=aws_file.name, items={aws_file.key: "credentials"}),
                )
            )
        gcp = secrets.gcp_credentials(values)
        if gcp and roles & KOKU:
            mounts.append(
                Mount(
                    name="gcp-credentials",
                    path=GCP_DIR,
                    source=SecretFiles(secret_name=gcp.name, items={gcp.key: GCP_FILE}),
                )
            )
        replica = values.cost_management.api.read_replica
        if READS in roles and replica.enabled:
            mounts.append(
                Mount(
                    name="read-replica",
                    path=READ_REPLICA_PATH,
                    source=SecretFiles(
                        secret_name=secrets.read_replica_secret(values),
                        items={replica.keys[f]: f for f in READ_REPLICA_FILES},
                        optional=not replica.required,
                    ),
                )
            )
        return mounts

    def workload(
        self,
        scope: constructs.Construct,
        id: str,
        *,
        component: str,
        container: Container,
        roles: Iterable[str] = (),
        extra_env: Iterable[ExtraEnv] = (),
        **props: Any,
    ) -> Workload:
        """A Workload with this tier's naming, platform and pull settings; ``roles`` adds Koku's config."""
        images = self.values.images
        roles = list(roles)
        if roles:
            config = self.pod_config(roles)
            extras = [*self.values.cost_management.extra_env, *extra_env]
            env = merge_env([*config.env, *container.env], [render_extra(e) for e in extras])
            container = replace(container, env=env, mounts=[*config.mounts, *container.mounts])
            annotations = dict(props.pop("pod_annotations", {}))
            own = annotations.get("checksum/config")
            annotations["checksum/config"] = config_checksum(own, config.checksum) if own else config.checksum
            props["pod_annotations"] = annotations
        return Workload(
            scope,
            id,
            WorkloadProps(
                component=component,
                naming=self.naming,
                platform=self.platform,
                container=container,
                image_pull_policy=images.pull_policy,
                image_pull_secrets=tuple(images.pull_secrets),
                **props,
            ),
        )


class KokuConfigMap(constructs.Construct):
    """``<release>-koku-config``: the tier's shared, non-secret settings."""

    def __init__(self, scope: constructs.Construct, id: str, *, tier: KokuTier) -> None:
        super().__init__(scope, id)
        k8s.KubeConfigMap(
            self,
            "Resource",
            metadata=k8s.ObjectMeta(name=tier.config_map_name, labels=tier.naming.labels("koku-config")),
            data=dict(sorted(tier.shared_config.items())),
        )
