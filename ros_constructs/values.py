"""The typed values model: the only input of every chart.

Keys are camelCase like Helm values; every field states its default once, here. Loading merges
YAML files in order, then applies ``--set a.b.c=value`` overrides, then validates. Unknown keys
are errors, so a typo never passes silently. :class:`ValuesError` carries one line per wrong
field (path and value), which the CLI prints before exiting with code 2.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)
from pydantic.alias_generators import to_camel

from .naming import MAX_NAME_LENGTH, InvalidNameError, check_dns_label

# --- quantities ------------------------------------------------------------------------------

_CPU = re.compile(r"^([0-9]+(\.[0-9]+)?)(m?)$")
_MEMORY = re.compile(r"^([0-9]+(\.[0-9]+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$")
_MEMORY_FACTOR = {
    None: 1,
    "k": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
}


def _quantity_str(value: Any) -> Any:
    """YAML reads ``cpu: 1`` as an int; a quantity is a string."""
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def cpu_cores(quantity: str) -> Decimal:
    """``"500m"`` -> 0.5."""
    match = _CPU.match(quantity)
    if not match:
        raise ValueError(f"{quantity!r} is not a cpu quantity (e.g. 250m, 1, 1.5)")
    number = Decimal(match.group(1))
    return number / 1000 if match.group(3) else number


def memory_bytes(quantity: str) -> Decimal:
    """``"1Gi"`` -> 1073741824."""
    match = _MEMORY.match(quantity)
    if not match:
        raise ValueError(f"{quantity!r} is not a memory quantity (e.g. 512Mi, 1Gi)")
    return Decimal(match.group(1)) * _MEMORY_FACTOR[match.group(3)]


def _check_cpu(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a cpu quantity (e.g. 250m, 1, 1.5)")
    cpu_cores(value)
    return value


def _check_memory(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a memory quantity (e.g. 512Mi, 1Gi)")
    memory_bytes(value)
    return value


CpuQuantity = Annotated[str, BeforeValidator(_check_cpu), BeforeValidator(_quantity_str)]
MemoryQuantity = Annotated[str, BeforeValidator(_check_memory), BeforeValidator(_quantity_str)]
DnsLabel = Annotated[str, Field(pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", max_length=MAX_NAME_LENGTH)]
INT32_MAX = 2**31 - 1
"""Kubernetes keeps replica counts, backoffLimit and KEDA's counts as int32: larger values fail at apply."""
Replicas = Annotated[int, Field(ge=0, le=INT32_MAX)]
Count = Annotated[int, Field(ge=1, le=INT32_MAX)]
SecretKey = Annotated[str, Field(pattern=r"^[-._a-zA-Z0-9]+$")]
"""A key inside a Secret (also a file name when mounted)."""


class Model(BaseModel):
    """Base for every values section: camelCase keys, unknown keys rejected, immutable."""

    model_config = ConfigDict(
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=True,
        frozen=True,
        validate_default=True,
        coerce_numbers_to_str=True,
    )


# --- shared building blocks ------------------------------------------------------------------


class ResourceRequests(Model):
    cpu: CpuQuantity = Field(description="CPU request.")
    memory: MemoryQuantity = Field(description="Memory request.")


class ResourceLimits(Model):
    cpu: CpuQuantity | None = Field(default=None, description="CPU limit; unset means none (throttling hurts latency).")
    memory: MemoryQuantity = Field(description="Memory limit (always set: an OOM kill beats a starved node).")


class Resources(Model):
    """Container resources: cpu and memory requests, a memory limit, an optional cpu limit."""

    requests: ResourceRequests
    limits: ResourceLimits

    @model_validator(mode="after")
    def _limits_cover_requests(self) -> Resources:
        if memory_bytes(self.limits.memory) < memory_bytes(self.requests.memory):
            raise ValueError(f"limits.memory {self.limits.memory} is below requests.memory {self.requests.memory}")
        if self.limits.cpu is not None and cpu_cores(self.limits.cpu) < cpu_cores(self.requests.cpu):
            raise ValueError(f"limits.cpu {self.limits.cpu} is below requests.cpu {self.requests.cpu}")
        return self


def resources(cpu: str, memory: str, *, cpu_limit: str | None, memory_limit: str) -> Resources:
    """Shorthand for stating defaults."""
    return Resources(
        requests=ResourceRequests(cpu=cpu, memory=memory),
        limits=ResourceLimits(cpu=cpu_limit, memory=memory_limit),
    )


