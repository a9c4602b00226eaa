"""Cost Management (Koku) configuration groups and the ``costManagement`` section itself.

Each field's description names the Koku variable it sets (``docs/configuration.md`` lists them).
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from .base import Credential, ExtraEnv, Host, HostPort, HttpUrl, LogLevel, Model, PathPrefix, Port, UrlPath
from .cost_management import Api, Beat, Services, UploadService, Workers


class KafkaMessaging(Model):
    """Koku's Kafka behaviour; the connection is the top-level ``kafka``."""

    connect: bool = Field(default=True, description="KAFKA_CONNECT.")
    disable_ros_messages: bool | None = Field(
        default=None,
        description="DISABLE_ROS_MSG: null sends ROS its CSVs exactly when ros.enabled (nothing takes them otherwise).",
    )
    ros_url_expiration: Annotated[int, Field(ge=1)] = Field(
        default=172800, description="ROS_URL_EXPIRATION: lifetime of the S3 links sent to ROS."
    )


class DjangoSecretKey(Credential):
    """Django's SECRET_KEY; Secret default <release>-django."""

    SECRET_KEYS: ClassVar[tuple[str, ...]] = ("django-secret-key",)


class Runtime(Model):
    """Runtime/platform env. Koku's defaults except ``onprem`` (true: this is the on-prem stack)."""

    onprem: bool = Field(default=True, description="ONPREM (Koku's SaaS template says False).")
    schema_suffix: str = Field(default="", description="SCHEMA_SUFFIX.")
    app_domain: Host = Field(default="project-koku.com", description="APP_DOMAIN.")
    iqe_test_run: bool = Field(default=False, description="IQE_TEST_RUN (masu).")
    currency_url: HttpUrl | Literal[""] = Field(default="", description="CURRENCY_URL; empty: no currency rate task.")


class Logging(Model):
    koku: LogLevel = Field(default="INFO", description="KOKU_LOG_LEVEL.")
    django: LogLevel = Field(default="INFO", description="DJANGO_LOG_LEVEL.")
    django_formatter: str = Field(default="simple", description="DJANGO_LOG_FORMATTER.")
    django_handlers: str = Field(default="console", description="DJANGO_LOG_HANDLERS.")
    django_directory: str | None = Field(default=None, description="DJANGO_LOG_DIRECTORY (unset: not rendered).")
    django_file: str | None = Field(default=None, description="DJANGO_LOGGING_FILE (unset: not rendered).")
    gunicorn: LogLevel = Field(default="INFO", description="GUNICORN_LOG_LEVEL.")


class CacheAndRbac(Model):
    rbac_service_host: Host | None = Field(
        default=None,
        description="RBAC_SERVICE_HOST: an insights-rbac service; unset: none (org admins only, see enhancedOrgAdmin).",
    )
    rbac_service_port: Port = Field(default=8080, description="RBAC_SERVICE_PORT.")
    rbac_service_protocol: Literal["http", "https"] = Field(default="http", description="RBAC_SERVICE_PROTOCOL.")
    rbac_service_path: UrlPath = Field(default="/api/rbac/v1/access/", description="RBAC_SERVICE_PATH.")
    rbac_cache_ttl: Annotated[int, Field(ge=0)] = Field(default=30, description="RBAC_CACHE_TTL.")
    rbac_cache_timeout: Annotated[int, Field(ge=0)] = Field(default=300, description="RBAC_CACHE_TIMEOUT.")
    cache_timeout: Annotated[int, Field(ge=0)] = Field(default=3600, description="CACHE_TIMEOUT.")
    cached_views_disabled: bool = Field(default=False, description="CACHED_VIEWS_DISABLED.")
    worker_cache_timeout: Annotated[int, Field(ge=0)] = Field(default=21600, description="WORKER_CACHE_TIMEOUT.")
    worker_cache_large_customer_timeout: Annotated[int, Field(ge=0)] = Field(
        default=43200, description="WORKER_CACHE_LARGE_CUSTOMER_TIMEOUT."
    )
    worker_cache_large_customer_concurrent_tasks: Annotated[int, Field(ge=1)] = Field(
        default=2, description="WORKER_CACHE_LARGE_CUSTOMER_CONCURRENT_TASKS."
    )


