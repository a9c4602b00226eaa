"""The ROS tier's env table: what ros-ocp-backend, Kruize, sources-api-go and
insights-ros-ingress read outside Clowder, and which component gets it.

Names are the programs' own (``docs/upstream-settings.md`` cites the source of each):
ros-ocp-backend binds ``DB_*``, ``KAFKA_*``, topics, ``KRUIZE_URL`` and ``SOURCES_API_*``
through viper; Kruize reads lower-case keys (``database_username``) over its JSON file;
sources-api-go and the ingress read plain ``os.Getenv`` names. Variables the chart sets but no
program reads (``PATH_PREFIX``, ``DATABASE_URL``, ``DB_POOL_SIZE``, ``CLOWDER_ENABLED``,
``ID_PROVIDER``) are left out. ros-ocp-backend reads Kafka SASL and TLS only from a Clowder
file, so with a secured Kafka its consumers get ``ACG_CONFIG`` (see :mod:`.clowder`).
Plain Python: the docs read this table without Node.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from ..core.conversations import StoreConnection
from ..core.env_table import EnvTable, Scalar, derived, fixed, from_secret, from_store, from_values
from ..data.connections import StoreContext
from ..data.topics import RECOMMENDATIONS, ROS_EVENTS, SOURCES_EVENTS
from . import credentials

RosContext = StoreContext
"""What ROS's env table reads of its tier."""


API_PORT = 8000
METRICS_PORT = 9000
KRUIZE_PORT = 8080
SOURCES_PORT = 8000
SOURCES_PREFIX = "/api/sources/v3.1"
INGRESS_PORT = 8080
KRUIZE_DB_FILE = "/etc/kruize/cdappconfig.json"


class RosRole(StrEnum):
    """Which ROS-tier container a pod runs; the value names its env ConfigMap."""

    API = "rosocp-api"
    PROCESSOR = "rosocp-processor"
    POLLER = "rosocp-poller"
    HOUSEKEEPER = "rosocp-housekeeper"
    PARTITIONS = "rosocp-partitions"
    MIGRATE = "rosocp-migrate"
    KRUIZE = "kruize"
    KRUIZE_JOB = "kruize-partitions"
    SOURCES = "sources-api"
    INGRESS = "ingress"


R = RosRole
BACKEND = {R.API, R.PROCESSOR, R.POLLER, R.HOUSEKEEPER, R.PARTITIONS, R.MIGRATE}
"""Every ros-ocp-backend container (one image, one config loader)."""
SERVERS = {R.API, R.PROCESSOR, R.POLLER}
"""Backend containers that serve /metrics on PROMETHEUS_PORT (the housekeeper starts none)."""
CONSUMERS = {R.PROCESSOR, R.POLLER, R.HOUSEKEEPER}
KRUIZE_CLIENTS = {R.PROCESSOR, R.POLLER, R.HOUSEKEEPER}
KRUIZE_ALL = {R.KRUIZE, R.KRUIZE_JOB}


def _conn(tier: RosContext) -> Any:
    return tier.stores


def _login(tier: RosContext, service: str) -> Any:
    return tier.stores.database.logins[service]


def db_host(tier: RosContext, role: RosRole) -> str:
    """The API reads from the replica when asked; everything else uses the primary."""
    replica, db = tier.values.ros.api.read_replica, _conn(tier).database
    host: str = db.host
    if role is R.API and replica.enabled:
        host = replica.host or db.read_host
    return host


def db_store(tier: RosContext, role: RosRole) -> StoreConnection:
    """Where :func:`db_host` is."""
    replica, db = tier.values.ros.api.read_replica, _conn(tier).database
    store: StoreConnection = db.replica(replica.host, replica.port) if role is R.API and replica.enabled else db
    return store


def _ros_db_ssl(tier: RosContext) -> str:
    """ros-ocp-backend passes DB_SSL verbatim as sslmode; our internal server speaks no TLS."""
    return _conn(tier).database.ssl_mode or "disable"