class Image(Model):
    """One container image: ``registry/repository`` plus a tag, a digest, or both."""

    registry: str = Field(description="Registry host, e.g. quay.io.")
    repository: str = Field(description="Repository path inside the registry.")
    tag: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$",
        description="Tag; required unless a digest is given. Never 'latest'.",
    )
    digest: str | None = Field(
        default=None, pattern=r"^sha256:[a-f0-9]{64}$", description="Digest (sha256:...); wins over the tag."
    )

    @model_validator(mode="after")
    def _pinned(self) -> Image:
        if not self.tag and not self.digest:
            raise ValueError("an image needs a tag or a digest")
        if self.tag == "latest" and not self.digest:
            raise ValueError("tag 'latest' is not reproducible; pin a version tag or a digest")
        return self

    @property
    def ref(self) -> str:
        base = f"{self.registry}/{self.repository}"
        return f"{base}@{self.digest}" if self.digest else f"{base}:{self.tag}"

    @property
    def version(self) -> str:
        return self.tag or (self.digest or "")


class Images(Model):
    """Every image the charts use, and how to pull them."""

    pull_policy: Literal["IfNotPresent", "Always", "Never"] = Field(default="IfNotPresent")
    require_digests: bool = Field(default=False, description="Fail unless every image is pinned by digest.")
    pull_secrets: list[DnsLabel] = Field(default_factory=list, description="Image pull Secret names.")
    koku: Image = Field(
        default=Image(registry="quay.io", repository="redhat-services-prod/cost-mgmt-dev-tenant/koku", tag="d8055ac"),
        description="Koku (Cost Management) image: API, workers, beat, listeners, migrations.",
    )
    nginx: Image = Field(
        default=Image(registry="registry.access.redhat.com", repository="ubi9/nginx-124", tag="1"),
        description="nginx image of the API router.",
    )

    @model_validator(mode="after")
    def _digests(self) -> Images:
        if self.require_digests:
            images = {name: getattr(self, name) for name in type(self).model_fields}
            missing = [name for name, image in images.items() if isinstance(image, Image) and not image.digest]
            if missing:
                raise ValueError(f"requireDigests is true but {', '.join(missing)} has no digest")
        return self


class SecretKeyRef(Model):
    """A key of an existing Secret (bitnami's ``existingSecret`` pattern)."""

    name: DnsLabel | None = Field(default=None, description="Secret name; unset means the documented default.")
    key: SecretKey = Field(description="Key inside the Secret.")


SECRET_LIKE_NAME = re.compile(r"PASSWORD|PASSWD|SECRET|TOKEN|_KEY$|KEY_ID$|DSN|PSK|CREDENTIALS", re.IGNORECASE)
"""Env names that must never carry a literal value (a file path is fine)."""
URL_CREDENTIALS = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@")
"""``scheme://user:password@host``: credentials inside a URL."""
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class ExtraEnv(Model):
    """An extra env var: a literal ``value`` or a ``secretKeyRef`` (the only way for secret material)."""

    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    value: str | None = None
    secret_key_ref: SecretKeyRef | None = None
    optional: bool = Field(default=False, description="With secretKeyRef: start even if the Secret is missing.")

    @model_validator(mode="after")
    def _one_source(self) -> ExtraEnv:
        if (self.value is None) == (self.secret_key_ref is None):
            raise ValueError(f"extraEnv {self.name}: set exactly one of value and secretKeyRef")
        if self.value is not None and SECRET_LIKE_NAME.search(self.name) and not self.value.startswith("/"):
            raise ValueError(f"extraEnv {self.name} looks secret; reference a Secret with secretKeyRef instead")
        if self.value is not None and URL_CREDENTIALS.search(self.value):
            raise ValueError(f"extraEnv {self.name} has credentials in a URL; reference a Secret with secretKeyRef")
        if self.secret_key_ref is not None and self.secret_key_ref.name is None:
            raise ValueError(f"extraEnv {self.name}: secretKeyRef needs a name")
        return self


class Autoscaling(Model):
    """A CPU HorizontalPodAutoscaler; when enabled the Deployment leaves ``replicas`` to it."""

    enabled: bool = False
    min_replicas: Count = 2
    max_replicas: Count = 10
    target_cpu_utilization_percentage: Annotated[int, Field(ge=1, le=100)] = 75

    @model_validator(mode="after")
    def _min_below_max(self) -> Autoscaling:
        if self.min_replicas > self.max_replicas:
            raise ValueError(f"minReplicas {self.min_replicas} is above maxReplicas {self.max_replicas}")
        return self


# --- Cost Management (Koku) -----------------------------------------------------------------


class Gunicorn(Model):
    workers: Annotated[int, Field(ge=1, le=64)] = Field(default=3, description="GUNICORN_WORKERS.")
    threads: bool = Field(default=True, description="GUNICORN_THREADS: threads = 2 * POD_CPU_LIMIT + 1.")


class ApiDeployment(Model):
    """One Gunicorn API Deployment (reads, writes or unified)."""

    replicas: Replicas
    resources: Resources = Field(
        default=resources("250m", "512Mi", cpu_limit="500m", memory_limit="1Gi"),
        description="Koku's api-reads/api-writes defaults. The cpu limit sets POD_CPU_LIMIT.",
    )
    gunicorn: Gunicorn = Field(default_factory=Gunicorn)
    autoscaling: Autoscaling = Field(default_factory=Autoscaling)
    extra_env: list[ExtraEnv] = Field(default_factory=list)


