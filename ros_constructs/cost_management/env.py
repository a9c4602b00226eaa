"""Koku's env table: every variable, where its value comes from, and which deployments get it.

``KOKU_ENV`` holds what Koku's ClowdApp gives each deployment. Each deployment is a set of *roles*
(:class:`KokuRole`, plus a :class:`WorkerFamily` for worker pools). Plain values reach a pod
through ``envFrom``: what every Koku deployment gets from ``<release>-koku-env``, the rest from its
role profile's ``<release>-<profile>-env``; credentials are Secret key references. Koku runs
without Clowder here (``CLOWDER_ENABLED=False``), so the endpoints Clowder would inject come from
the release's data-store connections. Plain Python.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any, Protocol

from ..core.env_table import EnvTable, derived, django_bool, fixed, from_field, from_secret, from_store, from_values
from ..data.connections import StoreContext
from ..values import KOKU_FAMILIES, Values, queue_family
from . import credentials


class KokuContext(StoreContext, Protocol):
    """What Koku's env table reads of its tier: the values, the store connections and where the
    router sends recommendations."""

    @property
    def recommendations(self) -> tuple[str, int]: ...


PROMETHEUS_DIR = "/tmp"
"""prometheus_client multiprocess files live on the pod's /tmp emptyDir."""
AWS_DIR = "/etc/aws"
GCP_DIR = "/etc/gcp"
GCP_FILE = "gcp-credentials.json"
KAFKA_CLIENT = "koku"
"""Koku's Kafka clients (listener, MASU, api-writes) share one identity."""


def writes_component(values: Values) -> str:
    """The Deployment that takes the API's writes: ``api-writes`` when split, else the one ``api``."""
    return "api-writes" if values.cost_management.api.mode == "split" else "api"


def component_for(queue: str) -> str:
    """The worker pool consuming ``queue``: ``priority_xl`` -> ``worker-priority-xl``."""
    return f"worker-{queue.replace('_', '-')}"


class KokuRole(StrEnum):
    """Which Koku deployment a container is (its env follows Koku's per-deployment lists)."""

    API_READS = "api-reads"
    API_WRITES = "api-writes"
    ROUTER = "router"
    LISTENER = "listener"
    MASU = "masu"
    BEAT = "beat"
    MIGRATIONS = "migrations"
    WORKER = "worker"
    """Every worker pool, Koku's and added ones."""


class WorkerFamily(StrEnum):
    """Koku's queue families: a family's base, ``_xl`` and ``_penalty`` pools get the same env."""

    CELERY = "celery"
    COST_MODEL = "cost_model"
    DOWNLOAD = "download"
    OCP = "ocp"
    PRIORITY = "priority"
    REFRESH = "refresh"
    SUMMARY = "summary"
    HCS = "hcs"
    SUBS_EXTRACTION = "subs_extraction"
    SUBS_TRANSMISSION = "subs_transmission"


if tuple(WorkerFamily) != KOKU_FAMILIES:
    raise RuntimeError(f"WorkerFamily {list(WorkerFamily)} does not match Koku's families {KOKU_FAMILIES}")

Role = KokuRole | WorkerFamily


def worker_roles(queues: Iterable[str]) -> frozenset[Role]:
    """A pool's roles: every worker, plus the Koku family of each queue it consumes (an added queue has none).

    A pool over several families gets the union of their env. The table gives each variable one value
    per release whichever role asks, so the union cannot conflict; per-pool values (``WORKER_QUEUES``,
    extraEnv) are the pool's own."""
    families = {queue_family(q) for q in queues} & set(KOKU_FAMILIES)
    return frozenset({KokuRole.WORKER, *(WorkerFamily(f) for f in families)})


def profile(roles: frozenset[Role]) -> str:
    """The name of a role set's env ConfigMap (without release prefix and ``-env`` suffix); a pool over
    several families names its own (:func:`pool_profile`)."""
    families = [r for r in roles if isinstance(r, WorkerFamily)]
    if len(families) > 1:
        raise ValueError(f"roles {sorted(families)} span several families: name the pool's env with pool_profile")
    if families:
        return f"worker-{families[0].value.replace('_', '-')}"
    (role,) = roles
    return role.value