def _storage_endpoint(tier: RosContext) -> tuple[str | None, bool]:
    """minio-go's endpoint and TLS flag (the connection's; on ODF from the claim)."""
    return tier.stores.object_storage.host_port


def _bool(flag: Scalar) -> str:
    """Go's strconv and viper read lower-case booleans."""
    return str(flag).lower() if isinstance(flag, bool) else str(flag)


def _kafka_login(tier: RosContext, part: str) -> Any:
    login = tier.stores.kafka.login(credentials.INGRESS_KAFKA_CLIENT)
    return getattr(login, part) if login else None


def _object_store(tier: RosContext) -> Any:
    return tier.stores.object_storage


def _upload_bucket(tier: RosContext) -> Any:
    return _object_store(tier).buckets["upload"]


def _cache_password(tier: RosContext) -> Any:
    return _conn(tier).cache.password


ROS_ENV: EnvTable[Any] = EnvTable(
    [
        # ros-ocp-backend: logging and ports (SERVICE_NAME is set per component)
        from_values("LOG_LEVEL", "ros.logLevel", BACKEND),
        fixed("API_PORT", API_PORT, {R.API}),
        fixed("PROMETHEUS_PORT", METRICS_PORT, SERVERS),
        # ros-ocp-backend: database (DB_HOST is per component: the API may read from a replica)
        derived("DB_PORT", "database.port", BACKEND, lambda t: _conn(t).database.port),
        derived("DB_NAME", "database.ros.name", BACKEND, lambda t: _login(t, "ros").database),
        from_secret("DB_USER", "database.ros", BACKEND, lambda t: _login(t, "ros").user),
        from_secret("DB_PASSWORD", "database.ros", BACKEND, lambda t: _login(t, "ros").password),
        derived("DB_SSL", "database.external.sslMode", BACKEND, _ros_db_ssl),
        from_secret("DB_CA_CERT", "database.external.ca", BACKEND, lambda t: _conn(t).database.ca_ref),
        from_values("DATA_RETENTION_PERIOD", "ros.dataRetentionDays", {R.PARTITIONS}),
        # ros-ocp-backend: Kafka, Kruize, Sources
        derived(
            "KAFKA_BOOTSTRAP_SERVERS", "kafka.bootstrapServers", CONSUMERS, lambda t: _conn(t).kafka.bootstrap_servers
        ),
        fixed("UPLOAD_TOPIC", ROS_EVENTS, {R.PROCESSOR}, "fixed: the ingress announces here"),
        fixed("RECOMMENDATION_TOPIC", RECOMMENDATIONS, {R.PROCESSOR, R.POLLER}),
        fixed("SOURCES_EVENT_TOPIC", SOURCES_EVENTS, {R.HOUSEKEEPER}),
        derived(
            "KRUIZE_URL", "(the Kruize Service)", KRUIZE_CLIENTS, lambda t: f"http://{t.kruize_host}:{KRUIZE_PORT}"
        ),
        from_values("KRUIZE_WAIT_TIME", "ros.kruizeWaitSeconds", {R.PROCESSOR, R.POLLER}),
        derived(
            "SOURCES_API_BASE_URL",
            "(Koku's API; sources-api-go in ROS-only mode)",
            {R.HOUSEKEEPER},
            lambda t: t.sources_api.url(t.values.namespace),
        ),
        derived("SOURCES_API_PREFIX", "costManagement.api.pathPrefix", {R.HOUSEKEEPER}, lambda t: t.sources_api.prefix),
        # Kruize: lower-case keys override its JSON file (credentials never enter the file)
        fixed("DB_CONFIG_FILE", KRUIZE_DB_FILE, KRUIZE_ALL, "fixed: the mounted kruize-config Secret"),
        from_secret("database_username", "database.kruize", KRUIZE_ALL, lambda t: _login(t, "kruize").user),
        from_secret("database_password", "database.kruize", KRUIZE_ALL, lambda t: _login(t, "kruize").password),
        derived("database_sslmode", "database.external.sslMode", KRUIZE_ALL, lambda t: _conn(t).database.ssl_mode),
        from_values("LOGGING_LEVEL", "ros.kruize.logLevel", KRUIZE_ALL),
        fixed("ROOT_LOGGING_LEVEL", "error", KRUIZE_ALL),
        fixed("dbdriver", "jdbc:postgresql://", KRUIZE_ALL),
        # The partition programs check the deployment settings as the server does and exit without them.
        fixed("clustertype", "kubernetes", KRUIZE_ALL),
        derived(
            "k8stype", "platform", KRUIZE_ALL, lambda t: "openshift" if t.platform.name == "openshift" else "minikube"
        ),
        fixed("authtype", "", {R.KRUIZE}),
        # No datasource: ROS pushes results over REST, and only local monitoring reads Prometheus.
        fixed("monitoringagent", "prometheus", KRUIZE_ALL, "fixed: Kruize exits on an unknown agent"),
        fixed("monitoringendpoint", "(none)", KRUIZE_ALL, "fixed: non-empty, so no cluster lookup; names no host"),
        fixed("savetodb", True, {R.KRUIZE}),
        fixed("local", False, {R.KRUIZE}, "fixed: remote monitoring; true sets up datasources"),
        fixed("plots", True, {R.KRUIZE}),
        fixed("hibernate_dialect", "org.hibernate.dialect.PostgreSQLDialect", KRUIZE_ALL),
        fixed("hibernate_driver", "org.postgresql.Driver", KRUIZE_ALL),
        fixed("hibernate_c3p0minsize", 2, KRUIZE_ALL),
        fixed("hibernate_c3p0maxsize", 5, KRUIZE_ALL),
        fixed("hibernate_c3p0timeout", 300, KRUIZE_ALL),
        fixed("hibernate_c3p0maxstatements", 100, KRUIZE_ALL),
        fixed("hibernate_hbm2ddlauto", "none", KRUIZE_ALL),
        fixed("hibernate_showsql", False, KRUIZE_ALL),
        fixed("hibernate_timezone", "UTC", KRUIZE_ALL),
        fixed("START_AUTOTUNE", False, {R.KRUIZE_JOB}, "fixed: the partition programs run without the server"),
        from_values("deletepartitionsthreshold", "ros.kruize.partitions.thresholdDays", {R.KRUIZE_JOB}),
        # sources-api-go (env mode: no TLS to the database or cache, Kafka without security)
        derived("DATABASE_HOST", "database.host", {R.SOURCES}, lambda t: _conn(t).database.host),
        derived("DATABASE_PORT", "database.port", {R.SOURCES}, lambda t: _conn(t).database.port),
        derived("DATABASE_NAME", "database.sources.name", {R.SOURCES}, lambda t: _login(t, "sources").database),
        from_secret("DATABASE_USER", "database.sources", {R.SOURCES}, lambda t: _login(t, "sources").user),
        from_secret("DATABASE_PASSWORD", "database.sources", {R.SOURCES}, lambda t: _login(t, "sources").password),
        derived("REDIS_CACHE_HOST", "cache.mode", {R.SOURCES}, lambda t: _conn(t).cache.host),
        derived("REDIS_CACHE_PORT", "cache.port", {R.SOURCES}, lambda t: _conn(t).cache.port),
        from_secret("REDIS_CACHE_PASSWORD", "cache.auth", {R.SOURCES}, _cache_password),
        derived("QUEUE_HOST", "kafka.bootstrapServers", {R.SOURCES}, lambda t: _conn(t).kafka.host),
        derived("QUEUE_PORT", "kafka.bootstrapServers", {R.SOURCES}, lambda t: _conn(t).kafka.port),
        from_secret(
            "ENCRYPTION_KEY", "ros.sources.encryptionKey", {R.SOURCES}, lambda t: credentials.encryption_key(t.values)
        ),
        fixed("PORT", SOURCES_PORT, {R.SOURCES}),
        fixed("METRICS_PORT", METRICS_PORT, {R.SOURCES}),
        fixed("BYPASS_RBAC", True, {R.SOURCES}, "fixed: on-prem has no RBAC service for Sources"),
        fixed("SOURCES_ENV", "prod", {R.SOURCES}),
        # insights-ros-ingress
        fixed("SERVER_PORT", INGRESS_PORT, {R.INGRESS}),
        from_values("UPLOAD_MAX_SIZE", "ros.ingress.upload.maxSize", {R.INGRESS}),
        from_values("UPLOAD_MAX_MEMORY", "ros.ingress.upload.maxMemory", {R.INGRESS}),
        fixed("UPLOAD_TEMP_DIR", "/tmp", {R.INGRESS}, "fixed: the /tmp emptyDir"),
        from_values("UPLOAD_ALLOWED_TYPES", "ros.ingress.upload.allowedTypes", {R.INGRESS}, ",".join),
        from_values("UPLOAD_REQUIRE_AUTH", "ros.ingress.tokenReview", {R.INGRESS}),
        from_values("AUTH_ENABLED", "ros.ingress.tokenReview", {R.INGRESS}),
        derived("STORAGE_ENDPOINT", "objectStorage.mode", {R.INGRESS}, lambda t: _storage_endpoint(t)[0]),
        derived("STORAGE_USE_SSL", "objectStorage.mode", {R.INGRESS}, lambda t: _storage_endpoint(t)[1]),
        derived("STORAGE_REGION", "objectStorage.region", {R.INGRESS}, lambda t: _object_store(t).region),
        from_store("STORAGE_BUCKET", "objectStorage.buckets.upload", {R.INGRESS}, lambda t: _upload_bucket(t).name),
        from_secret("STORAGE_ACCESS_KEY", "objectStorage", {R.INGRESS}, lambda t: _upload_bucket(t).access_key),
        from_secret("STORAGE_SECRET_KEY", "objectStorage", {R.INGRESS}, lambda t: _upload_bucket(t).secret_key),
        from_values("STORAGE_URL_EXPIRATION", "ros.ingress.upload.urlExpirationSeconds", {R.INGRESS}),
        from_values("STORAGE_PATH_PREFIX", "ros.ingress.upload.pathPrefix", {R.INGRESS}),
        derived(
            "SSL_CERT_FILE", "objectStorage.external.ca", {R.INGRESS, R.PROCESSOR}, lambda t: _object_store(t).ca_file
        ),
        derived(
            "KAFKA_BROKERS",
            "kafka.bootstrapServers",
            {R.INGRESS},
            lambda t: f"{_conn(t).kafka.host}:{_conn(t).kafka.port}",
        ),
        fixed("KAFKA_ROS_TOPIC", ROS_EVENTS, {R.INGRESS}),
        derived(
            "KAFKA_SECURITY_PROTOCOL", "kafka.securityProtocol", {R.INGRESS}, lambda t: _conn(t).kafka.security_protocol
        ),
        derived("KAFKA_SASL_MECHANISM", "kafka.sasl.mechanism", {R.INGRESS}, lambda t: _conn(t).kafka.sasl_mechanism),
        from_store("KAFKA_SASL_USERNAME", "kafka.sasl", {R.INGRESS}, lambda t: _kafka_login(t, "username")),
        from_secret("KAFKA_SASL_PASSWORD", "kafka.sasl", {R.INGRESS}, lambda t: _kafka_login(t, "password")),
        derived("KAFKA_SSL_CA_LOCATION", "kafka.ca", {R.INGRESS}, lambda t: _conn(t).kafka.ca_file),
        fixed("KAFKA_CLIENT_ID", "insights-ros-ingress", {R.INGRESS}),
        fixed("LOG_FORMAT", "json", {R.INGRESS}),
    ],
    roles=[RosRole],
    shared_roles=BACKEND,
    render_bool=_bool,
)
"""The ROS tier's env; per-component values (SERVICE_NAME, DB_HOST) are set by their constructs."""