class GatewayParentRef(Model):
    name: DnsLabel
    namespace: DnsLabel | None = None
    section_name: str | None = None


class GatewayRouter(Model):
    parent_refs: list[GatewayParentRef] = Field(
        default_factory=lambda: [GatewayParentRef(name="cost-onprem-gateway")],
        description="Gateways the HTTPRoute attaches to.",
    )
    hostnames: list[str] = Field(default_factory=list)


class RosApiUpstream(Model):
    """Where ``<prefix>/v1/recommendations/`` goes. Unset service: api-writes, as in Koku."""

    service: DnsLabel | None = Field(default=None, description="ROS API Service name.")
    port: Annotated[int, Field(ge=1, le=65535)] = 8000


class Router(Model):
    """Splits API traffic: GET/HEAD to reads, every other method to writes."""

    type: Literal["nginx", "gatewayApi"] = Field(
        default="nginx", description="nginx Deployment (any cluster) or a Gateway API HTTPRoute."
    )
    replicas: Replicas = 2
    resources: Resources = Field(default=resources("100m", "100Mi", cpu_limit=None, memory_limit="200Mi"))
    gateway: GatewayRouter = Field(default_factory=GatewayRouter)
    ros_api: RosApiUpstream = Field(default_factory=RosApiUpstream)


READ_REPLICA_FILES = ("db_host", "db_port", "db_name", "db_user", "db_password")
"""The files Koku's configurator reads from ``/etc/db/readreplica``."""


class ReadReplica(Model):
    """Point api-reads at a PostgreSQL read replica (Koku ``USE_READREPLICA``)."""

    enabled: bool = False
    existing_secret: DnsLabel | None = Field(
        default=None, description="The replica's connection Secret; default <release>-db-readreplica."
    )
    keys: dict[str, str] = Field(
        default_factory=lambda: {f: f for f in READ_REPLICA_FILES},
        description="File -> Secret key; Koku's own cost-db-ro Secret uses db.host, db.port, ...",
    )
    required: bool = Field(default=False, description="false: pods start without the Secret and Koku uses the primary.")

    @model_validator(mode="after")
    def _all_files(self) -> ReadReplica:
        if sorted(self.keys) != sorted(READ_REPLICA_FILES):
            raise ValueError(f"keys must map exactly the files {list(READ_REPLICA_FILES)}, got {sorted(self.keys)}")
        return self


class Migrations(Model):
    """Database migrations: a Job named after the image, so it runs once per image rollout."""

    enabled: bool = True
    backoff_limit: Replicas = 3
    active_deadline_seconds: Annotated[int, Field(ge=60, le=INT32_MAX)] = 3600
    resources: Resources = Field(default=resources("1", "1Gi", cpu_limit=None, memory_limit="2Gi"))


class Api(Model):
    """The Cost Management API tier (seed section 2.1)."""

    mode: Literal["split", "unified"] = Field(
        default="split", description="split: api-reads + api-writes; unified: one api Deployment."
    )
    path_prefix: str = Field(default="/api/cost-management", pattern=r"^(/[A-Za-z0-9._~-]+)*$")
    reads: ApiDeployment = Field(
        default=ApiDeployment(replicas=3, autoscaling=Autoscaling(enabled=True, min_replicas=3, max_replicas=10))
    )
    writes: ApiDeployment = Field(default=ApiDeployment(replicas=2))
    unified: ApiDeployment = Field(default=ApiDeployment(replicas=2))
    router: Router = Field(default_factory=Router)
    read_replica: ReadReplica = Field(default_factory=ReadReplica)
    migrations: Migrations = Field(default_factory=Migrations)

    @model_validator(mode="after")
    def _replica_needs_reads(self) -> Api:
        if self.mode == "unified" and self.read_replica.enabled:
            raise ValueError("readReplica needs mode 'split': only api-reads may use the replica")
        return self


# --- Celery workers, beat and the other Koku services ----------------------------------------

