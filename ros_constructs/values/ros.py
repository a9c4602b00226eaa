"""The ROS tier: the ROS-OCP backend (API, processor, recommendation poller, housekeeper,
partition cleaner, migrations), Kruize, the Sources API and the upload ingress.

Database logins live under ``database.<service>`` and Kafka settings under ``kafka``: the data
stores are shared with Cost Management. Everything here is per component.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from .base import INT32_MAX, Autoscaling, Credential, Host, LogLevel, Model, Port, Replicas, Resources, resources
from .pods import Component

Schedule = Annotated[str, Field(pattern=r"^(\S+\s+){4}\S+$", description="Cron schedule (five fields).")]


class RosComponent(Component):
    """A ROS-tier block that owns pods; its container's resources default to the chart's app sizing."""

    resources: Resources = Field(
        default_factory=lambda: resources("100m", "256Mi", cpu_limit=None, memory_limit="512Mi")
    )


class RosReadReplica(Model):
    """Point the ROS API at a streaming replica: it only serves GETs and runs no migrations."""

    enabled: bool = False
    host: Host | None = Field(default=None, description="Replica host; default the CloudNativePG -ro Service.")
    port: Port = 5432


class RosApi(RosComponent):
    """``rosocp-api``: the recommendations REST API (read-only)."""

    replicas: Replicas = 2
    autoscaling: Autoscaling = Field(default_factory=Autoscaling)
    read_replica: RosReadReplica = Field(default_factory=RosReadReplica)


class RosConsumer(RosComponent):
    """A ROS Kafka consumer Deployment."""

    replicas: Replicas = 1
    consumer_group: str = Field(pattern=r"^[A-Za-z0-9._-]+$", description="KAFKA_CONSUMER_GROUP_ID.")
    auto_commit: bool = Field(description="KAFKA_AUTO_COMMIT.")


class RosHousekeeper(RosComponent):
    """``rosocp-housekeeper``: removes a source's data when Sources announces its deletion."""

    enabled: bool = True
    consumer_group: str = Field(default="ros-housekeeper", pattern=r"^[A-Za-z0-9._-]+$")


class PartitionCleaner(RosComponent):
    """The CronJob that drops ROS's expired partitions (``housekeeper --partitions``)."""

    enabled: bool = True
    schedule: Schedule = "0 0 */15 * *"


class RosMigrations(RosComponent):
    """``rosocp db migrate up`` in one Job per rollout (named after what it depends on)."""

    backoff_limit: Replicas = 3
    active_deadline_seconds: Annotated[int, Field(ge=60, le=INT32_MAX)] = 600


class KruizePartitions(RosComponent):
    """Kruize's partitioned tables: created by an init step on every start, expired ones dropped daily."""

    create: bool = Field(default=True, description="Run CreatePartition before Kruize starts.")
    delete: bool = Field(default=True, description="The daily RetentionPartition CronJob.")
    schedule: Schedule = "0 0 * * *"
    threshold_days: Annotated[int, Field(ge=1, le=3650)] = Field(default=16, description="deletepartitionsthreshold.")


class Kruize(RosComponent):
    """Kruize (autotune): turns ROS's usage data into recommendations."""

    replicas: Replicas = 1
    resources: Resources = Field(
        default_factory=lambda: resources("500m", "1Gi", cpu_limit=None, memory_limit="2Gi"),
        description="The chart's Kruize sizing (JVM).",
    )
    log_level: Literal["debug", "info", "warn", "error"] = Field(default="info", description="LOGGING_LEVEL.")
    partitions: KruizePartitions = Field(default_factory=KruizePartitions)


class EncryptionKey(Credential):
    """The Sources API's AES key: unpadded base64 of 16, 24 or 32 bytes (Secret default <release>-sources-encryption).
    A generated one is 32 bytes from the seed."""

    SECRET_KEYS: ClassVar[tuple[str, ...]] = ("encryption-key",)


class SourcesApi(RosComponent):
    """sources-api-go: the source registry ROS's housekeeper asks, in ROS-only mode."""

    enabled: bool | None = Field(
        default=None,
        description="Run sources-api-go in ROS-only mode (costManagement.enabled false), where no Koku serves "
        "sources: null runs it there. With Cost Management on, Koku serves the sources API itself "
        "(/api/cost-management/v1, what the housekeeper and the metrics operator call), so true is an error. "
        "false also turns off the housekeeper, which needs a sources API.",
    )
    replicas: Replicas = 1
    log_level: Literal["DEBUG", "INFO", "WARN", "ERROR"] = "INFO"
    encryption_key: EncryptionKey = Field(default_factory=EncryptionKey)


class Upload(Model):
    """What the upload ingress accepts."""

    max_size: Annotated[int, Field(ge=1024)] = Field(default=104857600, description="UPLOAD_MAX_SIZE (bytes).")
    max_memory: Annotated[int, Field(ge=1024)] = Field(
        default=33554432, description="UPLOAD_MAX_MEMORY: multipart bytes held in memory, the rest in /tmp."
    )
    allowed_types: list[Annotated[str, Field(pattern=r"^[a-z0-9][-a-z0-9.+]*/[a-z0-9][-a-z0-9.+]*$")]] = Field(
        default_factory=lambda: ["application/vnd.redhat.hccm.upload"],
        min_length=1,
        description="UPLOAD_ALLOWED_TYPES.",
    )
    url_expiration_seconds: Annotated[int, Field(ge=60)] = Field(default=172800, description="STORAGE_URL_EXPIRATION.")
    path_prefix: str = Field(default="ros", pattern=r"^[A-Za-z0-9._/-]*$", description="STORAGE_PATH_PREFIX.")


class UploadIngress(RosComponent):
    """insights-ros-ingress, ROS-only mode's upload service: stores uploads and announces them to ROS
    directly. It keeps only the ROS CSVs and stamps every upload with org_id "1" (or "unknown"), never
    the uploader's tenant, so Koku never sees them and ROS-only serves one tenant."""

    replicas: Replicas = 1
    upload: Upload = Field(default_factory=Upload)
    token_review: bool = Field(
        default=False,
        description="AUTH_ENABLED: check uploaders' bearer tokens with a TokenReview. The program makes its "
        "TokenReview client either way, so it always gets a token and that one grant.",
    )


class Ros(Model):
    """The Resource Optimization Service and what it depends on."""

    enabled: bool = True
    log_level: LogLevel = "INFO"
    api: RosApi = Field(default_factory=RosApi)
    processor: RosConsumer = Field(
        default_factory=lambda: RosConsumer(consumer_group="ros-processor", auto_commit=True)
    )
    recommendation_poller: RosConsumer = Field(
        default_factory=lambda: RosConsumer(consumer_group="ros-recommendation-poller", auto_commit=False)
    )
    housekeeper: RosHousekeeper = Field(default_factory=RosHousekeeper)
    partition_cleaner: PartitionCleaner = Field(default_factory=PartitionCleaner)
    migrations: RosMigrations = Field(default_factory=RosMigrations)
    kruize_wait_seconds: Annotated[int, Field(ge=0, le=3600)] = Field(
        default=120, description="KRUIZE_WAIT_TIME: seconds before asking Kruize for a new recommendation."
    )
    data_retention_days: Annotated[int, Field(ge=1, le=3650)] = Field(default=15, description="DATA_RETENTION_PERIOD.")
    kruize: Kruize = Field(default_factory=Kruize)
    sources: SourcesApi = Field(default_factory=SourcesApi)
    ingress: UploadIngress = Field(default_factory=UploadIngress)