def pool_profile(component: str, roles: frozenset[Role]) -> str | None:
    """The env ConfigMap of a pool whose queues span several families, ``<component>-pool`` (a family's own
    ConfigMap would hold less); None when the roles name it."""
    return f"{component}-pool" if len([r for r in roles if isinstance(r, WorkerFamily)]) > 1 else None


R, F = KokuRole, WorkerFamily
INGEST_WORKERS = {F.CELERY, F.COST_MODEL, F.DOWNLOAD, F.OCP, F.PRIORITY, F.REFRESH, F.SUMMARY, F.HCS}
CACHE_WORKERS = (INGEST_WORKERS - {F.CELERY}) | {F.SUBS_EXTRACTION, F.SUBS_TRANSMISSION}
ALL = {R.API_READS, R.API_WRITES, R.ROUTER, R.LISTENER, R.MASU, R.BEAT, R.WORKER}
KOKU = ALL - {R.ROUTER}
"""Koku's "ALL except NGX"."""
WEB = {R.API_READS, R.API_WRITES, R.MASU}
API = {R.API_READS, R.API_WRITES}
PROCESSING = {R.WORKER, R.LISTENER, R.BEAT}
OBJECT_STORE_USERS = {R.WORKER, R.API_READS, R.API_WRITES, R.LISTENER, R.MASU, R.BEAT}
SOURCES_USERS = {R.WORKER, R.MASU}
KAFKA_USERS = {R.LISTENER, R.MASU, R.API_WRITES}
"""api-writes publishes a deleted source's ``Application.destroy`` (on-prem sources, koku/sources/api/view.py)."""
SUBS = {F.SUBS_EXTRACTION, F.SUBS_TRANSMISSION}
INGEST_TUNING = INGEST_WORKERS | {R.MASU, R.BEAT}
MIGRATIONS = {R.MIGRATIONS}


def _v(tier: KokuContext) -> Values:
    return tier.values


def _conn(tier: KokuContext) -> Any:
    return tier.stores


def _rbac(tier: KokuContext, setting: str) -> Any:
    """The RBAC service's port or protocol, only when a host is set (Koku's own defaults otherwise)."""
    rbac = tier.values.cost_management.cache_and_rbac
    return getattr(rbac, f"rbac_service_{setting}") if rbac.rbac_service_host else None


def _bucket(tier: KokuContext, bucket: str) -> Any:
    return tier.stores.object_storage.buckets[bucket]


def _kafka_login(tier: KokuContext, part: str) -> Any:
    login = tier.stores.kafka.login(KAFKA_CLIENT)
    return getattr(login, part) if login else None