QUEUE_NAME = r"^[a-z0-9]([a-z0-9_]*[a-z0-9])?$"
"""Lower-case letters, digits and '_': the queue is also part of Prometheus series names."""
WorkerAutoscaling = Literal["none", "hpa", "keda"]
CRON = r"^\S+( \S+){4}$"
UTC_TIME = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class WorkerPool(Model):
    """One Celery queue consumed by one Deployment ``<release>-worker-<queue with _ as ->``."""

    enabled: bool = True
    replicas: Replicas = Field(default=1, description="Static replicas (when not autoscaled).")
    resources: Resources = Field(default=resources("100m", "256Mi", cpu_limit="200m", memory_limit="512Mi"))
    concurrency: Annotated[int, Field(ge=1, le=64)] = Field(default=1, description="celery --concurrency.")
    prefetch_multiplier: Annotated[int, Field(ge=1)] = Field(default=1, description="celery --prefetch-multiplier.")
    max_tasks_per_child: Annotated[int, Field(ge=1)] = Field(default=10, description="celery --max-tasks-per-child.")
    gossip: bool = Field(default=False, description="false adds --without-gossip (Koku: only the celery pool gossips).")
    max_task_seconds: Count = Field(
        default=3600, description="Longest task the pool runs; a pod gets at least this long to finish it on shutdown."
    )
    termination_grace_period_seconds: Count | None = Field(
        default=None, description="Default maxTaskSeconds + 60 (warm shutdown finishes running tasks)."
    )
    autoscaling: WorkerAutoscaling | None = Field(default=None, description="Unset: the fleet's workers.autoscaling.")
    scales_on_backlog: bool = Field(
        default=False,
        description="Under fleet autoscaling 'keda' this pool gets a ScaledObject (Koku's 12 KEDA pools).",
    )
    min_replicas: Replicas = 1
    max_replicas: Count = 10
    fallback_replicas: Count = Field(default=3, description="KEDA replicas while metrics fail.")
    keda_threshold: Annotated[float, Field(gt=0)] = Field(
        default=13.5,
        description="KEDA target backlog per replica (Prometheus threshold; Redis listLength, rounded up).",
    )
    backlog_alert_threshold: Annotated[int, Field(ge=1)] = Field(default=100, description="Messages before alerting.")
    extra_env: list[ExtraEnv] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> WorkerPool:
        if self.min_replicas > self.max_replicas:
            raise ValueError(f"minReplicas {self.min_replicas} is above maxReplicas {self.max_replicas}")
        if self.fallback_replicas > self.max_replicas:
            raise ValueError(f"fallbackReplicas {self.fallback_replicas} is above maxReplicas {self.max_replicas}")
        grace = self.termination_grace_period_seconds
        if grace is not None and grace < self.max_task_seconds:
            raise ValueError(f"terminationGracePeriodSeconds {grace} is below maxTaskSeconds {self.max_task_seconds}")
        return self

    @property
    def grace_period_seconds(self) -> int:
        return self.termination_grace_period_seconds or self.max_task_seconds + 60


def _pool(cpu: str, memory: str, cpu_limit: str, memory_limit: str, **fields: Any) -> WorkerPool:
    return WorkerPool(resources=resources(cpu, memory, cpu_limit=cpu_limit, memory_limit=memory_limit), **fields)


@functools.cache
def _koku_pools() -> dict[str, WorkerPool]:
    """Koku's 22 queues with its replicas, resources and KEDA settings (clowdapp.yaml)."""
    pools: dict[str, WorkerPool] = {"celery": _pool("100m", "256Mi", "200m", "512Mi", gossip=True)}
    families: dict[str, dict[str, Any]] = {
        "cost_model": {"scales_on_backlog": True},
        "download": {"scales_on_backlog": True, "keda_threshold": 19.5, "res": ("200m", "512Mi", "400m", "1Gi")},
        "ocp": {"scales_on_backlog": True},
        "priority": {"replicas": 2, "res": ("100m", "400Mi", "200m", "750Mi")},
        "refresh": {"replicas": 2},
        "summary": {"scales_on_backlog": True, "res": ("100m", "500Mi", "200m", "750Mi")},
    }
    for family, fields in families.items():
        res = fields.pop("res", ("100m", "256Mi", "200m", "512Mi"))
        for suffix in ("", "_xl", "_penalty"):
            sized = ("150m", "400Mi", "300m", "750Mi") if family == "priority" and suffix else res
            pools[f"{family}{suffix}"] = _pool(*sized, **fields)
    pools["hcs"] = _pool("100m", "300Mi", "200m", "500Mi")
    for queue in ("subs_extraction", "subs_transmission"):
        pools[queue] = _pool("100m", "300Mi", "200m", "500Mi", replicas=0)
    return pools


KOKU_QUEUES: tuple[str, ...] = tuple(_koku_pools())


class KedaPrometheus(Model):
    server_address: str = Field(
        default="http://prometheus-operated.monitoring.svc:9090", description="Prometheus the trigger queries."
    )


class KedaRedis(Model):
    """Redis list-length trigger on the Celery broker (list = queue); auth from costManagement.cache."""

    database_index: Annotated[int, Field(ge=0)] = Field(default=1, description="Koku's broker is Redis DB 1.")


class Keda(Model):
    trigger: Literal["prometheus", "redis"] = "prometheus"
    polling_interval: Count = 30
    cooldown_period: Replicas = 300
    prometheus: KedaPrometheus = Field(default_factory=KedaPrometheus)
    redis: KedaRedis = Field(default_factory=KedaRedis)


class WorkerAlerts(Model):
    """PrometheusRule: ``koku:celery:<queue>_queue`` recording rules, backlog and no-consumer alerts."""

    enabled: bool | None = Field(default=None, description="Unset: on when a pool scales on the Prometheus trigger.")
    backlog_for: str = Field(default="30m", pattern=r"^[0-9]+[smh]$")
    no_consumer_for: str = Field(default="10m", pattern=r"^[0-9]+[smh]$")