class Ingest(Model):
    """Ingest and processing tuning."""

    parquet_processing_batch_size: Annotated[int, Field(ge=1)] = Field(
        default=200000, description="PARQUET_PROCESSING_BATCH_SIZE."
    )
    pandas_column_batch_size: Annotated[int, Field(ge=1)] = Field(default=250, description="PANDAS_COLUMN_BATCH_SIZE.")
    report_processing_batch_size: Annotated[int, Field(ge=1)] = Field(
        default=100000, description="REPORT_PROCESSING_BATCH_SIZE."
    )
    trino_date_step: Annotated[int, Field(ge=1)] = Field(default=5, description="TRINO_DATE_STEP.")
    validation_range: Annotated[int, Field(ge=1)] = Field(default=5, description="VALIDATION_RANGE.")
    date_override: str | None = Field(default=None, description="DATE_OVERRIDE (unset: not rendered).")
    retain_num_months: Annotated[int, Field(ge=1)] = Field(default=3, description="RETAIN_NUM_MONTHS.")
    notification_check_time: Annotated[int, Field(ge=0)] = Field(default=24, description="NOTIFICATION_CHECK_TIME.")
    initial_ingest_num_months: Annotated[int, Field(ge=1)] = Field(default=3, description="INITIAL_INGEST_NUM_MONTHS.")
    initial_ingest_override: bool = Field(default=False, description="INITIAL_INGEST_OVERRIDE.")
    polling_timer: Annotated[int, Field(ge=1)] = Field(default=86400, description="POLLING_TIMER.")
    polling_count: Annotated[int, Field(ge=1)] = Field(default=21, description="POLLING_COUNT.")
    xl_report_count: Annotated[int, Field(ge=1)] = Field(default=100, description="XL_REPORT_COUNT.")
    processing_wait_timer: Annotated[int, Field(ge=0)] = Field(default=3, description="PROCESSING_WAIT_TIMER.")
    large_processing_wait_timer: Annotated[int, Field(ge=0)] = Field(
        default=7, description="LARGE_PROCESSING_WAIT_TIMER."
    )
    auto_data_ingest: bool = Field(default=True, description="AUTO_DATA_INGEST.")
    delayed_task_time: Annotated[int, Field(ge=0)] = Field(default=3600, description="DELAYED_TASK_TIME.")
    delayed_task_polling_minutes: Annotated[int, Field(ge=1, le=59)] = Field(
        default=30, description="DELAYED_TASK_POLLING_MINUTES."
    )


class Trino(Model):
    host: Host | None = Field(default=None, description="TRINO_HOST; unset: no Trino (on-prem Koku uses PostgreSQL).")
    port: Port = Field(default=10000, description="TRINO_PORT.")
    s3a_or_s3: Literal["s3a", "s3"] = Field(default="s3a", alias="s3aOrS3", description="TRINO_S3A_OR_S3.")


class AwsCredentials(Credential):
    """Cloud cost sources on AWS: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY and a credentials file.
    Secret default <release>-aws."""

    SECRET_KEYS: ClassVar[tuple[str, ...]] = ("aws_access_key_id", "aws_secret_access_key", "aws-credentials")
    enabled: bool = False
    credentials_file: bool = Field(default=True, description="Mount key aws-credentials at /etc/aws/credentials.")


class GcpCredentials(Credential):
    """Cloud cost sources on GCP: a service-account file at /etc/gcp/gcp-credentials.json.
    Secret default <release>-gcp."""

    SECRET_KEYS: ClassVar[tuple[str, ...]] = ("gcp-credentials",)
    enabled: bool = False


class CloudCredentials(Model):
    aws: AwsCredentials = Field(default_factory=AwsCredentials)
    gcp: GcpCredentials = Field(default_factory=GcpCredentials)