KOKU_ENV: EnvTable[Any] = EnvTable(
    [
        # runtime / platform
        fixed("CLOWDER_ENABLED", "False", ALL | MIGRATIONS),
        from_field("APP_POD_NAME", "metadata.name", ALL),
        from_values("SCHEMA_SUFFIX", "costManagement.runtime.schemaSuffix", ALL | MIGRATIONS),
        from_values("DEVELOPMENT", "costManagement.featureFlags.development", KOKU | MIGRATIONS),
        # Migrations too: api.0039 grants to Trino's hive role unless ONPREM is set.
        from_values("ONPREM", "costManagement.runtime.onprem", KOKU | MIGRATIONS),
        from_values("IQE_TEST_RUN", "costManagement.runtime.iqeTestRun", {R.MASU}),
        from_values("QE_SCHEMA", "costManagement.featureFlags.qeSchema", KOKU),
        from_values("API_PATH_PREFIX", "costManagement.api.pathPrefix", WEB),
        from_values("APP_DOMAIN", "costManagement.runtime.appDomain", WEB),
        from_values("DEMO_ACCOUNTS", "costManagement.featureFlags.demoAccounts", KOKU - {R.LISTENER}),
        from_values("ENHANCED_ORG_ADMIN", "costManagement.featureFlags.enhancedOrgAdmin", KOKU),
        from_values("CURRENCY_URL", "costManagement.runtime.currencyUrl", KOKU),
        # Django and logging
        from_secret(
            "DJANGO_SECRET_KEY", "costManagement.djangoSecretKey", WEB, lambda t: credentials.django_secret_key(_v(t))
        ),
        from_values("DJANGO_LOG_LEVEL", "costManagement.logging.django", WEB | {R.LISTENER}),
        from_values("DJANGO_LOG_FORMATTER", "costManagement.logging.djangoFormatter", WEB),
        from_values("DJANGO_LOG_HANDLERS", "costManagement.logging.djangoHandlers", WEB),
        from_values("DJANGO_LOG_DIRECTORY", "costManagement.logging.djangoDirectory", WEB),
        from_values("DJANGO_LOGGING_FILE", "costManagement.logging.djangoFile", WEB),
        from_values("KOKU_LOG_LEVEL", "costManagement.logging.koku", KOKU),
        from_values("CELERY_LOG_LEVEL", "costManagement.workers.logLevel", {R.WORKER, R.BEAT}),
        from_values("GUNICORN_LOG_LEVEL", "costManagement.logging.gunicorn", API | {R.MASU}),
        # database and cache endpoints (Clowder's job in Koku)
        fixed("DATABASE_SERVICE_NAME", "POSTGRES_SQL", KOKU | MIGRATIONS, "fixed: names the two variables below"),
        # With DATABASE_SERVICE_NAME set, Koku reads DATABASE_ENGINE with no default (every process exits without it).
        fixed("DATABASE_ENGINE", "postgresql", KOKU | MIGRATIONS, "fixed: required with DATABASE_SERVICE_NAME"),
        derived("DATABASE_NAME", "database.koku.name", KOKU | MIGRATIONS, lambda t: _conn(t).database.koku.database),
        derived("POSTGRES_SQL_SERVICE_HOST", "database.host", KOKU | MIGRATIONS, lambda t: _conn(t).database.host),
        derived("POSTGRES_SQL_SERVICE_PORT", "database.port", KOKU | MIGRATIONS, lambda t: _conn(t).database.port),
        from_secret("DATABASE_USER", "database.koku", KOKU | MIGRATIONS, lambda t: _conn(t).database.koku.user),
        from_secret("DATABASE_PASSWORD", "database.koku", KOKU | MIGRATIONS, lambda t: _conn(t).database.koku.password),
        derived("PGSSLMODE", "database.external.sslMode", KOKU | MIGRATIONS, lambda t: _conn(t).database.ssl_mode),
        derived("PGSSLROOTCERT", "database.external.ca", KOKU | MIGRATIONS, lambda t: _conn(t).database.ca_file),
        derived("REDIS_HOST", "cache.mode", KOKU, lambda t: _conn(t).cache.host),
        derived("REDIS_PORT", "cache.port", KOKU, lambda t: _conn(t).cache.port),
        from_secret("REDIS_PASSWORD", "cache.auth", KOKU, lambda t: _conn(t).cache.password),
        derived("REDIS_SSL", "cache.tls.enabled", KOKU, lambda t: True if _conn(t).cache.tls else None),
        derived("REDIS_SSL_CA_CERTS", "cache.tls", KOKU, lambda t: _conn(t).cache.ca_file),
        # cache and RBAC
        from_values("RBAC_SERVICE_HOST", "costManagement.cacheAndRbac.rbacServiceHost", WEB),
        derived("RBAC_SERVICE_PORT", "costManagement.cacheAndRbac.rbacServicePort", WEB, lambda t: _rbac(t, "port")),
        derived(
            "RBAC_SERVICE_PROTOCOL",
            "costManagement.cacheAndRbac.rbacServiceProtocol",
            WEB,
            lambda t: _rbac(t, "protocol"),
        ),
        from_values("RBAC_SERVICE_PATH", "costManagement.cacheAndRbac.rbacServicePath", WEB),
        from_values("RBAC_CACHE_TTL", "costManagement.cacheAndRbac.rbacCacheTtl", WEB),
        from_values("RBAC_CACHE_TIMEOUT", "costManagement.cacheAndRbac.rbacCacheTimeout", API),
        from_values("CACHE_TIMEOUT", "costManagement.cacheAndRbac.cacheTimeout", API),
        from_values("CACHED_VIEWS_DISABLED", "costManagement.cacheAndRbac.cachedViewsDisabled", API | {R.MASU}),
        from_values("WORKER_CACHE_TIMEOUT", "costManagement.cacheAndRbac.workerCacheTimeout", CACHE_WORKERS),
        from_values(
            "WORKER_CACHE_LARGE_CUSTOMER_TIMEOUT",
            "costManagement.cacheAndRbac.workerCacheLargeCustomerTimeout",
            CACHE_WORKERS,
        ),
        from_values(
            "WORKER_CACHE_LARGE_CUSTOMER_CONCURRENT_TASKS",
            "costManagement.cacheAndRbac.workerCacheLargeCustomerConcurrentTasks",
            CACHE_WORKERS,
        ),
        # Celery and schedules
        from_values("WORKER_PROC_ALIVE_TIMEOUT", "costManagement.workers.procAliveTimeout", {R.WORKER}),
        from_values("SCHEDULE_REPORT_CHECKS", "costManagement.beat.schedule.reportChecks", {R.BEAT}),
        from_values("REPORT_DOWNLOAD_SCHEDULE", "costManagement.beat.schedule.reportDownloadSchedule", {R.BEAT}),
        from_values("SOURCE_STATUS_SCHEDULE", "costManagement.beat.schedule.sourceStatusSchedule", {R.BEAT}),
        from_values(
            "REMOVE_EXPIRED_REPORT_DATA_ON_DAY", "costManagement.beat.schedule.removeExpiredReportDataOnDay", {R.BEAT}
        ),
        from_values(
            "REMOVE_EXPIRED_REPORT_UTC_TIME", "costManagement.beat.schedule.removeExpiredReportUtcTime", {R.BEAT}
        ),
        from_values("VACUUM_DATA_DAY_OF_WEEK", "costManagement.beat.schedule.vacuumDataDayOfWeek", {R.BEAT}),
        from_values("VACUUM_DATA_UTC_TIME", "costManagement.beat.schedule.vacuumDataUtcTime", {R.BEAT}),
        from_values("DELAYED_TASK_TIME", "costManagement.ingest.delayedTaskTime", {F.PRIORITY, F.SUMMARY}),
        from_values(
            "DELAYED_TASK_POLLING_MINUTES", "costManagement.ingest.delayedTaskPollingMinutes", {F.PRIORITY, F.SUMMARY}
        ),
        # ingest and processing tuning
        from_values("PARQUET_PROCESSING_BATCH_SIZE", "costManagement.ingest.parquetProcessingBatchSize", PROCESSING),
        from_values(
            "PANDAS_COLUMN_BATCH_SIZE", "costManagement.ingest.pandasColumnBatchSize", {F.DOWNLOAD, F.PRIORITY}
        ),
        from_values(
            "REPORT_PROCESSING_BATCH_SIZE",
            "costManagement.ingest.reportProcessingBatchSize",
            INGEST_WORKERS | {R.LISTENER, R.BEAT},
        ),
        from_values("TRINO_DATE_STEP", "costManagement.ingest.trinoDateStep", PROCESSING),
        from_values("VALIDATION_RANGE", "costManagement.ingest.validationRange", PROCESSING),
        from_values("DATE_OVERRIDE", "costManagement.ingest.dateOverride", PROCESSING | {R.MASU}),
        from_values("RETAIN_NUM_MONTHS", "costManagement.ingest.retainNumMonths", API | {R.WORKER, R.MASU, R.BEAT}),
        from_values("NOTIFICATION_CHECK_TIME", "costManagement.ingest.notificationCheckTime", API | {R.MASU}),
        from_values(
            "INITIAL_INGEST_NUM_MONTHS", "costManagement.ingest.initialIngestNumMonths", {R.WORKER, R.MASU, R.BEAT}
        ),
        from_values(
            "INITIAL_INGEST_OVERRIDE", "costManagement.ingest.initialIngestOverride", {R.WORKER, R.MASU, R.BEAT}
        ),
        from_values("POLLING_TIMER", "costManagement.ingest.pollingTimer", INGEST_TUNING),
        from_values("POLLING_COUNT", "costManagement.ingest.pollingCount", INGEST_TUNING),
        from_values("XL_REPORT_COUNT", "costManagement.ingest.xlReportCount", INGEST_TUNING),
        from_values("PROCESSING_WAIT_TIMER", "costManagement.ingest.processingWaitTimer", INGEST_TUNING),
        from_values("LARGE_PROCESSING_WAIT_TIMER", "costManagement.ingest.largeProcessingWaitTimer", INGEST_TUNING),
        from_values("AUTO_DATA_INGEST", "costManagement.ingest.autoDataIngest", INGEST_WORKERS | {R.BEAT}),
        from_values(
            "TAG_ENABLED_LIMIT",
            "costManagement.featureFlags.tagEnabledLimit",
            API | {R.MASU, F.DOWNLOAD, F.OCP, F.PRIORITY},
        ),
        from_values("MAX_GROUP_BY_OVERRIDE", "costManagement.featureFlags.maxGroupByOverride", API),
        # Trino
        from_values("TRINO_HOST", "costManagement.trino.host", PROCESSING | {R.MASU}),
        derived(
            "TRINO_PORT",
            "costManagement.trino.port",
            PROCESSING | {R.MASU},
            lambda t: _v(t).cost_management.trino.port if _v(t).cost_management.trino.host else None,
        ),
        from_values("TRINO_S3A_OR_S3", "costManagement.trino.s3aOrS3", ALL | MIGRATIONS),
        # object storage and cloud credentials
        from_store("S3_ENDPOINT", "objectStorage.mode", OBJECT_STORE_USERS, lambda t: _conn(t).object_storage.endpoint),
        derived("S3_REGION", "objectStorage.region", OBJECT_STORE_USERS, lambda t: _conn(t).object_storage.region),
        from_secret("S3_ACCESS_KEY", "objectStorage", OBJECT_STORE_USERS, lambda t: _bucket(t, "koku").access_key),
        from_secret("S3_SECRET", "objectStorage", OBJECT_STORE_USERS, lambda t: _bucket(t, "koku").secret_key),
        from_store(
            "REQUESTED_BUCKET", "objectStorage.buckets.koku", OBJECT_STORE_USERS, lambda t: _bucket(t, "koku").name
        ),
        from_store("REQUESTED_ROS_BUCKET", "objectStorage.buckets.ros", {R.LISTENER}, lambda t: _bucket(t, "ros").name),
        from_store("REQUESTED_SUBS_BUCKET", "objectStorage.buckets.subs", SUBS, lambda t: _bucket(t, "subs").name),
        derived(
            "AWS_CONFIG_FILE",
            "objectStorage.addressingStyle",
            OBJECT_STORE_USERS,
            lambda t: _conn(t).object_storage.config_file,
        ),
        derived(
            "AWS_CA_BUNDLE", "objectStorage.external.ca", OBJECT_STORE_USERS, lambda t: _conn(t).object_storage.ca_file
        ),
        # The listener downloads each upload's presigned URL with requests, which trusts certifi's roots otherwise.
        derived(
            "REQUESTS_CA_BUNDLE", "objectStorage.external.ca", {R.LISTENER}, lambda t: _conn(t).object_storage.ca_file
        ),
        from_values("ROS_URL_EXPIRATION", "costManagement.kafka.rosUrlExpiration", {R.LISTENER}),
        from_secret(
            "AWS_ACCESS_KEY_ID",
            "costManagement.cloudCredentials.aws",
            KOKU | MIGRATIONS,
            lambda t: credentials.aws_credentials(_v(t))[0],
        ),
        from_secret(
            "AWS_SECRET_ACCESS_KEY",
            "costManagement.cloudCredentials.aws",
            KOKU | MIGRATIONS,
            lambda t: credentials.aws_credentials(_v(t))[1],
        ),
        derived(
            "AWS_SHARED_CREDENTIALS_FILE",
            "costManagement.cloudCredentials.aws.credentialsFile",
            KOKU,
            lambda t: f"{AWS_DIR}/credentials" if credentials.aws_credentials_file(_v(t)) else None,
        ),
        derived(
            "GOOGLE_APPLICATION_CREDENTIALS",
            "costManagement.cloudCredentials.gcp.enabled",
            KOKU,
            lambda t: f"{GCP_DIR}/{GCP_FILE}" if credentials.gcp_credentials(_v(t)) else None,
        ),
        # Kafka, ROS, SUBS, HCS
        from_values("KAFKA_CONNECT", "costManagement.kafka.connect", {R.LISTENER, R.MASU}),
        derived("INSIGHTS_KAFKA_HOST", "kafka.bootstrapServers", KAFKA_USERS, lambda t: _conn(t).kafka.host),
        derived("INSIGHTS_KAFKA_PORT", "kafka.bootstrapServers", KAFKA_USERS, lambda t: _conn(t).kafka.port),
        derived("KAFKA_SASL_MECHANISM", "kafka.sasl.mechanism", KAFKA_USERS, lambda t: _conn(t).kafka.sasl_mechanism),
        derived(
            "KAFKA_SECURITY_PROTOCOL",
            "kafka.securityProtocol",
            KAFKA_USERS,
            lambda t: _conn(t).kafka.security_protocol if _conn(t).kafka.sasl_mechanism else None,
        ),
        from_store("KAFKA_SASL_USERNAME", "kafka.sasl", KAFKA_USERS, lambda t: _kafka_login(t, "username")),
        from_secret("KAFKA_SASL_PASSWORD", "kafka.sasl", KAFKA_USERS, lambda t: _kafka_login(t, "password")),
        derived("KAFKA_SSL_CA_LOCATION", "kafka.ca", KAFKA_USERS, lambda t: _conn(t).kafka.ca_file),
        derived(
            "DISABLE_ROS_MSG",
            "costManagement.kafka.disableRosMessages",
            {R.LISTENER},
            lambda t: not _v(t).ships_ros_data(),
        ),
        derived(
            "ROS_OCP_API",
            "costManagement.api.router.rosApi.service",
            {R.ROUTER},
            lambda t: t.recommendations[0],
        ),
        from_values("ENABLE_HCS_DEBUG", "costManagement.featureFlags.enableHcsDebug", {F.HCS}),
        from_values("ENABLE_SUBS_DEBUG", "costManagement.featureFlags.enableSubsDebug", SUBS),
        from_values("ENABLE_SUBS_PROVIDER_TYPES", "costManagement.featureFlags.subsProviderTypes", {F.SUBS_EXTRACTION}),
        # Sources
        from_values("SOURCES_API_PREFIX", "costManagement.sources.apiPrefix", SOURCES_USERS),
        from_secret("SOURCES_PSK", "costManagement.sources", SOURCES_USERS, lambda t: credentials.sources_psk(_v(t))),
        # Unleash, Sentry, Prometheus
        from_values("UNLEASH_CACHE_DIR", "costManagement.unleash.cacheDir", KOKU | MIGRATIONS),
        from_values("UNLEASH_LOG_LEVEL", "costManagement.unleash.logLevel", KOKU),
        from_values("KOKU_ENABLE_SENTRY", "costManagement.sentry.enabled", KOKU - {R.MASU}),
        from_values("KOKU_SENTRY_ENVIRONMENT", "costManagement.sentry.environment", KOKU - {R.MASU}),
        from_secret(
            "KOKU_SENTRY_DSN", "costManagement.sentry", KOKU - {R.MASU}, lambda t: credentials.sentry_dsn(_v(t))
        ),
        fixed("PROMETHEUS_MULTIPROC_DIR", PROMETHEUS_DIR, KOKU | MIGRATIONS, "fixed: the /tmp emptyDir"),
        from_values("PROMETHEUS_PUSHGATEWAY", "costManagement.prometheus.pushgateway", {R.WORKER, R.MASU, R.BEAT}),
        # migrations job only
        fixed("TENANT_MULTIPROCESSING_MAX_PROCESSES", 2, MIGRATIONS),
        fixed("TENANT_MULTIPROCESSING_CHUNKS", 2, MIGRATIONS),
    ],
    roles=[KokuRole, WorkerFamily],
    shared_roles=KOKU,
    render_bool=django_bool,
)
"""Koku's env as its ClowdApp sets it, plus what Clowder would inject; per-deployment values such
as GUNICORN_WORKERS, WORKER_QUEUES, POD_CPU_LIMIT, MASU and SOURCES are set by their constructs."""