class Workers(Model):
    """The Celery worker fleet: Koku's queues plus any added in ``extraPools``."""

    log_level: LogLevel = Field(default="INFO", description="CELERY_LOG_LEVEL.")
    proc_alive_timeout: Annotated[int, Field(ge=1)] = Field(default=4, description="WORKER_PROC_ALIVE_TIMEOUT.")
    autoscaling: WorkerAutoscaling = Field(
        default="none", description="none: static replicas; hpa: CPU HPA per pool; keda: ScaledObjects."
    )
    hpa_target_cpu_utilization_percentage: Annotated[int, Field(ge=1, le=100)] = 75
    keda: Keda = Field(default_factory=Keda)
    alerts: WorkerAlerts = Field(default_factory=WorkerAlerts)
    pools: dict[str, WorkerPool] = Field(
        default_factory=lambda: dict(_koku_pools()), description="Koku's queues (keys fixed)."
    )
    extra_pools: dict[str, WorkerPool] = Field(default_factory=dict, description="Additional queues, one pool each.")

    @model_validator(mode="after")
    def _queues(self) -> Workers:
        unknown = sorted(set(self.pools) - set(KOKU_QUEUES))
        if unknown:
            raise ValueError(
                f"pools has unknown queue(s) {unknown}; Koku's queues are {list(KOKU_QUEUES)}; "
                "add new queues under extraPools"
            )
        for queue in self.extra_pools:
            if not re.match(QUEUE_NAME, queue):
                raise ValueError(f"queue {queue!r} is not a valid queue name ({QUEUE_NAME})")
            if queue in KOKU_QUEUES:
                raise ValueError(f"extraPools queue {queue!r} collides with Koku's queue; configure it under pools")
        return self

    def all_pools(self) -> dict[str, WorkerPool]:
        """Every pool, Koku's (with overrides merged) first, in a stable order."""
        koku = _koku_pools()
        return {**{q: self.pools.get(q, koku[q]) for q in KOKU_QUEUES}, **self.extra_pools}

    @property
    def scales_on_prometheus(self) -> bool:
        """Some enabled pool uses the KEDA Prometheus trigger (so the recording rules must exist)."""
        keda = [p for p in self.all_pools().values() if p.enabled and self.mode(p) == "keda"]
        return bool(keda) and self.keda.trigger == "prometheus"

    @property
    def alerts_on(self) -> bool:
        return self.scales_on_prometheus if self.alerts.enabled is None else self.alerts.enabled

    def mode(self, pool: WorkerPool) -> WorkerAutoscaling:
        """The autoscaling a pool actually gets."""
        if pool.autoscaling is not None:
            return pool.autoscaling
        if self.autoscaling == "keda" and not pool.scales_on_backlog:
            return "none"
        return self.autoscaling


class BeatSchedule(Model):
    """Koku's beat toggles (env of the scheduler, section 6 of the Koku reference)."""

    report_checks: bool = Field(default=True, description="SCHEDULE_REPORT_CHECKS.")
    report_download_schedule: str = Field(default="0 * * * *", pattern=CRON, description="REPORT_DOWNLOAD_SCHEDULE.")
    source_status_schedule: str = Field(default="0 3 * * *", pattern=CRON, description="SOURCE_STATUS_SCHEDULE.")
    remove_expired_report_data_on_day: Annotated[int, Field(ge=0, le=28)] = Field(
        default=1, description="REMOVE_EXPIRED_REPORT_DATA_ON_DAY; 0 disables data removal."
    )
    remove_expired_report_utc_time: str = Field(default="00:00", pattern=UTC_TIME)
    vacuum_data_day_of_week: str = Field(default="", pattern=r"^([0-6]|[a-z]{3})?$", description="Empty: daily.")
    vacuum_data_utc_time: str = Field(default="00:00", pattern=UTC_TIME)


class Beat(Model):
    """The single Celery beat scheduler."""

    enabled: bool = True
    replicas: Annotated[int, Field(ge=0, le=1)] = Field(default=1, description="0 or 1: two beats duplicate tasks.")
    resources: Resources = Field(default=resources("50m", "200Mi", cpu_limit="100m", memory_limit="400Mi"))
    schedule: BeatSchedule = Field(default_factory=BeatSchedule)
    extra_env: list[ExtraEnv] = Field(default_factory=list)


class KokuService(Model):
    """A Koku service Deployment other than the API and workers."""

    enabled: bool = True
    replicas: Replicas = 1
    resources: Resources
    extra_env: list[ExtraEnv] = Field(default_factory=list)


class GunicornService(KokuService):
    gunicorn_workers: Annotated[int, Field(ge=1, le=64)] = Field(default=3, description="GUNICORN_WORKERS.")


class SingletonService(KokuService):
    replicas: Annotated[int, Field(ge=0, le=1)] = Field(default=1, description="Messages must stay in order.")