class Sources(Credential):
    """Koku's client of a SaaS Sources API (masu's source cleanup); on-prem Koku serves sources itself.
    The optional SOURCES_PSK Secret defaults to <release>-sources-psk."""

    SECRET_KEYS: ClassVar[tuple[str, ...]] = ("psk",)
    api_prefix: PathPrefix = Field(default="/api/sources/v1.0", description="SOURCES_API_PREFIX.")


class FeatureFlags(Model):
    development: bool = Field(default=False, description="DEVELOPMENT.")
    demo_accounts: str = Field(default="", description="DEMO_ACCOUNTS.")
    enhanced_org_admin: bool = Field(
        default=True,
        description="ENHANCED_ORG_ADMIN: org admins (the identity's is_org_admin) skip the RBAC service. On by "
        "default, since no RBAC service is deployed: other users get 424 until rbacServiceHost is set.",
    )
    qe_schema: str = Field(default="", description="QE_SCHEMA.")
    tag_enabled_limit: Annotated[int, Field(ge=0)] = Field(default=200, description="TAG_ENABLED_LIMIT.")
    max_group_by_override: Annotated[int, Field(ge=1)] = Field(default=3, description="MAX_GROUP_BY_OVERRIDE.")
    enable_hcs_debug: bool = Field(default=False, description="ENABLE_HCS_DEBUG.")
    enable_subs_debug: bool = Field(default=False, description="ENABLE_SUBS_DEBUG.")
    subs_provider_types: str = Field(default="AWS", description="ENABLE_SUBS_PROVIDER_TYPES.")


class Unleash(Model):
    cache_dir: str = Field(default="/tmp/unleash", description="UNLEASH_CACHE_DIR (on the /tmp emptyDir).")
    log_level: LogLevel = Field(default="WARNING", description="UNLEASH_LOG_LEVEL.")


class Sentry(Credential):
    """Sentry/Glitchtip; the DSN is an optional Secret key (Secret default <release>-sentry)."""

    SECRET_KEYS: ClassVar[tuple[str, ...]] = ("dsn",)
    enabled: bool = Field(default=False, description="KOKU_ENABLE_SENTRY.")
    environment: str = Field(default="development", description="KOKU_SENTRY_ENVIRONMENT.")


class Prometheus(Model):
    pushgateway: HostPort | None = Field(
        default=None, description="PROMETHEUS_PUSHGATEWAY host:port; unset: Koku's task metrics are not pushed."
    )


class CostManagement(Model):
    """The Koku tier."""

    enabled: bool = Field(
        default=True,
        description="Deploy Koku (cost management) and its upload service. Off, with ros.enabled, is the ROS "
        "chart's ROS-only deployment (insights-ros-ingress takes the uploads); off and ROS off deploys nothing.",
    )
    api: Api = Field(default_factory=Api)
    upload: UploadService = Field(default_factory=UploadService)
    workers: Workers = Field(default_factory=Workers)
    beat: Beat = Field(default_factory=Beat)
    services: Services = Field(default_factory=Services)
    kafka: KafkaMessaging = Field(default_factory=KafkaMessaging)
    django_secret_key: DjangoSecretKey = Field(default_factory=DjangoSecretKey)
    runtime: Runtime = Field(default_factory=Runtime)
    logging: Logging = Field(default_factory=Logging)
    cache_and_rbac: CacheAndRbac = Field(default_factory=CacheAndRbac)
    ingest: Ingest = Field(default_factory=Ingest)
    trino: Trino = Field(default_factory=Trino)
    cloud_credentials: CloudCredentials = Field(default_factory=CloudCredentials)
    sources: Sources = Field(default_factory=Sources)
    feature_flags: FeatureFlags = Field(default_factory=FeatureFlags)
    unleash: Unleash = Field(default_factory=Unleash)
    sentry: Sentry = Field(default_factory=Sentry)
    prometheus: Prometheus = Field(default_factory=Prometheus)
    extra_env: list[ExtraEnv] = Field(
        default_factory=list, description="Added to every Koku container; a variable the release sets there is refused."
    )