class Services(Model):
    """Koku's listener, sources-listener, masu and sources-client (section 1a)."""

    listener: KokuService = Field(
        default=KokuService(replicas=2, resources=resources("150m", "300Mi", cpu_limit="300m", memory_limit="600Mi"))
    )
    sources_listener: SingletonService = Field(
        default=SingletonService(resources=resources("100m", "250Mi", cpu_limit="200m", memory_limit="500Mi"))
    )
    masu: KokuService = Field(
        default=KokuService(resources=resources("50m", "500Mi", cpu_limit="100m", memory_limit="700Mi"))
    )
    sources_client: GunicornService = Field(
        default=GunicornService(resources=resources("50m", "650Mi", cpu_limit="100m", memory_limit="768Mi"))
    )


class Kafka(Model):
    """Kafka (Koku's listeners consume it; ``KAFKA_CONNECT``, ``DISABLE_ROS_MSG``)."""

    host: str | None = Field(default=None, description="Default <release>-kafka-kafka-bootstrap.")
    port: Annotated[int, Field(ge=1, le=65535)] = 9092
    connect: bool = Field(default=True, description="KAFKA_CONNECT.")
    disable_ros_messages: bool = Field(default=False, description="DISABLE_ROS_MSG.")


class Database(Model):
    """The Koku PostgreSQL database; credentials from ``existingSecret`` or generated from the seed."""

    host: str | None = Field(default=None, description="Default <release>-database.")
    port: Annotated[int, Field(ge=1, le=65535)] = 5432
    name: str = "koku"
    user: str = Field(default="koku", description="User name written into a generated Secret.")
    existing_secret: DnsLabel | None = Field(default=None, description="Default <release>-koku-db.")
    user_key: SecretKey = "username"
    password_key: SecretKey = "password"


class Cache(Model):
    """Redis/Valkey used by Django caches and as the Celery broker."""

    host: str | None = Field(default=None, description="Default <release>-valkey (OpenShift) or <release>-redis.")
    port: Annotated[int, Field(ge=1, le=65535)] = 6379
    password_secret: DnsLabel | None = Field(
        default=None,
        description="Secret with the broker password (REDIS_PASSWORD, KEDA's redis trigger); unset: no auth.",
    )
    password_key: SecretKey = "password"


class DjangoSecretKey(Model):
    existing_secret: DnsLabel | None = Field(default=None, description="Default <release>-django.")
    key: SecretKey = "django-secret-key"


class Runtime(Model):
    """Runtime/platform env. Koku's defaults except ``onprem`` (true: this is the on-prem stack)."""

    onprem: bool = Field(default=True, description="ONPREM (Koku's SaaS template says False).")
    schema_suffix: str = Field(default="", description="SCHEMA_SUFFIX.")
    app_domain: str = Field(default="project-koku.com", description="APP_DOMAIN.")
    iqe_test_run: bool = Field(default=False, description="IQE_TEST_RUN (masu).")
    currency_url: str = Field(default="", description="CURRENCY_URL; empty: no currency rate task.")


class Logging(Model):
    koku: LogLevel = Field(default="INFO", description="KOKU_LOG_LEVEL.")
    django: LogLevel = Field(default="INFO", description="DJANGO_LOG_LEVEL.")
    django_formatter: str = Field(default="simple", description="DJANGO_LOG_FORMATTER.")
    django_handlers: str = Field(default="console", description="DJANGO_LOG_HANDLERS.")
    django_directory: str | None = Field(default=None, description="DJANGO_LOG_DIRECTORY (unset: not rendered).")
    django_file: str | None = Field(default=None, description="DJANGO_LOGGING_FILE (unset: not rendered).")
    gunicorn: LogLevel = Field(default="INFO", description="GUNICORN_LOG_LEVEL.")


class CacheAndRbac(Model):
    rbac_service_path: str = Field(default="/api/rbac/v1/access/", description="RBAC_SERVICE_PATH.")
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
    host: str = Field(default="trino-coordinator", description="TRINO_HOST.")
    port: Annotated[int, Field(ge=1, le=65535)] = Field(default=10000, description="TRINO_PORT.")
    s3a_or_s3: Literal["s3a", "s3"] = Field(default="s3a", alias="s3aOrS3", description="TRINO_S3A_OR_S3.")


class ObjectStorage(Model):
    """S3-compatible storage (MinIO or ODF on-prem); credentials from existingSecret or the seed."""

    endpoint: str | None = Field(default=None, description="S3_ENDPOINT; default the platform's MinIO or ODF service.")
    region: str = Field(default="us-east-1", description="S3_REGION.")
    bucket: str = Field(default="hccm-eph-s3", description="REQUESTED_BUCKET.")
    ros_bucket: str = Field(default="hccm-ros-eph-s3", description="REQUESTED_ROS_BUCKET.")
    subs_bucket: str = Field(default="hccm-subs-eph-s3", description="REQUESTED_SUBS_BUCKET.")
    ros_url_expiration: Annotated[int, Field(ge=1)] = Field(default=172800, description="ROS_URL_EXPIRATION.")
    existing_secret: DnsLabel | None = Field(default=None, description="Default <release>-object-storage.")
    access_key_key: SecretKey = "access-key"
    secret_key_key: SecretKey = "secret-key"


class AwsCredentials(Model):
    """Cloud cost sources on AWS: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY and a credentials file."""

    enabled: bool = False
    existing_secret: DnsLabel | None = Field(default=None, description="Default <release>-aws.")
    access_key_id_key: SecretKey = "aws_access_key_id"
    secret_access_key_key: SecretKey = "aws_secret_access_key"
    credentials_file_key: SecretKey | None = Field(
        default="aws-credentials", description="Key mounted at /etc/aws/credentials; null: no file."
    )


class GcpCredentials(Model):
    """Cloud cost sources on GCP: a service-account file at /etc/gcp/gcp-credentials.json."""

    enabled: bool = False
    existing_secret: DnsLabel | None = Field(default=None, description="Default <release>-gcp.")
    key: SecretKey = "gcp-credentials"


class CloudCredentials(Model):
    aws: AwsCredentials = Field(default_factory=AwsCredentials)
    gcp: GcpCredentials = Field(default_factory=GcpCredentials)


class Sources(Model):
    api_prefix: str = Field(default="/api/sources/v1.0", description="SOURCES_API_PREFIX.")
    probe_header: str = Field(
        default="eyJpZGVudGl0eSI6IHsiYWNjb3VudF9udW1iZXIiOiAiMTIzNDUiLCAib3JnX2lkIjogIjEyMzQ1In19Cg==",
        description="SOURCES_PROBE_HEADER (a fixed test identity, not a secret).",
    )
    psk_secret: DnsLabel | None = Field(
        default=None, description="SOURCES_PSK Secret (optional); default <release>-sources-psk."
    )
    psk_key: SecretKey = "psk"


class FeatureFlags(Model):
    development: bool = Field(default=False, description="DEVELOPMENT.")
    demo_accounts: str = Field(default="", description="DEMO_ACCOUNTS.")
    enhanced_org_admin: bool = Field(default=False, description="ENHANCED_ORG_ADMIN.")
    qe_schema: str = Field(default="", description="QE_SCHEMA.")
    tag_enabled_limit: Annotated[int, Field(ge=0)] = Field(default=200, description="TAG_ENABLED_LIMIT.")
    max_group_by_override: Annotated[int, Field(ge=1)] = Field(default=3, description="MAX_GROUP_BY_OVERRIDE.")
    enable_hcs_debug: bool = Field(default=False, description="ENABLE_HCS_DEBUG.")
    enable_subs_debug: bool = Field(default=False, description="ENABLE_SUBS_DEBUG.")
    subs_provider_types: str = Field(default="AWS", description="ENABLE_SUBS_PROVIDER_TYPES.")


class Unleash(Model):
    cache_dir: str = Field(default="/tmp/unleash", description="UNLEASH_CACHE_DIR (on the /tmp emptyDir).")
    log_level: LogLevel = Field(default="WARNING", description="UNLEASH_LOG_LEVEL.")


class Sentry(Model):
    """Sentry/Glitchtip; the DSN is an optional Secret key."""

    enabled: bool = Field(default=False, description="KOKU_ENABLE_SENTRY.")
    environment: str = Field(default="development", description="KOKU_SENTRY_ENVIRONMENT.")
    dsn_secret: DnsLabel | None = Field(default=None, description="KOKU_SENTRY_DSN Secret; default <release>-sentry.")
    dsn_key: SecretKey = "dsn"


class Prometheus(Model):
    pushgateway: str = Field(default="prometheus-pushgateway:9091", description="PROMETHEUS_PUSHGATEWAY.")


class GeneratedSecrets(Model):
    """Secrets the chart may create: Django key, database, object storage, Sources PSK."""

    seed: str | None = Field(
        default=None,
        min_length=16,
        description="Derive generated Secrets from this seed (same seed, same values); keep it secret. "
        "Unset: nothing is generated and the output lists the Secrets to create.",
    )


class CostManagement(Model):
    """The Koku tier."""

    api: Api = Field(default_factory=Api)
    workers: Workers = Field(default_factory=Workers)
    beat: Beat = Field(default_factory=Beat)
    services: Services = Field(default_factory=Services)
    database: Database = Field(default_factory=Database)
    cache: Cache = Field(default_factory=Cache)
    kafka: Kafka = Field(default_factory=Kafka)
    django_secret_key: DjangoSecretKey = Field(default_factory=DjangoSecretKey)
    runtime: Runtime = Field(default_factory=Runtime)
    logging: Logging = Field(default_factory=Logging)
    cache_and_rbac: CacheAndRbac = Field(default_factory=CacheAndRbac)
    ingest: Ingest = Field(default_factory=Ingest)
    trino: Trino = Field(default_factory=Trino)
    object_storage: ObjectStorage = Field(default_factory=ObjectStorage)
    cloud_credentials: CloudCredentials = Field(default_factory=CloudCredentials)
    sources: Sources = Field(default_factory=Sources)
    feature_flags: FeatureFlags = Field(default_factory=FeatureFlags)
    unleash: Unleash = Field(default_factory=Unleash)
    sentry: Sentry = Field(default_factory=Sentry)
    prometheus: Prometheus = Field(default_factory=Prometheus)
    secrets: GeneratedSecrets = Field(default_factory=GeneratedSecrets)
    extra_env: list[ExtraEnv] = Field(default_factory=list, description="Added to every Koku container.")


class Values(Model):
    """Everything an operator can set. The defaults synthesize a complete deployment."""

    release: DnsLabel = Field(default="cost-onprem", description="Prefix of every object name.")
    namespace: DnsLabel = Field(default="cost-onprem", description="Namespace of every namespaced object.")
    platform: Literal["kubernetes", "openshift"] = "kubernetes"
    images: Images = Field(default_factory=Images)
    cost_management: CostManagement = Field(default_factory=CostManagement)

    @model_validator(mode="after")
    def _names_fit(self) -> Values:
        queues = self.cost_management.workers.all_pools()
        components = [LONGEST_COMPONENT, *(f"worker-{q.replace('_', '-')}" for q in queues)]
        longest = f"{self.release}-{max(components, key=len)}"
        try:
            check_dns_label(longest, "longest object name")
        except InvalidNameError as err:
            raise ValueError(f"release {self.release!r} is too long: {err}") from None
        return self


LONGEST_COMPONENT = "db-migrate-0123456789"
"""The longest fixed component suffix any chart emits; with the queue names it bounds the release name."""


# --- loading ---------------------------------------------------------------------------------


class ValuesError(Exception):
    """Invalid values: one line per problem, each naming the field path and the value."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _describe(error: Mapping[str, Any]) -> str:
    path = ".".join(str(part) for part in error["loc"]) or "(top level)"
    value = error.get("input")
    ctx = error.get("ctx") or {}
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"{path}: unknown key (value {value!r})"
    if kind == "missing":
        return f"{path}: required"
    if kind == "greater_than_equal":
        return f"{path}: {value!r} is less than {ctx['ge']}"
    if kind == "less_than_equal":
        return f"{path}: {value!r} is greater than {ctx['le']}"
    if kind == "literal_error":
        return f"{path}: {value!r} is not one of {ctx['expected']}"
    if kind == "value_error":
        return f"{path}: {ctx.get('error', error['msg'])}"
    return f"{path}: {value!r}: {error['msg']}"


def defaults() -> dict[str, Any]:
    """The default values as a plain camelCase mapping."""
    return Values().model_dump(mode="json", by_alias=True)


def parse(data: Mapping[str, Any]) -> Values:
    """Validate ``data`` deep-merged over the defaults, so a partial section keeps its defaults."""
    try:
        return Values.model_validate(deep_merge(defaults(), data))
    except ValidationError as err:
        raise ValuesError([_describe(e) for e in err.errors(include_url=False)]) from None


def deep_merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``override`` into a copy of ``base``; mappings merge, everything else replaces."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def apply_set(data: dict[str, Any], assignment: str) -> dict[str, Any]:
    """Apply one ``a.b.c=value`` override; the value is read as a YAML scalar or list."""
    path, sep, raw = assignment.partition("=")
    keys = path.split(".")
    if not sep or not all(keys):
        raise ValuesError([f"--set {assignment!r}: expected PATH=VALUE, e.g. costManagement.api.mode=unified"])
    try:
        value = yaml.safe_load(raw) if raw else ""
    except yaml.YAMLError as err:
        raise ValuesError([f"--set {path}: {raw!r} is not a YAML value ({err.__class__.__name__})"]) from None
    nested: Any = value
    for key in reversed(keys):
        nested = {key: nested}
    return deep_merge(data, nested)


def read_file(path: Path) -> dict[str, Any]:
    """Read one values file; an empty file is an empty mapping."""
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise ValuesError([f"{path}: cannot read ({err.strerror})"]) from None
    except yaml.YAMLError as err:
        raise ValuesError([f"{path}: not valid YAML: {err}"]) from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ValuesError([f"{path}: the top level must be a mapping, not {type(loaded).__name__}"])
    return loaded


def load(files: Iterable[Path] = (), sets: Iterable[str] = (), overrides: Mapping[str, Any] | None = None) -> Values:
    """Files deep-merged in order, then ``--set`` assignments, then ``overrides``; validated."""
    data: dict[str, Any] = {}
    for path in files:
        data = deep_merge(data, read_file(path))
    for assignment in sets:
        data = apply_set(data, assignment)
    if overrides:
        data = deep_merge(data, overrides)
    return parse(data)


def json_schema() -> dict[str, Any]:
    """The JSON schema of values files (committed as values.schema.json)."""
    schema = Values.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "ros-constructs values"
    return schema
